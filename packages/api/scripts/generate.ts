/**
 * Generates the Prisma client and Pothos types, then prints `schema.graphql`.
 *
 * `prisma generate` needs no schema engine, but the CLI insists on locating one and would
 * download it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips that.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const prismaCli = require.resolve("prisma/build/index.js");
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
};

execFileSync(process.execPath, [prismaCli, "generate"], { stdio: "inherit", env });
execFileSync(process.execPath, ["--import", "tsx", "scripts/print-schema.ts"], {
  stdio: "inherit",
  env,
});
