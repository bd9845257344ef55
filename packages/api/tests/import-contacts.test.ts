import { beforeEach, describe, expect, it } from "vitest";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let key: string;

beforeEach(async () => {
  ({ secretKey: key } = await createTestWorkspace(api));
});

const importMutation = `mutation($input: ImportContactsInput!) {
  importContacts(input: $input) {
    __typename
    ... on MutationImportContactsSuccess { result { createdCount updatedCount rows { index contactId created } } }
    ... on InvalidInputError { message problems { path message } }
  }
}`;

const totalCount = async () =>
  (await api.data("{ contacts { totalCount } }", {}, key)).contacts.totalCount;

describe("importContacts", () => {
  it("creates and updates a batch in one call, merging properties and adding tags", async () => {
    await api.data(
      `mutation { upsertContact(input: { email: "old@example.com", firstName: "Old", properties: { a: 1, b: 2 } }) { __typename } }`,
      {},
      key,
    );
    const rows = [
      {
        email: "OLD@example.com",
        lastName: "Timer",
        properties: { b: null, c: 3 },
        tags: ["imported"],
      },
      ...Array.from({ length: 99 }, (_, i) => ({
        email: `new${i}@example.com`,
        externalId: `cust-${i}`,
        firstName: `New ${i}`,
        consent: { status: "SUBSCRIBED", source: "import" },
        tags: ["imported", i % 2 ? "odd" : "even"],
      })),
    ];
    const { importContacts } = await api.data(importMutation, { input: { contacts: rows } }, key);
    expect(importContacts.result.createdCount).toBe(99);
    expect(importContacts.result.updatedCount).toBe(1);
    expect(importContacts.result.rows.map((row: { index: number }) => row.index)).toEqual(
      rows.map((_, i) => i),
    );

    const { contacts } = await api.data(
      `{ contacts(filter: { email: "old@example.com" }) { edges { node { firstName lastName properties tags { name } } } } }`,
      {},
      key,
    );
    expect(contacts.edges[0].node).toEqual({
      firstName: "Old",
      lastName: "Timer",
      properties: { a: 1, c: 3 },
      tags: [{ name: "imported" }],
    });
    const odd = await api.data(
      `{ contacts(filter: { tagsAll: ["imported", "odd"], consentStatus: [SUBSCRIBED] }) { totalCount } }`,
      {},
      key,
    );
    expect(odd.contacts.totalCount).toBe(49);

    const again = await api.data(importMutation, { input: { contacts: rows } }, key);
    expect(again.importContacts.result).toMatchObject({ createdCount: 0, updatedCount: 100 });
    expect(await totalCount()).toBe(100);
  });

  it("changes nothing when one row is bad, and names the row and field", async () => {
    const rows = [
      { email: "good@example.com" },
      { email: "bad-email" },
      { externalId: "x", timezone: "Nowhere/Land" },
      { firstName: "no identity" },
    ];
    const { importContacts } = await api.data(importMutation, { input: { contacts: rows } }, key);
    expect(importContacts.__typename).toBe("InvalidInputError");
    expect(importContacts.message).toContain("3 of 4 rows are invalid");
    expect(importContacts.problems.map((problem: { path: string[] }) => problem.path)).toEqual([
      ["contacts", "1", "email"],
      ["contacts", "2", "timezone"],
      ["contacts", "3", "email"],
    ]);
    expect(await totalCount()).toBe(0);
  });

  it("refuses a batch over 1,000 rows, an empty batch and duplicated identities", async () => {
    const big = Array.from({ length: 1001 }, (_, i) => ({ email: `c${i}@example.com` }));
    const tooBig = await api.data(importMutation, { input: { contacts: big } }, key);
    expect(tooBig.importContacts).toMatchObject({
      __typename: "InvalidInputError",
      problems: [{ path: ["contacts"] }],
    });
    expect(tooBig.importContacts.message).toContain("1,000");

    const empty = await api.data(importMutation, { input: { contacts: [] } }, key);
    expect(empty.importContacts.__typename).toBe("InvalidInputError");

    const twice = await api.data(
      importMutation,
      { input: { contacts: [{ email: "same@example.com" }, { email: "SAME@example.com" }] } },
      key,
    );
    expect(twice.importContacts.problems).toEqual([
      { path: ["contacts", "1", "email"], message: "repeats row 0" },
    ]);
    expect(await totalCount()).toBe(0);
  });

  it("refuses a row whose email and external id belong to two different contacts", async () => {
    await api.data(
      `mutation { a: upsertContact(input: { email: "a@example.com" }) { __typename } b: upsertContact(input: { externalId: "b" }) { __typename } }`,
      {},
      key,
    );
    const { importContacts } = await api.data(
      importMutation,
      {
        input: {
          contacts: [{ email: "new@example.com" }, { email: "a@example.com", externalId: "b" }],
        },
      },
      key,
    );
    expect(importContacts.problems).toEqual([
      {
        path: ["contacts", "1", "email"],
        message: "belongs to another contact than this row's externalId",
      },
    ]);
    expect(await totalCount()).toBe(2);
  });
});

describe("contacts connection", () => {
  it("pages through contacts in a stable order with cursors, and filters by score and dates", async () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({
      email: `p${String(i).padStart(2, "0")}@example.com`,
    }));
    await api.data(importMutation, { input: { contacts: rows } }, key);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await api.data(
        `query($after: String) { contacts(first: 10, after: $after, orderBy: { field: EMAIL, direction: ASC }) {
          pageInfo { hasNextPage endCursor } edges { node { email } } } }`,
        { after },
        key,
      );
      seen.push(...page.contacts.edges.map((edge: { node: { email: string } }) => edge.node.email));
      if (!page.contacts.pageInfo.hasNextPage) break;
      after = page.contacts.pageInfo.endCursor;
    }
    expect(seen).toEqual(rows.map((row) => row.email));

    const recent = await api.data(
      `query($since: DateTime) { contacts(filter: { createdAt: { min: $since }, score: { min: 0, max: 0 } }) { totalCount } }`,
      { since: new Date(Date.now() - 60_000).toISOString() },
      key,
    );
    expect(recent.contacts.totalCount).toBe(25);
    const none = await api.data(
      `{ contacts(filter: { score: { min: 1 } }) { totalCount } }`,
      {},
      key,
    );
    expect(none.contacts.totalCount).toBe(0);
  });
});
