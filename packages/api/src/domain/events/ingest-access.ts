import { workspaceAllowsOrigin } from "../workspaces/allowed-origins.ts";
import type { KeyGrant } from "../workspaces/api-keys.ts";
import type { EventSource } from "./event-input.ts";
import type { RateLimiter } from "./rate-limit.ts";

/** Whether a batch may be ingested now, and as which source; why not, otherwise. */
export type IngestAccess =
  | { allowed: true; source: EventSource }
  | { allowed: false; reason: "origin_not_allowed" }
  | { allowed: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * The rules every ingestion path (POST /v1/batch and the `ingestEvents` mutation) applies to a
 * verified key that holds `events:write`: a public key must send from one of its workspace's
 * `allowedOrigins`, and every key keeps to its rate. A secret key is a trusted source, which
 * may backfill older history.
 *
 * @example const access = await checkIngestAccess(grant, request.headers.get("origin"), ingestRateLimiter())
 */
export async function checkIngestAccess(
  grant: KeyGrant,
  origin: string | null | undefined,
  limiter: RateLimiter,
): Promise<IngestAccess> {
  if (grant.keyKind === "PUBLIC") {
    if (!origin || !(await workspaceAllowsOrigin(grant.workspaceId, origin))) {
      return { allowed: false, reason: "origin_not_allowed" };
    }
  }
  const decision = await limiter.take({ workspaceId: grant.workspaceId, keyId: grant.keyId });
  if (!decision.allowed) {
    return {
      allowed: false,
      reason: "rate_limited",
      retryAfterSeconds: decision.retryAfterSeconds,
    };
  }
  return { allowed: true, source: grant.keyKind === "SECRET" ? "trusted" : "browser" };
}
