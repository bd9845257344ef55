import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const packageRoot = fileURLToPath(new URL("../..", import.meta.url));
const bundle = `${packageRoot}dist/cartwheel.iife.js`;

function newestSource(): number {
  return Math.max(
    ...readdirSync(`${packageRoot}src`).map(
      (name) => statSync(`${packageRoot}src/${name}`).mtimeMs,
    ),
  );
}

/** Vitest global setup: rebuilds the bundle when it is missing or older than the sources. */
export default function buildBundle(): void {
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource()) return;
  execFileSync("npx", ["rollup", "-c", "--silent"], { cwd: packageRoot, stdio: "inherit" });
}
