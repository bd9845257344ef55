/**
 * `npm run chaos`: every fault-injection suite in this folder in turn, each in its own process
 * against DATABASE_URL's server (or the embedded Postgres `npm run chaos` starts), each printing
 * its counts against their goals and failing when one is missed. Name some to run only those:
 * `npm run chaos -- worker-kill`.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";

const chaosDir = import.meta.dirname;
const all = readdirSync(chaosDir)
  .filter((file) => file.endsWith(".ts") && file !== "run.ts")
  .map((file) => file.replace(/\.ts$/, ""))
  .sort();
const chosen = process.argv.slice(2);
const names = chosen.length > 0 ? all.filter((name) => chosen.includes(name)) : all;

let failed = 0;
for (const name of names) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(chaosDir, `${name}.ts`)],
    {
      stdio: "inherit",
      env: process.env,
    },
  );
  if (result.status !== 0) {
    failed += 1;
    console.log(`${name} failed (exit ${result.status})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
