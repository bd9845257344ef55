import { pool } from "../../db.ts";

/**
 * Whether a browser page on `origin` (e.g. `https://shop.example`) may send events with the
 * workspace's public key: it must be one of the workspace's `allowedOrigins`.
 */
export async function workspaceAllowsOrigin(workspaceId: string, origin: string): Promise<boolean> {
  const { rows } = await pool().query<{ allowed: boolean }>(
    "SELECT $2 = ANY(allowed_origins) AS allowed FROM workspaces WHERE id = $1",
    [workspaceId, origin],
  );
  return rows[0]?.allowed === true;
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
