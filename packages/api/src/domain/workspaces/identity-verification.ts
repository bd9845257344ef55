import { createHmac, timingSafeEqual } from "node:crypto";
import { pool } from "../../db.ts";

/**
 * The `userHash` a shop's backend computes for a shopper it has signed in: HMAC-SHA256 of the
 * exact userId (email or customer id) with the workspace's identity secret, as lowercase hex.
 *
 * @example userHashOf(workspace.identitySecret, "ada@example.com") // "9f86d0…"
 */
export function userHashOf(identitySecret: string, userId: string): string {
  return createHmac("sha256", identitySecret).update(userId).digest("hex");
}

/** Whether `userHash` proves `userId`, compared in constant time. */
export function userHashMatches(identitySecret: string, userId: string, userHash: string) {
  const expected = Buffer.from(userHashOf(identitySecret, userId), "hex");
  const given = Buffer.from(userHash.toLowerCase(), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The workspace's identity secret (every workspace has one from its creation). */
export async function loadIdentitySecret(workspaceId: string): Promise<string | null> {
  const { rows } = await pool().query<{ identity_secret: string }>(
    "SELECT identity_secret FROM workspaces WHERE id = $1",
    [workspaceId],
  );
  return rows[0]?.identity_secret ?? null;
}
