import { beforeEach, describe, expect, it } from "vitest";
import { createTestWorkspace, makeTestApi, testAdminKey } from "./support/index.ts";

const api = makeTestApi();
let shopA: Awaited<ReturnType<typeof createTestWorkspace>>;
let shopB: Awaited<ReturnType<typeof createTestWorkspace>>;
let contactOfB: string;
let tagOfB: string;

const upsert = `mutation($input: ContactInput!) {
  upsertContact(input: $input) { ... on MutationUpsertContactSuccess { result { contact { id tags { id } } } } }
}`;

beforeEach(async () => {
  shopA = await createTestWorkspace(api);
  shopB = await createTestWorkspace(api);
  const { upsertContact } = await api.data(
    upsert,
    { input: { email: "secret@b.example", tags: ["b-only"] } },
    shopB.secretKey,
  );
  contactOfB = upsertContact.result.contact.id;
  tagOfB = upsertContact.result.contact.tags[0].id;
});

describe("a key of workspace A cannot read, change or detect workspace B's data", () => {
  it("cannot read B's contact by id, by node(id), or in lists and filters", async () => {
    const read = await api.data(
      `query($id: ID!) {
        contact(id: $id) { id }
        node(id: $id) { id }
        nodes(ids: [$id]) { id }
        contacts(filter: { email: "secret@b.example" }) { totalCount edges { node { id } } }
        all: contacts { totalCount }
        tags { totalCount }
      }`,
      { id: contactOfB },
      shopA.secretKey,
    );
    expect(read).toEqual({
      contact: null,
      node: null,
      nodes: [null],
      contacts: { totalCount: 0, edges: [] },
      all: { totalCount: 0 },
      tags: { totalCount: 0 },
    });
  });

  it("cannot read B's tag or workspace through node(id)", async () => {
    const read = await api.data(
      `query($tag: ID!, $ws: ID!) { tag: node(id: $tag) { id } ws: node(id: $ws) { id } }`,
      { tag: tagOfB, ws: shopB.workspaceId },
      shopA.secretKey,
    );
    expect(read).toEqual({ tag: null, ws: null });
  });

  it("gets the same answer for B's contact as for a contact that never existed", async () => {
    const neverExisted = "Q29udGFjdDowMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA=";
    const mutate = (id: string) =>
      api.data(
        `mutation($id: ID!) {
          updateContact(input: { id: $id, fields: { firstName: "Mallory" } }) { __typename ... on Error { message } }
          deleteContact(input: { id: $id }) { __typename ... on Error { message } }
          tagContacts(input: { contactIds: [$id], tags: ["x"] }) { __typename }
        }`,
        { id },
        shopA.secretKey,
      );
    await api.data(
      `mutation { createTag(input: { name: "x" }) { __typename } }`,
      {},
      shopA.secretKey,
    );
    const forB = await mutate(contactOfB);
    const forNothing = await mutate(neverExisted);
    expect(forB.updateContact.__typename).toBe("NotFoundError");
    expect(forB.deleteContact.__typename).toBe("NotFoundError");
    expect(forB.tagContacts.__typename).toBe("InvalidInputError");
    const anonymise = (value: unknown) =>
      JSON.stringify(value).replace(
        /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
        "<id>",
      );
    expect(anonymise(forB)).toBe(anonymise(forNothing));
    const still = await api.data(
      `query($id: ID!) { contact(id: $id) { firstName email } }`,
      { id: contactOfB },
      shopB.secretKey,
    );
    expect(still.contact).toEqual({ firstName: null, email: "secret@b.example" });
  });

  it("upserting B's email from A creates A's own contact and leaves B's alone", async () => {
    const { upsertContact } = await api.data(
      `mutation { upsertContact(input: { email: "secret@b.example", firstName: "A's" }) {
        ... on MutationUpsertContactSuccess { result { created contact { id } } } } }`,
      {},
      shopA.secretKey,
    );
    expect(upsertContact.result.created).toBe(true);
    expect(upsertContact.result.contact.id).not.toBe(contactOfB);
  });

  it("cannot rename, delete or see B's tags", async () => {
    const result = await api.data(
      `mutation($id: ID!) {
        renameTag(input: { id: $id, name: "pwned" }) { __typename }
        deleteTag(input: { id: $id }) { __typename }
      }`,
      { id: tagOfB },
      shopA.secretKey,
    );
    expect(result).toEqual({
      renameTag: { __typename: "NotFoundError" },
      deleteTag: { __typename: "NotFoundError" },
    });
  });

  it("the workspace query answers only the caller's own workspace", async () => {
    const { workspace } = await api.data("{ workspace { id } }", {}, shopA.secretKey);
    expect(workspace.id).toBe(shopA.workspaceId);
  });
});

