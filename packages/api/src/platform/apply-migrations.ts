import { createHash, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { listMigrationNames, migrationsDir } from "./migrations.ts";

/** Prisma's own migrations table, so `prisma migrate deploy` and this runner agree. */
const createMigrationsTable = `
  CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`;

/** The advisory lock key `prisma migrate` takes, so two deployers never migrate at once. */
const migrationLockKey = 72707369;

/**
 * Applies pending migrations to `databaseUrl` and records them in `_prisma_migrations`, as
 * `prisma migrate deploy` does. Each migration runs as one script in its own transaction: a
 * failure leaves nothing half-applied. (Prisma's WebAssembly engine splits scripts at every
 * semicolon, which breaks PL/pgSQL function bodies, so the scripts are sent whole instead.)
 * Returns the names it applied.
 */
export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [migrationLockKey]);
    await client.query(createMigrationsTable);
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
    }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const recorded = new Map(rows.map((row) => [row.migration_name, row]));
    const applied: string[] = [];
    for (const name of await listMigrationNames()) {
      const script = await readFile(path.join(migrationsDir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(script).digest("hex");
      const previous = recorded.get(name);
      if (previous?.finished_at) continue;
      if (previous) {
        throw new Error(
          `Migration ${name} failed earlier and was not rolled back; resolve it before migrating.`,
        );
      }
      await client.query("BEGIN");
      try {
        await client.query(script);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
           VALUES ($1, $2, now(), $3, 1, now())`,
          [randomUUID(), checksum, name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${name} failed: ${(error as Error).message}`);
      }
      applied.push(name);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [migrationLockKey]).catch(() => {});
    await client.end();
  }
}
