import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { ingestLimits } from "../domain/events/event-input.ts";
import { checkIngestAccess } from "../domain/events/ingest-access.ts";
import { ingestEvents } from "../domain/events/ingest-events.ts";
import { ingestRateLimiter, type RateLimiter } from "../domain/events/rate-limit.ts";
import { someWorkspaceAllowsOrigin } from "../domain/workspaces/allowed-origins.ts";
import { grantAllows, verifyApiKey } from "../domain/workspaces/api-keys.ts";
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
 * 401 (unknown or revoked key), 403 (origin or scope), 413 (over 500 KB), 429 (`Retry-After`).
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
        fail(
          c,
          413,
          "body_too_large",
          `the body is larger than ${ingestLimits.maxBodyBytes} bytes`,
        ),
    }),
    async (c) => {
      const origin = c.req.header("origin");
      let json: unknown;
      try {
        json = JSON.parse(await c.req.text());
      } catch {
        return fail(c, 400, "invalid_json", "the body is not JSON");
      }
      const body = batchBody.safeParse(json);
      if (!body.success) {
        const issue = body.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
        return fail(c, 400, "invalid_body", `${where}${issue?.message ?? "malformed body"}`);
      }
      const key = bearerKey(c.req.header("authorization")) ?? body.data.writeKey;
      if (!key) return fail(c, 401, "missing_key", "send the write key as writeKey");
      const grant = await verifyApiKey(key);
      if (!grant) return fail(c, 401, "invalid_key", "unknown or revoked key");
      if (!grantAllows(grant, "events:write")) {
        return fail(c, 403, "missing_scope", "this key lacks the events:write scope");
      }
      const access = await checkIngestAccess(grant, origin, limiter());
      if (!access.allowed && access.reason === "origin_not_allowed") {
        return c.json(
          error("origin_not_allowed", `origin ${origin ?? "(none)"} is not allowed for this key`),
          403,
          { Vary: "Origin" },
        );
      }
      const cors = grant.keyKind === "PUBLIC" && origin ? corsHeaders(origin) : {};
      if (!access.allowed) {
        return c.json(error("rate_limited", "too many requests for this key"), 429, {
          ...cors,
          "Retry-After": String(access.retryAfterSeconds),
        });
      }
      try {
        return c.json(
          await ingestEvents(grant.workspaceId, body.data.batch, { source: access.source }),
          200,
          cors,
        );
      } catch (cause) {
        console.error("ingest: a batch failed", cause);
        return c.json(error("internal_error", "the batch was not stored; retry it"), 500, cors);
      }
    },
  );
  return routes;
}

function bearerKey(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? "")?.[1];
}

const error = (code: string, message: string) => ({ error: { code, message } });

/**
 * An error answered before the key's workspace is known. Any page may read it (it tells
 * nothing about a workspace), so a misconfigured SDK sees the status and stops retrying.
 */
function fail(c: Context, status: ContentfulStatusCode, code: string, message: string) {
  const origin = c.req.header("origin");
  return c.json(
    error(code, message),
    status,
    origin ? { "Access-Control-Allow-Origin": origin, Vary: "Origin" } : {},
  );
}
