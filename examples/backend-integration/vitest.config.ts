import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// Node loads graphql's CommonJS build for the libraries; make the API under test load the same
// copy, or `instanceof GraphQLError` fails across the two.
const graphql = createRequire(import.meta.url).resolve("graphql");

export default defineConfig({
  resolve: { alias: { graphql } },
  test: {
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    globalSetup: ["@cartwheel/api/testing/global-setup"],
    setupFiles: ["@cartwheel/api/testing/database-per-file"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
