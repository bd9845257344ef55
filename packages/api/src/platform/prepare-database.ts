import { runMigrations } from "graphile-worker";
import { applyMigrations } from "./apply-migrations.ts";

/**
 * Brings a database up to date: Cartwheel's Prisma migrations, then graphile-worker's own
 * schema (which the API needs too: it enqueues jobs with `graphile_worker.add_job` inside
 * its transactions). Returns the Prisma migrations it applied.
 */
export async function prepareDatabase(databaseUrl: string): Promise<string[]> {
  const applied = await applyMigrations(databaseUrl);
  await runMigrations({ connectionString: databaseUrl, logger: undefined });
  return applied;
}
