import { pool } from "../../db.ts";
import { type ApiScope, hashApiKey, type KeyGrant } from "../workspaces/api-keys.ts";

export interface IngestKey {
  grant: KeyGrant;
  /** Whether the request's origin is one of the key's workspace's `allowedOrigins`. */
  originAllowed: boolean;
}

const lastUsedResolutionMs = 60_000;

/**
 * The hot-path twin of `verifyApiKey` for event ingestion: the same rules (unknown or revoked
 * keys are null; `lastUsedAt` is kept to the minute), answered with one SQL query that also
 * says whether the workspace allows `origin`. Measured in `bench/ingest.ts`.
 *
 * @example const key = await findIngestKey(writeKey, request.headers.get("origin"))
 */
export async function findIngestKey(
  plaintext: string,
  origin: string | null | undefined,
): Promise<IngestKey | null> {
  if (!plaintext.startsWith("cw_")) return null;
  const { rows } = await pool().query<{
    id: string;
    workspace_id: string;
    kind: "SECRET" | "PUBLIC";
    scopes: string[];
    last_used_at: Date | null;
    origin_allowed: boolean;
  }>(
    `SELECT k.id, k.workspace_id, k.kind, k.scopes, k.last_used_at,
            coalesce($2 = ANY(w.allowed_origins), false) AS origin_allowed
       FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id
      WHERE k.hash = $1 AND k.revoked_at IS NULL`,
    [hashApiKey(plaintext), origin ?? null],
  );
  const key = rows[0];
  if (!key) return null;
  const now = Date.now();
  if (!key.last_used_at || now - key.last_used_at.getTime() > lastUsedResolutionMs) {
    await pool().query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1", [
      key.id,
      new Date(now),
    ]);
  }
  return {
    grant: {
      keyId: key.id,
      workspaceId: key.workspace_id,
      keyKind: key.kind,
      scopes: key.scopes.length === 0 ? "all" : new Set(key.scopes as ApiScope[]),
    },
    originAllowed: key.origin_allowed,
  };
}
