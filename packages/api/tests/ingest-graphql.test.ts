import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { schema } from "../src/graphql/schema.ts";
import { createTestShop, shopOrigin, wireEvent } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let shop: Awaited<ReturnType<typeof createTestShop>>;

beforeEach(async () => {
  shop = await createTestShop(api);
});

/** A GraphQL call with an Origin header, as a browser would make it. */
async function graphql(
  query: string,
  variables: Record<string, unknown>,
  key: string,
  origin: string | null = shopOrigin,
) {
  const response = await api.app.request("http://cartwheel.test/graphql", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${key}`,
      ...(origin && { origin }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

const ingest = `mutation($input: IngestEventsInput!) {
  ingestEvents(input: $input) {
    __typename
    ... on MutationIngestEventsSuccess { result { accepted duplicates rejected { index messageId code message } } }
    ... on Error { message }
  }
}`;

const asInput = ({ type, ...event }: Record<string, any>) => ({
  ...event,
  type: type.toUpperCase(),
});

describe("ingestEvents", () => {
  it("rejects an event with a NUL byte on its own, as /v1/batch does, and stores the rest", async () => {
    const bad = wireEvent({ event: "Viewed", properties: { note: "a\u0000b" } });
    const events = [bad, wireEvent({ event: "Fine" })].map(asInput);
    const { data } = await graphql(ingest, { input: { events } }, shop.publicKey);
    expect(data.ingestEvents.result).toMatchObject({
      accepted: 1,
      rejected: [
        {
          index: 0,
          code: "invalid_event",
          message: expect.stringMatching(/^properties\.note: .*NUL/),
        },
      ],
    });
  });

  it("stores events for a public key from an allowed origin, once, with per-event rejections", async () => {
    const good = wireEvent({ event: "Added to Cart" });
    const tooLong = wireEvent({ event: "x".repeat(300) });
    const events = [good, tooLong, wireEvent({ type: "page", event: undefined })].map(asInput);
    const first = await graphql(ingest, { input: { events } }, shop.publicKey);
    expect(first.data.ingestEvents.result).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [
        {
          index: 1,
          messageId: tooLong.messageId,
          code: "name_too_long",
          message: expect.any(String),
        },
      ],
    });
    const retry = await graphql(ingest, { input: { events } }, shop.publicKey);
    expect(retry.data.ingestEvents.result).toMatchObject({ accepted: 0, duplicates: 2 });
    const names = await db().event.findMany({
      where: { workspaceId: shop.id },
      orderBy: { id: "asc" },
      select: { name: true },
    });
    expect(names).toEqual([{ name: "Added to Cart" }, { name: "Page Viewed" }]);
  });

  it("refuses a public key from another origin, but a secret key needs none", async () => {
    const events = [asInput(wireEvent())];
    const evil = await graphql(
      ingest,
      { input: { events } },
      shop.publicKey,
      "https://evil.example",
    );
    expect(evil.data.ingestEvents.__typename).toBe("ForbiddenError");
    const noOrigin = await graphql(ingest, { input: { events } }, shop.publicKey, null);
    expect(noOrigin.data.ingestEvents.__typename).toBe("ForbiddenError");

    const server = await shop.makeKey("SECRET", ["EVENTS_WRITE"]);
    const ok = await graphql(ingest, { input: { events } }, server.key, null);
    expect(ok.data.ingestEvents.result.accepted).toBe(1);
    const reader = await shop.makeKey("SECRET", ["CONTACTS_READ"]);
    const denied = await graphql(ingest, { input: { events } }, reader.key, null);
    expect(denied.data.ingestEvents.__typename).toBe("ForbiddenError");
  });

  it("refuses more than 100 events as invalid input", async () => {
    const events = Array.from({ length: 101 }, () => asInput(wireEvent()));
    const result = await graphql(ingest, { input: { events } }, shop.secretKey);
    expect(result.data.ingestEvents.__typename).toBe("InvalidInputError");
    expect(await db().event.count({ where: { workspaceId: shop.id } })).toBe(0);
  });
});

describe("a public key in GraphQL", () => {
  it("can read nothing: contacts, tags, its workspace, or nodes by id", async () => {
    const { upsertContact } = await api.data(
      `mutation { upsertContact(input: { email: "ada@example.com" }) {
        ... on MutationUpsertContactSuccess { result { contact { id } } } } }`,
      {},
      shop.secretKey,
    );
    const contactId = upsertContact.result.contact.id;
    const { workspace } = await api.data("{ workspace { id apiKeys { id } } }", {}, shop.secretKey);
    const reads: [string, Record<string, unknown>][] = [
      ["{ contacts { totalCount edges { node { email } } } }", {}],
      ["{ tags { totalCount } }", {}],
      ["{ workspace { name allowedOrigins } }", {}],
      ["query($id: ID!) { contact(id: $id) { email } }", { id: contactId }],
      ["query($id: ID!) { node(id: $id) { ... on Contact { email } } }", { id: contactId }],
      ["query($id: ID!) { node(id: $id) { ... on Workspace { name } } }", { id: workspace.id }],
      [
        "query($id: ID!) { node(id: $id) { ... on ApiKey { name prefix } } }",
        { id: workspace.apiKeys[0].id },
      ],
    ];
    for (const [query, variables] of reads) {
      const result = await graphql(query, variables, shop.publicKey);
      const leaked = JSON.stringify(result.data ?? {});
      expect(leaked, query).not.toMatch(/ada@example|Shop|shop\.example|SECRET|cw_/);
      expect(result.errors?.[0]?.extensions?.code, query).toBe("FORBIDDEN");
    }
  });

  it("can call no mutation but ingestEvents", async () => {
    const calls = [
      `upsertContact(input: { email: "x@example.com" })`,
      `importContacts(input: { contacts: [{ email: "x@example.com" }] })`,
      `createTag(input: { name: "vip" })`,
      `updateWorkspace(input: { allowedOrigins: ["https://evil.example"] })`,
      `createApiKey(input: { name: "mine", kind: SECRET })`,
    ];
    for (const call of calls) {
      const result = await graphql(`mutation { ${call} { __typename } }`, {}, shop.publicKey);
      expect(JSON.stringify(result), call).toMatch(/ForbiddenError|FORBIDDEN/);
    }
    expect(await db().contact.count({ where: { workspaceId: shop.id } })).toBe(0);
    expect(await db().apiKey.count({ where: { workspaceId: shop.id } })).toBe(2);
    const workspace = await db().workspace.findUniqueOrThrow({ where: { id: shop.id } });
    expect(workspace.allowedOrigins).toEqual([shopOrigin]);
  });

  it("passes no mutation's scope check except ingestEvents (so new mutations stay closed too)", () => {
    const publicKeyPasses = (scopes: unknown): boolean => {
      if (scopes === undefined) return true;
      if (typeof scopes !== "object" || scopes === null) return true;
      return Object.entries(scopes).some(
        ([scope, value]) => scope === "scope" && value === "events:write",
      );
    };
    const open = Object.values(schema.getMutationType()!.getFields())
      .filter((field) => {
        const options = field.extensions?.pothosOptions as { authScopes?: unknown } | undefined;
        return publicKeyPasses(options?.authScopes);
      })
      .map((field) => field.name);
    expect(open).toEqual(["ingestEvents"]);
  });
});
