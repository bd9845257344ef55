import { databaseTestConfig } from "./tests/support/vitest-preset.ts";

export default databaseTestConfig();
