/**
 * Runs a command with DATABASE_URL pointing at a real Postgres: the one DATABASE_URL already
 * names, or a throwaway embedded cluster started for this run (a new user has no server).
 *
 *   tsx scripts/with-database.ts turbo run test
 */
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { freePort, startEmbeddedPostgres } from "@cartwheel/api/platform";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: tsx scripts/with-database.ts <command> [args…]");
  process.exit(2);
}

let stopPostgres = async () => {};
if (!process.env.DATABASE_URL) {
  const dataDir = path.resolve(".data", `test-postgres-${process.pid}`);
  await rm(dataDir, { recursive: true, force: true });
  const postgres = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    throwaway: true,
    onNotice: (line) => console.log(`with-database: ${line}`),
  });
  process.env.DATABASE_URL = postgres.url("postgres");
  console.log(`with-database: embedded Postgres for this run at ${process.env.DATABASE_URL}`);
  stopPostgres = async () => {
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}

const child = spawn(command, args, {
  stdio: "inherit",
  env: process.env,
  shell: process.platform === "win32",
});
const forward = (signal: NodeJS.Signals) => child.kill(signal);
process.on("SIGINT", forward);
process.on("SIGTERM", forward);
const code: number = await new Promise((resolve) => {
  child.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
});
await stopPostgres();
process.exit(code);
