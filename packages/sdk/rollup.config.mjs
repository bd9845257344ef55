import { readFileSync } from "node:fs";
import terser from "@rollup/plugin-terser";
import typescript from "@rollup/plugin-typescript";

const typescriptPlugin = () =>
  typescript({
    tsconfig: "./tsconfig.json",
    noEmit: false,
    allowImportingTsExtensions: false,
    types: [],
    include: ["src/**/*.ts"],
    exclude: ["src/**/*.test.ts"],
  });

/**
 * Method names of the SDK's internal objects (store, identity, queue, delivery, emitter, exit
 * intent, resolved options), listed in scripts/internal-properties.json and shortened in the
 * script-tag build. Only names that are neither the public API, nor an option, nor a field of
 * the wire or storage format, nor a browser API's, may be listed: `get`, `set`, `add`, `clear`
 * (Map/Set), `reset`, `flush`, `on` (public), `events`, `heartbeat` (stored queues),
 * `anonymousId`, `userId` (wire) stay as they are. tests/internal-properties.test.ts checks the
 * public methods and options against the list; the browser tests check the wire.
 */
const INTERNAL_PROPERTIES = JSON.parse(
  readFileSync(new URL("./scripts/internal-properties.json", import.meta.url), "utf8"),
);

// pure_getters: the SDK reads no getter for its side effects, so unused reads (the named
// exports destructured in index.ts) can go.
const minify = () =>
  terser({
    ecma: 2020,
    compress: { passes: 2, unsafe_arrows: true, pure_getters: true },
    mangle: { properties: { regex: new RegExp(`^(${INTERNAL_PROPERTIES.join("|")})$`) } },
    format: { comments: false },
  });

export default [
  {
    input: "src/index.ts",
    output: { file: "dist/cartwheel.mjs", format: "es" },
    plugins: [typescriptPlugin()],
  },
  {
    input: "src/global.ts",
    output: { file: "dist/cartwheel.iife.js", format: "iife" },
    plugins: [typescriptPlugin(), minify()],
  },
];
