import { randomUUID } from "node:crypto";
import { encodeGlobalID } from "@pothos/plugin-relay";
import type { GraphQLSchema } from "graphql";
import { isObjectType } from "graphql";
import pg from "pg";
import type { IdToken } from "./schema-arbitraries.ts";
import { isIdToken } from "./schema-arbitraries.ts";

/** The table a node type's rows live in: `ScenarioRun` → `scenario_runs`. */
const tableOf = (typename: string) =>
  `${typename.replace(/(?<=[a-z])([A-Z])/g, "_$1").toLowerCase()}s`;

/**
 * Real global ids to fill `IdToken`s with: up to five rows of every `Node` type of the schema in
 * the caller's workspace and in another one, read from the database so rows a fuzz case created
 * join the pool. `retyped` ids are the caller's rows under another type's name, `forged` ones
 * are malformed or point nowhere.
 */
export async function makeIdPool(
  schema: GraphQLSchema,
  workspaces: { own: string; foreign: string },
) {
  const nodeTypes = Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .filter((type) => type.getInterfaces().some((i) => i.name === "Node"))
    .map((type) => type.name)
    .sort();
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const { rows: tables } = await client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
  );
  const known = new Set(tables.map((t) => t.table_name));
  const missing = nodeTypes.filter((name) => !known.has(tableOf(name)));
  if (missing.length) throw new Error(`no table found for node types: ${missing.join(", ")}`);

  let own: string[] = [];
  let foreign: string[] = [];
  let retyped: string[] = [];
  const forged = [
    ...nodeTypes.map((name) => encodeGlobalID(name, randomUUID())),
    encodeGlobalID("Contact", "not-a-uuid"),
    encodeGlobalID("Contact", "00000000-0000-0000-0000-000000000000'; --"),
    encodeGlobalID("Contact", "\u0000"),
    encodeGlobalID("Nothing", randomUUID()),
    encodeGlobalID("Contact", `${randomUUID()}:${randomUUID()}`),
    randomUUID(),
    "",
    "%%%not-base64%%%",
    "Q29udGFjdA==",
    "1",
    "x".repeat(10_000),
  ];

  async function rowsOf(workspaceId: string) {
    const ids: { typename: string; id: string }[] = [];
    for (const typename of nodeTypes) {
      const column = typename === "Workspace" ? "id" : "workspace_id";
      const { rows } = await client.query<{ id: string }>(
        `SELECT id::text FROM ${tableOf(typename)} WHERE ${column} = $1 ORDER BY id LIMIT 5`,
        [workspaceId],
      );
      ids.push(...rows.map((row) => ({ typename, id: row.id })));
    }
    return ids;
  }

  /** Reads the rows again; call it before each batch of cases. */
  async function refresh() {
    const ownRows = await rowsOf(workspaces.own);
    own = ownRows.map((row) => encodeGlobalID(row.typename, row.id));
    foreign = (await rowsOf(workspaces.foreign)).map((row) => encodeGlobalID(row.typename, row.id));
    retyped = ownRows.map((row, i) =>
      encodeGlobalID(
        nodeTypes[(nodeTypes.indexOf(row.typename) + 1 + i) % nodeTypes.length] ?? "",
        row.id,
      ),
    );
  }

  const pick = (list: string[], n: number) => list[n % Math.max(1, list.length)] ?? forged[0] ?? "";

  /**
   * Replaces every `IdToken` in a generated value by an id. `foreignAt` collects the paths
   * where another workspace's real row was put.
   */
  function fill(value: unknown, path: string[] = [], foreignAt: string[] = []): unknown {
    if (isIdToken(value)) {
      const token: IdToken = value;
      if (token.$id === "foreign" && foreign.length) foreignAt.push(path.join("."));
      const lists = { own, foreign, retyped, forged };
      return pick(lists[token.$id], token.pick);
    }
    if (Array.isArray(value))
      return value.map((item, i) => fill(item, [...path, String(i)], foreignAt));
    if (value && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, fill(item, [...path, key], foreignAt)]),
      );
    }
    return value;
  }

  await refresh();
  return {
    nodeTypes,
    refresh,
    fill,
    sizes: () => ({ own: own.length, foreign: foreign.length }),
    end: () => client.end(),
  };
}
