import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { isDatabaseUnavailable } from "../database-unavailable.ts";
import { ingestLimits } from "../domain/events/event-input.ts";
import { ingestEvents } from "../domain/events/ingest-events.ts";
import { ingestRateLimiter, type RateLimiter } from "../domain/events/rate-limit.ts";
import { someWorkspaceAllowsOrigin } from "../domain/workspaces/allowed-origins.ts";
import { authorizeBrowserKey, errorBody, failOpenly } from "./browser-key-access.ts";
import { corsHeaders } from "./cors.ts";

export interface IngestRoutesOptions {
  /** Default: the process's shared limiter (`ingestRateLimiter()`). */
  rateLimiter?: RateLimiter;
}

const batchBody = z.object({
  writeKey: z.string().optional(),
  sentAt: z.string().optional(),
  batch: z
    .array(z.unknown())
    .max(
      ingestLimits.maxEventsPerBatch,
      `at most ${ingestLimits.maxEventsPerBatch} events per request`,
    ),
});

/**
 * `POST /v1/batch`, where the browser SDK (and shops' servers) send events, and its CORS
 * preflight. The body is JSON whatever its content type (`sendBeacon` sends `text/plain`):
 * `{ writeKey, sentAt, batch: [event…] }`. A public key must come from one of its workspace's
 * `allowedOrigins`; a secret key with `events:write` (header `Authorization: Bearer` or body)
 * may send from anywhere. Answers `200 { accepted, duplicates, rejected }`, or 400 (malformed),
 * 401 (unknown or revoked key), 403 (origin or scope), 413 (over 500 KB), 429 (`Retry-After`),
 * 503 (`Retry-After`) while the database is away: the SDK keeps the batch and sends it again.
 *
 * @example app.route("/", makeIngestRoutes())
 */
export function makeIngestRoutes(options: IngestRoutesOptions = {}): Hono {
  const limiter = () => options.rateLimiter ?? ingestRateLimiter();
  const routes = new Hono();

  routes.options("/v1/batch", async (c) => {
    const origin = c.req.header("origin");
    if (origin && (await someWorkspaceAllowsOrigin(origin))) {
      return c.body(null, 204, corsHeaders(origin));
    }
    return c.body(null, 403, { Vary: "Origin" });
  });

  routes.post(
    "/v1/batch",
    bodyLimit({
      maxSize: ingestLimits.maxBodyBytes,
      onError: (c) =>
        failOpenly(
          c,
          413,
          "body_too_large",
          `the body is larger than ${ingestLimits.maxBodyBytes} bytes`,
        ),
    }),
    async (c) => {
      let json: unknown;
      try {
        json = JSON.parse(await c.req.text());
      } catch {
        return failOpenly(c, 400, "invalid_json", "the body is not JSON");
      }
      const body = batchBody.safeParse(json);
      if (!body.success) {
        const issue = body.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
        return failOpenly(c, 400, "invalid_body", `${where}${issue?.message ?? "malformed body"}`);
      }
      const authorized = await authorizeBrowserKey(c, body.data.writeKey, limiter());
      if ("refused" in authorized) return authorized.refused;
      const { grant, source, cors } = authorized;
      try {
        return c.json(
          await ingestEvents(grant.workspaceId, body.data.batch, { source }),
          200,
          cors,
        );
      } catch (cause) {
        if (isDatabaseUnavailable(cause)) throw cause;
        console.error("ingest: a batch failed", cause);
        return c.json(errorBody("internal_error", "the batch was not stored; retry it"), 500, cors);
      }
    },
  );
  return routes;
}
