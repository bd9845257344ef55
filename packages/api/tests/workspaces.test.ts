import { describe, expect, it } from "vitest";
import { createTestWorkspace, makeTestApi, testAdminKey } from "./support/index.ts";

const api = makeTestApi();

const createWorkspace = `mutation($input: CreateWorkspaceInput!) {
  createWorkspace(input: $input) {
    __typename
    ... on MutationCreateWorkspaceSuccess { workspace { id name allowedOrigins } }
    ... on InvalidInputError { problems { path message } }
  }
}`;

const createApiKey = `mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    __typename
    ... on MutationCreateApiKeySuccess { created { plaintext apiKey { kind scopes prefix workspace { id } } } }
    ... on InvalidInputError { problems { path message } }
    ... on NotFoundError { message }
  }
}`;

describe("workspaces", () => {
  it("creates a workspace with normalised storefront origins", async () => {
    const result = await api.data(
      createWorkspace,
      {
        input: {
          name: "  Shop  ",
          allowedOrigins: ["https://shop.example", "http://localhost:3000/"],
        },
      },
      testAdminKey,
    );
    expect(result.createWorkspace.workspace).toMatchObject({
      name: "Shop",
      allowedOrigins: ["https://shop.example", "http://localhost:3000"],
    });
  });

  it("answers a committed createWorkspace with its id even when a field of it is forbidden to the admin key", async () => {
    const result = await api.request(
      `mutation { createWorkspace(input: { name: "Keeps its id" }) {
        ... on MutationCreateWorkspaceSuccess { workspace { id name emailSettings { shopName } } } } }`,
      {},
      testAdminKey,
    );
    const workspace = (result.data as any)?.createWorkspace?.workspace;
    expect(workspace).toMatchObject({
      id: expect.any(String),
      name: "Keeps its id",
      emailSettings: null,
    });
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(["FORBIDDEN"]);
  });

  it.each([
    [{ name: "" }, ["name"]],
    [{ name: "Shop", allowedOrigins: ["https://shop.example/path"] }, ["allowedOrigins", "0"]],
    [{ name: "Shop", allowedOrigins: ["ftp://shop.example"] }, ["allowedOrigins", "0"]],
  ])("refuses %j, naming the field", async (input, path) => {
    const result = await api.data(createWorkspace, { input }, testAdminKey);
    expect(result.createWorkspace.__typename).toBe("InvalidInputError");
    expect(result.createWorkspace.problems[0].path).toEqual(path);
  });

  it("lets a workspace key with keys:write update its own workspace only", async () => {
    const shop = await createTestWorkspace(api);
    const { updateWorkspace } = await api.data(
      `mutation { updateWorkspace(input: { allowedOrigins: ["https://new.example"] }) {
        ... on MutationUpdateWorkspaceSuccess { workspace { id allowedOrigins } } } }`,
      {},
      shop.secretKey,
    );
    expect(updateWorkspace.workspace).toEqual({
      id: shop.workspaceId,
      allowedOrigins: ["https://new.example"],
    });
    const reader = await shop.makeKey("SECRET", ["CONTACTS_READ"]);
    const denied = await api.data(
      `mutation { updateWorkspace(input: { name: "x" }) { __typename } }`,
      {},
      reader.key,
    );
    expect(denied.updateWorkspace.__typename).toBe("ForbiddenError");
  });
});

describe("api keys", () => {
  it("creates scoped secret keys and public keys, showing the plaintext once", async () => {
    const shop = await createTestWorkspace(api);
    const { createApiKey: scoped } = await api.data(
      createApiKey,
      {
        input: {
          workspaceId: shop.workspaceId,
          name: "reader",
          kind: "SECRET",
          scopes: ["CONTACTS_READ", "CONTACTS_READ"],
        },
      },
      testAdminKey,
    );
    expect(scoped.created.plaintext).toMatch(/^cw_sk_/);
    expect(scoped.created.apiKey).toMatchObject({
      kind: "SECRET",
      scopes: ["CONTACTS_READ"],
      workspace: { id: shop.workspaceId },
    });
    expect(scoped.created.plaintext.startsWith(scoped.created.apiKey.prefix)).toBe(true);

    const { createApiKey: fromWorkspaceKey } = await api.data(
      createApiKey,
      { input: { name: "browser", kind: "PUBLIC" } },
      shop.secretKey,
    );
    expect(fromWorkspaceKey.created.plaintext).toMatch(/^cw_pk_/);
    expect(fromWorkspaceKey.created.apiKey.workspace.id).toBe(shop.workspaceId);
  });

  it("refuses scopes on a public key, an unknown workspace and a missing workspace id", async () => {
    const shop = await createTestWorkspace(api);
    const publicWithScopes = await api.data(
      createApiKey,
      {
        input: {
          workspaceId: shop.workspaceId,
          name: "p",
          kind: "PUBLIC",
          scopes: ["CONTACTS_READ"],
        },
      },
      testAdminKey,
    );
    expect(publicWithScopes.createApiKey.problems).toEqual([
      { path: ["scopes"], message: "public keys cannot hold scopes" },
    ]);
    const unknown = await api.data(
      createApiKey,
      {
        input: {
          workspaceId: "V29ya3NwYWNlOjAxOWFjYjFlLTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMA==",
          name: "k",
          kind: "SECRET",
        },
      },
      testAdminKey,
    );
    expect(unknown.createApiKey.__typename).toBe("NotFoundError");
    const missing = await api.data(
      createApiKey,
      { input: { name: "k", kind: "SECRET" } },
      testAdminKey,
    );
    expect(missing.createApiKey.problems[0].path).toEqual(["workspaceId"]);
  });

  it("a key cannot create keys for another workspace", async () => {
    const mine = await createTestWorkspace(api);
    const theirs = await createTestWorkspace(api);
    const { createApiKey: created } = await api.data(
      createApiKey,
      { input: { workspaceId: theirs.workspaceId, name: "sneaky", kind: "SECRET" } },
      mine.secretKey,
    );
    expect(created.created.apiKey.workspace.id).toBe(mine.workspaceId);
  });
});
