import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let key: string;
let recorded: string[] | undefined;

const originalQuery = pg.Client.prototype.query;
beforeEach(async () => {
  ({ secretKey: key } = await createTestWorkspace(api));
  pg.Client.prototype.query = function recordingQuery(this: pg.Client, ...args: unknown[]) {
    const config = args[0] as string | { text?: string };
    const text = typeof config === "string" ? config : config?.text;
    if (recorded && text && !/^(BEGIN|COMMIT|ROLLBACK)/.test(text)) recorded.push(text);
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
});
afterEach(() => {
  pg.Client.prototype.query = originalQuery;
});

async function sqlIssuedBy(query: string): Promise<string[]> {
  recorded = [];
  await api.data(query, {}, key);
  const issued = recorded.filter((text) => !text.includes("api_keys"));
  recorded = undefined;
  return issued.map((text) =>
    text
      .replace(/\$\d+/g, "$n")
      .replace(/\(\$n(,\$n)*\)/g, "(…)")
      .replace(/\s+/g, " ")
      .trim(),
  );
}

async function importContacts(count: number, offset: number) {
  const contacts = Array.from({ length: count }, (_, i) => ({
    email: `c${offset + i}@example.com`,
    tags: ["a", i % 2 ? "odd" : "even"],
  }));
  await api.data(
    `mutation($input: ImportContactsInput!) { importContacts(input: $input) { __typename } }`,
    { input: { contacts } },
    key,
  );
}

describe("no N+1 queries", () => {
  const listWithTags = `{ contacts(first: 100) { totalCount edges { node { id email consent { status } tags { name contactCount } } } } }`;

  it("lists contacts with their tags in the same number of queries for 5 or 50 contacts", async () => {
    await importContacts(5, 0);
    const few = await sqlIssuedBy(listWithTags);
    await importContacts(45, 5);
    const many = await sqlIssuedBy(listWithTags);
    expect(many.length).toBe(few.length);
    expect(many.length).toBeLessThanOrEqual(5);
    expect(many).toMatchSnapshot();
  });
});
