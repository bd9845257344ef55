/**
 * `npm run eval:recommendations`: the synthetic shop (`recommendations.ts`, where the strategies
 * must recover what was planted), then real baskets (`supermarket.ts`), each in its own process
 * against DATABASE_URL's server. Fails when either misses its goal.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

let failed = 0;
for (const name of ["recommendations", "supermarket"]) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(import.meta.dirname, `${name}.ts`)],
    { stdio: "inherit", env: process.env },
  );
  if (result.status !== 0) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);
