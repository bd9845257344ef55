export { databaseUrlFor, serverUrl } from "./database-urls.ts";
export { createTestWorkspace } from "./factories.ts";
export { type GraphQLResponse, makeTestApi, type TestApi, testAdminKey } from "./graphql.ts";