describe("keys", () => {
  const contacts = "{ contacts { totalCount } }";

  it("a revoked key stops working at once", async () => {
    const extra = await shopA.makeKey("SECRET");
    expect((await api.data(contacts, {}, extra.key)).contacts.totalCount).toBe(0);
    const { revokeApiKey } = await api.data(
      `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { __typename ... on MutationRevokeApiKeySuccess { apiKey { revokedAt } } } }`,
      { id: extra.id },
      shopA.secretKey,
    );
    expect(revokeApiKey.apiKey.revokedAt).toBeTruthy();
    const after = await api.request(contacts, {}, extra.key);
    expect(after.data ?? null).toBeNull();
    expect(after.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("a key of A cannot revoke B's key", async () => {
    const { revokeApiKey } = await api.data(
      `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { __typename } }`,
      { id: (await shopB.makeKey("SECRET")).id },
      shopA.secretKey,
    );
    expect(revokeApiKey.__typename).toBe("NotFoundError");
  });

  it("a public key can do nothing but ingest", async () => {
    const read = await api.request(contacts, {}, shopA.publicKey);
    expect(read.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const write = await api.data(
      `mutation { upsertContact(input: { email: "x@example.com" }) { __typename } createTag(input: { name: "t" }) { __typename } }`,
      {},
      shopA.publicKey,
    );
    expect(write).toEqual({
      upsertContact: { __typename: "ForbiddenError" },
      createTag: { __typename: "ForbiddenError" },
    });
    const workspace = await api.request("{ workspace { id apiKeys { id } } }", {}, shopA.publicKey);
    expect(workspace.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("a scoped secret key can do what its scopes allow and nothing else", async () => {
    const reader = await shopA.makeKey("SECRET", ["CONTACTS_READ"]);
    expect((await api.data(contacts, {}, reader.key)).contacts.totalCount).toBe(0);
    const { upsertContact } = await api.data(
      `mutation { upsertContact(input: { email: "x@example.com" }) { __typename ... on Error { message } } }`,
      {},
      reader.key,
    );
    expect(upsertContact.__typename).toBe("ForbiddenError");
  });

  it("refuses unknown and malformed keys, and workspace keys on admin operations", async () => {
    for (const key of ["cw_sk_not-a-real-key", "garbage", ""]) {
      const result = await api.request(contacts, {}, key);
      expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
    const { createWorkspace } = await api.data(
      `mutation { createWorkspace(input: { name: "Mine" }) { __typename } }`,
      {},
      shopA.secretKey,
    );
    expect(createWorkspace.__typename).toBe("ForbiddenError");
  });

  it("stores only a hash of the key and shows the plaintext once", async () => {
    const { workspace } = await api.data(
      "{ workspace { apiKeys { prefix kind scopes } } }",
      {},
      shopA.secretKey,
    );
    expect(workspace.apiKeys).toHaveLength(2);
    for (const key of workspace.apiKeys) expect(key.prefix).toHaveLength(12);
    expect(JSON.stringify(workspace)).not.toContain(shopA.secretKey);
  });

  it("the admin key cannot read contacts: it manages workspaces and keys only", async () => {
    const result = await api.request(contacts, {}, testAdminKey);
    expect(result.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
