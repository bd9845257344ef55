import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Each test file gets its own database cloned from a migrated template, as in packages/api.
    globalSetup: ["@cartwheel/api/testing/global-setup"],
    setupFiles: ["@cartwheel/api/testing/database-per-file"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
