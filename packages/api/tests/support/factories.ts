import type { TestApi } from "./graphql.ts";
import { testAdminKey } from "./graphql.ts";

let workspaceCounter = 0;

/**
 * A fresh workspace for one test, with a full-access secret key and a public key, created
 * through the API as a user would.
 */
export async function createTestWorkspace(
  api: TestApi,
  options: { allowedOrigins?: string[] } = {},
) {
  workspaceCounter += 1;
  const { createWorkspace } = await api.data(
    `mutation($input: CreateWorkspaceInput!) {
      createWorkspace(input: $input) {
        __typename
        ... on MutationCreateWorkspaceSuccess { workspace { id name } }
      }
    }`,
    { input: { name: `Shop ${workspaceCounter}`, allowedOrigins: options.allowedOrigins ?? [] } },
    testAdminKey,
  );
  const workspaceId: string = createWorkspace.workspace.id;
  const makeKey = async (kind: "SECRET" | "PUBLIC", scopes: string[] = []) => {
    const { createApiKey } = await api.data(
      `mutation($input: CreateApiKeyInput!) {
        createApiKey(input: $input) {
          __typename
          ... on MutationCreateApiKeySuccess { created { plaintext apiKey { id } } }
          ... on Error { message }
        }
      }`,
      { input: { workspaceId, name: `${kind} key`, kind, scopes } },
      testAdminKey,
    );
    if (!createApiKey.created)
      throw new Error(`createApiKey failed: ${JSON.stringify(createApiKey)}`);
    return {
      key: createApiKey.created.plaintext as string,
      id: createApiKey.created.apiKey.id as string,
    };
  };
  const secret = await makeKey("SECRET");
  const publicKey = await makeKey("PUBLIC");
  return { workspaceId, secretKey: secret.key, publicKey: publicKey.key, makeKey };
}
