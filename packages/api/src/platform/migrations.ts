import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { withSchemaEngine } from "./schema-engine.ts";

const emptyFilter = { externalTables: [], externalEnums: [] };

/** The api package's `prisma/` folder: the schema and its migrations. */
export const prismaDir = fileURLToPath(new URL("../../prisma/", import.meta.url));
export const migrationsDir = path.join(prismaDir, "migrations");
export const schemaPath = path.join(prismaDir, "schema.prisma");
/** Each migration folder keeps the schema it migrates to, so the next one is a pure diff. */
export const snapshotFileName = "schema.prisma";

export async function listMigrationNames(): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * The SQL that takes a database from schema `from` (or an empty one) to schema `to`. No
 * database is read; the engine only needs a connection string to start.
 */
export async function diffSchemas(
  from: string | null,
  to: string,
  databaseUrl = "postgresql://postgres@127.0.0.1:5432/postgres",
): Promise<string> {
  const datamodel = (content: string) => ({
    tag: "schemaDatamodel" as const,
    files: [{ path: "schema.prisma", content }],
  });
  return withSchemaEngine({ databaseUrl }, async (engine) => {
    const result = await engine.diff({
      from: from === null ? { tag: "empty" } : datamodel(from),
      to: datamodel(to),
      script: true,
      exitCode: null,
      filters: emptyFilter,
    });
    return result.stdout ?? "";
  });
}
