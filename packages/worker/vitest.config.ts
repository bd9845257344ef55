import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    globalSetup: ["@cartwheel/api/testing/global-setup"],
    setupFiles: ["@cartwheel/api/testing/database-per-file"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
