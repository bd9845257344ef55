import { readdirSync, readFileSync } from "node:fs";
import { isInterfaceType, isObjectType, isUnionType } from "graphql";
import { describe, expect, it } from "vitest";
import { printedSchema } from "../scripts/print-schema.ts";
import { schema } from "../src/graphql/schema.ts";
import { diffSchemas } from "../src/platform/migrations.ts";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

const api = makeTestApi();

describe("the GraphQL schema", () => {
  it("matches the committed schema.graphql (run `npm run generate` after changing it)", () => {
    const committed = readFileSync(new URL("../schema.graphql", import.meta.url), "utf8");
    expect(printedSchema()).toBe(committed);
  });

  it("has a migration for every change to prisma/schema.prisma (run `npm run db:migration:create`)", async () => {
    const migrations = new URL("../prisma/migrations/", import.meta.url);
    const last = readdirSync(migrations, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort()
      .at(-1);
    const snapshot = readFileSync(new URL(`${last}/schema.prisma`, migrations), "utf8");
    const current = readFileSync(new URL("../prisma/schema.prisma", import.meta.url), "utf8");
    expect(await diffSchemas(snapshot, current, process.env.DATABASE_URL)).toContain(
      "This is an empty migration",
    );
  });

  it("lets `... on Error { message }` sit beside every success type of every result union", () => {
    const error = schema.getType("Error");
    if (!isInterfaceType(error)) throw new Error("no Error interface");
    const errorFields = Object.keys(error.getFields());
    const collisions: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isUnionType(type)) continue;
      for (const member of type.getTypes()) {
        if (!isObjectType(member) || member.getInterfaces().includes(error)) continue;
        for (const field of errorFields) {
          if (field in member.getFields()) collisions.push(`${type.name}: ${member.name}.${field}`);
        }
      }
    }
    expect(collisions).toEqual([]);
  });

  it("refuses queries nested deeper than the limit", async () => {
    const { secretKey } = await createTestWorkspace(api);
    const deep = `{ node(id: "x") { ... on ApiKey { workspace { apiKeys { workspace { apiKeys { workspace { apiKeys { workspace { apiKeys { workspace { id } } } } } } } } } } } }`;
    const result = await api.request(deep, {}, secretKey);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/depth/i);
  });

  it("refuses queries that would cost too much", async () => {
    const { secretKey } = await createTestWorkspace(api);
    const aliases = Array.from(
      { length: 60 },
      (_, i) => `c${i}: contacts(first: 500) { edges { node { id email tags { id name } } } }`,
    );
    const result = await api.request(`{ ${aliases.join("\n")} }`, {}, secretKey);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/cost/i);
  });

  it("masks unexpected errors and does not leak internals", async () => {
    const result = await api.request(
      `{ contacts(filter: { score: { min: 99999999999 } }) { totalCount } }`,
      {},
      "cw_sk_x",
    );
    expect(JSON.stringify(result)).not.toMatch(/prisma|postgres|stack/i);
  });
});
