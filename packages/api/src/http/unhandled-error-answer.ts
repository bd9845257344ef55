import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { isDatabaseUnavailable } from "../database-unavailable.ts";
import { errorBody } from "./browser-key-access.ts";

/** How long a client should wait before retrying while the database is away. */
const retryAfterSeconds = 5;

/**
 * The plain HTTP routes' answer to an error they did not handle. Postgres being away (stopped,
 * restarting) is a 503 with `Retry-After` and a JSON error any page may read, so the SDK and
 * shops' servers keep their data and retry; a middleware's `HTTPException` (such as
 * `bodyLimit`'s 413) keeps its own answer; anything else is logged and is a bare 500.
 */
export function answerUnhandledError(error: Error, c: Context): Response {
  if (error instanceof HTTPException) return error.getResponse();
  if (!isDatabaseUnavailable(error)) {
    console.error(`${c.req.method} ${c.req.path}:`, error);
    return c.json(errorBody("internal_error", "internal error"), 500);
  }
  const origin = c.req.header("origin");
  return c.json(
    errorBody("database_unavailable", "the database is not reachable right now; retry shortly"),
    503,
    {
      "Retry-After": String(retryAfterSeconds),
      ...(origin && {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": "Retry-After",
        Vary: "Origin",
      }),
    },
  );
}
