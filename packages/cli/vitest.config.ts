// Vitest bundles its config and leaves packages to Node, which cannot load TypeScript, so the
// shared preset is imported by path.
import { databaseTestConfig } from "../api/tests/support/vitest-preset.ts";

export default databaseTestConfig();
