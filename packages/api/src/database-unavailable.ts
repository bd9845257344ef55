/** Error codes that mean the server cannot be reached or cut the connection, not a bad query. */
const unavailableCodes = new Set([
  // Sockets (node, pg)
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
  // Postgres: admin_shutdown, crash_shutdown, cannot_connect_now, connection exceptions
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  // Prisma: can't reach, timed out, server closed the connection, no pool connection in time
  "P1001",
  "P1002",
  "P1017",
  "P2024",
]);
const unavailableKinds = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout"]);
const unavailableMessage =
  /Connection terminated|not queryable|Can't reach database server|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command/i;

/**
 * Whether `error` says Postgres is away (stopped, restarting, unreachable) rather than that a
 * statement was wrong, however it reached us: `pg` itself, Prisma, or Prisma's pg adapter
 * (which keeps the driver's error under `meta.driverAdapterError.cause`). Such work can be
 * retried once the database is back.
 *
 * @example isDatabaseUnavailable(await db().contact.count().catch((e) => e)) // true while Postgres restarts
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const fields = error as {
    code?: unknown;
    originalCode?: unknown;
    kind?: unknown;
    message?: unknown;
    cause?: unknown;
    meta?: { driverAdapterError?: unknown };
  };
  if (typeof fields.code === "string" && unavailableCodes.has(fields.code)) return true;
  if (typeof fields.originalCode === "string" && unavailableCodes.has(fields.originalCode)) {
    return true;
  }
  if (typeof fields.kind === "string" && unavailableKinds.has(fields.kind)) return true;
  if (typeof fields.message === "string" && unavailableMessage.test(fields.message)) return true;
  return [fields.cause, fields.meta?.driverAdapterError].some(
    (inner) => inner !== error && isDatabaseUnavailable(inner, depth + 1),
  );
}
