import { pool } from "../../db.ts";
import { makeTtlCache } from "../shared/ttl-cache.ts";
import { apiKeyTrustMs } from "./api-keys.ts";

/** Answers whether a page's origin may send a workspace's events (see `makeOriginCheck`). */
export interface OriginCheck {
  allows(workspaceId: string, origin: string): Promise<boolean>;
  /** Forgets a workspace's origins at once (they changed here). */
  forget(workspaceId: string): void;
}

/**
 * Makes an origin check that reads a workspace's `allowedOrigins` once per `trustMs` (default
 * `apiKeyTrustMs`, the same bound as keys): an origin removed by another API process stops
 * being accepted here within that bound; in the process that changed it, at once.
 *
 * @example await makeOriginCheck({ now: () => clock.now }).allows(workspaceId, "https://shop.example")
 */
export function makeOriginCheck(
  options: { trustMs?: number; now?: () => number } = {},
): OriginCheck {
  const known = makeTtlCache<string, ReadonlySet<string>>({
    ttlMs: options.trustMs ?? apiKeyTrustMs,
    ...(options.now && { now: options.now }),
  });
  return {
    async allows(workspaceId, origin) {
      let origins = known.get(workspaceId);
      if (!origins) {
        const { rows } = await pool().query<{ allowed_origins: string[] }>(
          "SELECT allowed_origins FROM workspaces WHERE id = $1",
          [workspaceId],
        );
        origins = new Set(rows[0]?.allowed_origins ?? []);
        known.set(workspaceId, origins);
      }
      return origins.has(origin);
    },
    forget(workspaceId) {
      known.deleteWhere((_, key) => key === workspaceId);
    },
  };
}

const processOriginCheck = makeOriginCheck();

/**
 * Whether a browser page on `origin` (e.g. `https://shop.example`) may send events with the
 * workspace's public key: it must be one of the workspace's `allowedOrigins`, as read within
 * the last `apiKeyTrustMs`.
 */
export function workspaceAllowsOrigin(workspaceId: string, origin: string): Promise<boolean> {
  return processOriginCheck.allows(workspaceId, origin);
}

/** Makes this process read a workspace's origins again on its next batch. */
export function forgetAllowedOrigins(workspaceId: string): void {
  processOriginCheck.forget(workspaceId);
}

/**
 * Whether any workspace lists `origin`. A CORS preflight carries no key, so it can only be
 * answered this way; the request that follows is checked against its key's workspace.
 */
export async function someWorkspaceAllowsOrigin(origin: string): Promise<boolean> {
  const { rows } = await pool().query(
    "SELECT 1 FROM workspaces WHERE $1 = ANY(allowed_origins) LIMIT 1",
    [origin],
  );
  return rows.length > 0;
}
