import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** Postgres and socket codes of a statement lost because the server went away mid-query. */
const cutConnectionCodes = ["57P01", "57P02", "08000", "08003", "08006", "ECONNRESET", "EPIPE"];

/**
 * graphile-worker 0.18 records a job's success or failure without awaiting it and retries the
 * statement only for the error codes in its `RETRYABLE_ERROR_CODES` (serialization failures,
 * "cannot connect now", unreachable host). A Postgres restart cuts the statements in flight with
 * `57P01` (admin shutdown): that rejection went unhandled and killed the process, leaving the
 * job locked. Such a statement was never executed (its backend exited first), so retrying it on
 * a new connection is what graphile-worker does for its own codes: this adds the codes of a cut
 * connection, with delays up to 5 s. The table is internal (not in the package's exports), so it
 * is reached through the package's own file; a version without it fails the worker at boot.
 */
export async function retryStatementsCutByRestart(): Promise<void> {
  const entry = createRequire(import.meta.url).resolve("graphile-worker");
  const lib = (await import(pathToFileURL(path.join(path.dirname(entry), "lib.js")).href)) as {
    RETRYABLE_ERROR_CODES?: Record<string, { minDelay: number; maxDelay: number }>;
  };
  if (!lib.RETRYABLE_ERROR_CODES) {
    throw new Error("graphile-worker has no RETRYABLE_ERROR_CODES table: check its upgrade");
  }
  for (const code of cutConnectionCodes) {
    lib.RETRYABLE_ERROR_CODES[code] ??= { minDelay: 500, maxDelay: 5_000 };
  }
}
