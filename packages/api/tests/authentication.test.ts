import { describe, expect, it } from "vitest";
import { createTestWorkspace, makeTestApi, testAdminKey } from "./support/index.ts";

const api = makeTestApi();

async function post(query: string, authorization?: string) {
  const response = await api.app.request("http://cartwheel.test/graphql", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(authorization !== undefined && { authorization }),
    },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  return { status: response.status, body };
}

const contactsQuery = "{ contacts(first: 1) { totalCount } }";

describe("authentication errors", () => {
  it("answers a request without a key with HTTP 401 and UNAUTHENTICATED, saying how to send one", async () => {
    const { status, body } = await post(contactsQuery);
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(body.errors?.[0]?.message).toMatch(/Authorization: Bearer/);
  });

  it("still lets a client without a key read the schema (GraphiQL's docs)", async () => {
    const { status, body } = await post("{ __schema { queryType { name } } }");
    expect(status).toBe(200);
    expect(body).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
  });

  it.each([
    ["a malformed header", "Token abc", /not `Bearer <key>`/],
    ["an unknown key", "Bearer cw_sk_notakeyatall", /unknown or has been revoked/],
  ])("refuses %s with HTTP 401 and UNAUTHENTICATED", async (_case, header, message) => {
    const { status, body } = await post(contactsQuery, header);
    expect(status).toBe(401);
    expect(body.data ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(body.errors?.[0]?.message).toMatch(message);
  });

  it("refuses a revoked key as unauthenticated, and a live key without the scope as forbidden", async () => {
    const shop = await createTestWorkspace(api);
    const narrow = await shop.makeKey("SECRET", ["EVENTS_WRITE"]);
    const forbidden = await post(contactsQuery, `Bearer ${narrow.key}`);
    expect(forbidden.status).toBe(200);
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const doomed = await shop.makeKey("SECRET", ["CONTACTS_READ"]);
    const before = await post(contactsQuery, `Bearer ${doomed.key}`);
    expect(before.body.errors).toBeUndefined();
    await api.data(
      `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { __typename } }`,
      { id: doomed.id },
      testAdminKey,
    );
    const revoked = await post(contactsQuery, `Bearer ${doomed.key}`);
    expect(revoked.status).toBe(401);
    expect(revoked.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("refuses a public key outside ingestion as forbidden, not unauthenticated", async () => {
    const shop = await createTestWorkspace(api);
    const { status, body } = await post(contactsQuery, `Bearer ${shop.publicKey}`);
    expect(status).toBe(200);
    expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("says a query over the cost limit is a cost limit, not a syntax error", async () => {
    const shop = await createTestWorkspace(api);
    const fields = Array.from(
      { length: 60 },
      (_, i) => `c${i}: contacts(first: 100) { edges { node { id email tags { name } } } }`,
    ).join("\n");
    const { body } = await post(`{ ${fields} }`, `Bearer ${shop.secretKey}`);
    const message = body.errors?.[0]?.message ?? "";
    expect(message).toMatch(/cost/i);
    expect(message).not.toMatch(/syntax/i);
    expect(body.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
  });
});
