export { databaseUrlFor, serverUrl } from "./database-urls.ts";
export {
  cartData,
  createEmailWorkspace,
  createMailContact,
  createSimpleTemplate,
} from "./email-factories.ts";
export { createTestWorkspace } from "./factories.ts";
export { type GraphQLResponse, makeTestApi, type TestApi, testAdminKey } from "./graphql.ts";
export {
  type LocalSes,
  recordingSender,
  type SesFault,
  startFaultySes,
  startLocalSes,
} from "./local-ses.ts";
