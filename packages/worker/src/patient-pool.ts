import { isDatabaseUnavailable } from "@cartwheel/api/domain";
import { type Runner, type RunnerOptions, run } from "graphile-worker";
import pg from "pg";
import { retryStatementsCutByRestart } from "./retry-cut-statements.ts";

export interface PatientPoolOptions {
  connectionString: string;
  max: number;
  /** Longest one `connect()` waits for the database to come back. Default 10 minutes. */
  waitMs?: number;
  /** Told once per outage, when a connection first fails and when one works again. */
  onOutage?: (state: "waiting" | "back", error?: unknown) => void;
}

const coded = Symbol("cartwheel.codedCutConnections");

/**
 * `pg` rejects a query whose connection dropped with "Connection terminated unexpectedly" and
 * no code; graphile-worker retries by code, so such an error gets `08006` (connection failure).
 */
function codeCutConnections(client: pg.PoolClient): pg.PoolClient {
  const marked = client as pg.PoolClient & { [coded]?: true };
  if (marked[coded]) return client;
  marked[coded] = true;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const result = query(...args);
    if (!(result instanceof Promise)) return result;
    return result.catch((error: unknown) => {
      const fields = error as { code?: unknown } | null;
      if (fields && typeof fields === "object" && !fields.code && isDatabaseUnavailable(error)) {
        fields.code = "08006";
      }
      throw error;
    });
  }) as typeof client.query;
  return client;
}

/**
 * A `pg` pool for graphile-worker whose `connect()` waits while Postgres is away (stopped,
 * restarting, refusing connections) instead of failing. graphile-worker records a job's success
 * or failure without awaiting it (0.18: an unhandled rejection, so the process dies) and
 * retries only a few error codes; through this pool those writes, and its job fetching, wait
 * for the database and then go through. After `waitMs` the error is thrown as before.
 *
 * @example await run({ pgPool: makePatientPool({ connectionString, max: 12 }), … })
 */
export function makePatientPool(options: PatientPoolOptions): pg.Pool {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max });
  // A connection cut by Postgres (a restart, an administrator) is dropped from the pool and the
  // next connect opens a new one; without listeners the error would end the process.
  const closed = (error: Error) =>
    console.error(`cartwheel worker: a database connection was closed (${error.message})`);
  pool.on("error", closed);
  pool.on("connect", (client) => client.on("error", closed));
  const connectOnce = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const waitMs = options.waitMs ?? 600_000;
  let waiting = false;
  const patientConnect = async (): Promise<pg.PoolClient> => {
    const deadline = Date.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const client = codeCutConnections(await connectOnce());
        if (waiting) {
          waiting = false;
          options.onOutage?.("back");
        }
        return client;
      } catch (error) {
        if (!isDatabaseUnavailable(error) || Date.now() >= deadline) throw error;
        if (!waiting) {
          waiting = true;
          options.onOutage?.("waiting", error);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 1.5 ** attempt, 5_000)));
      }
    }
  };
  // Callers that pass a callback (pool.query) keep pg's own behaviour.
  pool.connect = ((callback?: unknown) =>
    callback === undefined
      ? patientConnect()
      : (connectOnce as unknown as (cb: unknown) => void).call(
          pool,
          callback,
        )) as typeof pool.connect;
  return pool;
}

/**
 * Runs graphile-worker on a pool that waits out a database restart (`makePatientPool`), ending
 * the pool once the runner has stopped.
 */
export async function runOnPatientPool(
  databaseUrl: string,
  max: number,
  runnerOptions: (pgPool: pg.Pool) => RunnerOptions,
): Promise<Runner> {
  const pgPool = makePatientPool({
    connectionString: databaseUrl,
    max,
    onOutage: (state, error) =>
      console.error(
        state === "waiting"
          ? `cartwheel worker: database unreachable (${error instanceof Error ? error.message : String(error)}); waiting for it`
          : "cartwheel worker: database reachable again",
      ),
  });
  try {
    await retryStatementsCutByRestart();
    const runner = await run(runnerOptions(pgPool));
    void runner.promise.finally(() => pgPool.end()).catch(() => {});
    return runner;
  } catch (error) {
    await pgPool.end();
    throw error;
  }
}
