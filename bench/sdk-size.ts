/**
 * The SDK's gzipped size beside the browser bundles of other analytics SDKs, each taken from
 * its npm package in this run (`npm pack`), gzipped as shipped and after the same terser pass
 * as ours, so unminified bundles are not penalised.
 *
 *   npx tsx bench/sdk-size.ts
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { minify } from "terser";
import { describeMachine } from "./support/machine.ts";

const repoRoot = path.resolve(import.meta.dirname, "..");
const ourBundle = path.join(repoRoot, "packages/sdk/dist/cartwheel.iife.js");
const budgetBytes = 4096;

/** Each package's browser bundle: the file its CDN snippet or script tag loads. */
const others = [
  { name: "@segment/analytics-next", file: "dist/umd/standalone.js" },
  { name: "@rudderstack/analytics-js", file: "dist/npm/modern/umd/index.js" },
  { name: "posthog-js", file: "dist/array.js" },
  { name: "@snowplow/browser-tracker", file: "dist/index.umd.min.js" },
];

const gzipped = (code: string) => gzipSync(code, { level: 9 }).length;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function measure(code: string) {
  const minified = (await minify(code, { compress: true, mangle: true })).code ?? code;
  return { shipped: gzipped(code), minified: gzipped(minified) };
}

if (!existsSync(ourBundle)) {
  execFileSync("npm", ["run", "build", "-w", "@cartwheel/sdk"], {
    cwd: repoRoot,
    stdio: "inherit",
  });
}

const workDir = mkdtempSync(path.join(os.tmpdir(), "sdk-size-"));
try {
  const rows: { name: string; version: string; shipped: number; minified: number }[] = [];
  const sdkVersion = JSON.parse(
    readFileSync(path.join(repoRoot, "packages/sdk/package.json"), "utf8"),
  ).version;
  rows.push({
    name: "@cartwheel/sdk",
    version: sdkVersion,
    ...(await measure(readFileSync(ourBundle, "utf8"))),
  });
  for (const other of others) {
    const tarball =
      execFileSync("npm", ["pack", other.name, "--silent", "--pack-destination", workDir], {
        cwd: workDir,
        encoding: "utf8",
      })
        .trim()
        .split("\n")
        .at(-1) ?? "";
    const version = /-(\d+\.\d+\.\d+[^/]*)\.tgz$/.exec(tarball)?.[1] ?? "?";
    const code = execFileSync(
      "tar",
      ["xzf", path.join(workDir, tarball), "-O", `package/${other.file}`],
      {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    rows.push({ name: other.name, version, ...(await measure(code)) });
  }
  const ours = rows[0]!;
  console.log("browser SDK size, gzip -9");
  console.log(`machine: ${describeMachine()}`);
  console.log(
    `${"package".padEnd(30)}${"version".padEnd(12)}${"as shipped".padStart(12)}${"minified".padStart(12)}  ratio to ours`,
  );
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(30)}${row.version.padEnd(12)}${kb(row.shipped).padStart(12)}${kb(row.minified).padStart(12)}  ${(row.minified / ours.minified).toFixed(1)}×`,
    );
  }
  console.log(`@cartwheel/sdk IIFE: ${ours.shipped} bytes gzipped (budget ${budgetBytes})`);
  if (ours.shipped > budgetBytes) process.exitCode = 1;
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
