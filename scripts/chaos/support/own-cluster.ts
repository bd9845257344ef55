import { rm } from "node:fs/promises";
import path from "node:path";
import {
  clusterDirectory,
  ensureDatabase,
  freePort,
  prepareDatabase,
  type RunningPostgres,
  startEmbeddedPostgres,
} from "@cartwheel/api/platform";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

/**
 * A suite's own embedded Postgres cluster on a free port, with a migrated `cartwheel` database:
 * stopping it, or loading it for minutes, disturbs nobody else's server. `stop` and `start`
 * keep the data directory (a restart); `remove` stops it and deletes the directory.
 *
 * @example const cluster = await startOwnCluster("chaos-postgres"); … await cluster.remove()
 */
export async function startOwnCluster(label: string) {
  const dataDir = path.join(repoRoot, ".data", `${label}-${process.pid}`);
  const port = await freePort();
  const start = () => startEmbeddedPostgres({ dataDir, port });
  let running: RunningPostgres | null = await start();
  await ensureDatabase(running.url("postgres"), "cartwheel");
  const databaseUrl = running.url("cartwheel");
  await prepareDatabase(databaseUrl);
  return {
    databaseUrl,
    async start() {
      running ??= await start();
    },
    async stop() {
      await running?.stop();
      running = null;
    },
    async remove() {
      await running?.stop();
      running = null;
      await rm(await clusterDirectory(dataDir), { recursive: true, force: true });
    },
  };
}
