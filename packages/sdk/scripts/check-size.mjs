import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = 4096;
const bundle = new URL("../dist/cartwheel.iife.js", import.meta.url);
const gzipped = gzipSync(readFileSync(bundle), { level: 9 }).length;

console.log(`cartwheel.iife.js: ${gzipped} bytes gzipped (budget ${BUDGET_BYTES})`);
if (gzipped > BUDGET_BYTES) {
  console.error(`over budget by ${gzipped - BUDGET_BYTES} bytes`);
  process.exit(1);
}
