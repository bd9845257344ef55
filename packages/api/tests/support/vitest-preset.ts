import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

export interface DatabaseTestOptions {
  include?: string[];
  /** Per-test timeout in ms. Default 30,000. */
  testTimeout?: number;
}

/**
 * The vitest config of every package whose tests use the real database: a migrated template
 * database per run and a clone of it per test file (see `global-setup.ts` and
 * `database-per-file.ts`).
 *
 * @example export default databaseTestConfig({ include: ["tests/**\/*.test.ts"] })
 */
export function databaseTestConfig(options: DatabaseTestOptions = {}) {
  // Node loads graphql's CommonJS build for the libraries; make the code under test load the
  // same copy, or `instanceof GraphQLError` fails across the two.
  const graphql = createRequire(import.meta.url).resolve("graphql");
  return defineConfig({
    resolve: { alias: { graphql } },
    test: {
      include: options.include ?? ["src/**/*.test.ts", "tests/**/*.test.ts"],
      globalSetup: [new URL("./global-setup.ts", import.meta.url).pathname],
      setupFiles: [new URL("./database-per-file.ts", import.meta.url).pathname],
      testTimeout: options.testTimeout ?? 30_000,
      hookTimeout: 60_000,
    },
  });
}
