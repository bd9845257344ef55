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

// pure_getters: the SDK reads no getter for its side effects, so unused reads (the named
// exports destructured in index.ts) can go.
const minify = () =>
  terser({
    ecma: 2020,
    compress: { passes: 2, unsafe_arrows: true, pure_getters: true },
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
