import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { EventSource } from "../domain/events/event-input.ts";
import { checkIngestAccess } from "../domain/events/ingest-access.ts";
import type { RateLimiter } from "../domain/events/rate-limit.ts";
import { grantAllows, type KeyGrant, verifyApiKey } from "../domain/workspaces/api-keys.ts";
import { corsHeaders } from "./cors.ts";

/** The JSON body of every refusal of these routes. */
export const errorBody = (code: string, message: string) => ({ error: { code, message } });

/**
 * An error answered before the key's workspace is known. Any page may read it (it tells
 * nothing about a workspace), so a misconfigured SDK sees the status and stops retrying.
 */
export function failOpenly(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
) {
  const origin = c.req.header("origin");
  return c.json(
    errorBody(code, message),
    status,
    origin ? { "Access-Control-Allow-Origin": origin, Vary: "Origin" } : {},
  );
}

/**
 * The checks every route the SDK posts to applies: a key (`Authorization: Bearer` or the
 * body's `writeKey`) that is known, holds `events:write`, comes from an allowed origin when it
 * is public, and keeps to its rate. Either the grant with its source and CORS headers, or the
 * response that refuses the request (401, 403, 429 with `Retry-After`).
 */
export async function authorizeBrowserKey(
  c: Context,
  writeKey: string | undefined,
  limiter: RateLimiter,
): Promise<
  { grant: KeyGrant; source: EventSource; cors: Record<string, string> } | { refused: Response }
> {
  const origin = c.req.header("origin");
  const key =
    /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization")?.trim() ?? "")?.[1] ?? writeKey;
  if (!key) return { refused: failOpenly(c, 401, "missing_key", "send the write key as writeKey") };
  const grant = await verifyApiKey(key);
  if (!grant) return { refused: failOpenly(c, 401, "invalid_key", "unknown or revoked key") };
  if (!grantAllows(grant, "events:write")) {
    return {
      refused: failOpenly(c, 403, "missing_scope", "this key lacks the events:write scope"),
    };
  }
  const access = await checkIngestAccess(grant, origin, limiter);
  if (!access.allowed && access.reason === "origin_not_allowed") {
    return {
      refused: c.json(
        errorBody("origin_not_allowed", `origin ${origin ?? "(none)"} is not allowed for this key`),
        403,
        { Vary: "Origin" },
      ),
    };
  }
  const cors: Record<string, string> =
    grant.keyKind === "PUBLIC" && origin ? corsHeaders(origin) : {};
  if (!access.allowed) {
    return {
      refused: c.json(errorBody("rate_limited", "too many requests for this key"), 429, {
        ...cors,
        "Retry-After": String(access.retryAfterSeconds),
      }),
    };
  }
  return { grant, source: access.source, cors };
}
