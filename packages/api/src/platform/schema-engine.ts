import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as engineBindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";

type SchemaEngine = engineBindings.SchemaEngine;

let loaded: Promise<void> | undefined;

/**
 * Loads Prisma's schema engine compiled to WebAssembly, so migrations run offline with no
 * native binary. Node 20 cannot import `.wasm` modules without a flag, so it is instantiated
 * by hand with the bindings module as its only import.
 */
function loadEngine(): Promise<void> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const bindingsPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasmPath = bindingsPath.replace(/\.js$/, ".wasm");
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      "./schema_engine_bg.js": engineBindings as unknown as WebAssembly.ModuleImports,
    });
    engineBindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return loaded;
}

/** Runs `work` with a schema engine connected to `databaseUrl` (or to nothing, for pure diffs). */
export async function withSchemaEngine<T>(
  options: { databaseUrl: string; datamodel?: string },
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadEngine();
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg(pool));
  const datamodels: [string, string][] | undefined = options.datamodel
    ? [["schema.prisma", options.datamodel]]
    : undefined;
  const engine = await engineBindings.SchemaEngine.new({ datamodels }, () => {}, adapter);
  try {
    return await work(engine);
  } finally {
    engine.free();
    await pool.end();
  }
}
