import type { Transaction } from "../../db.ts";
import type { ScoreChangeKind } from "../../generated/prisma/client.ts";

export interface ScoreChangeInput {
  workspaceId: string;
  contactId: string;
  kind: ScoreChangeKind;
  delta: number;
  reason: string;
  occurredAt: Date;
  ruleId?: string;
  eventId?: string;
  /** A second change with the same key in the workspace is a no-op. */
  dedupeKey?: string;
}

/**
 * Adds `delta` to a contact's score and writes the history row, in one statement. Returns the
 * new score, or null when `dedupeKey` was already used (the change was applied before).
 * Callers hold the contact's row lock, so `score_after` is exact.
 *
 * @example await writeScoreChange(tx, { workspaceId, contactId, kind: "MANUAL", delta: 5, reason: "Met at the fair", occurredAt: new Date() })
 */
export async function writeScoreChange(
  tx: Transaction,
  change: ScoreChangeInput,
): Promise<number | null> {
  const rows = await tx.$queryRaw<{ score: number }[]>`
    WITH change AS (
      INSERT INTO score_changes
        (workspace_id, contact_id, kind, rule_id, event_id, delta, score_after, reason, dedupe_key, occurred_at)
      SELECT c.workspace_id, c.id, ${change.kind}::score_change_kind, ${change.ruleId ?? null}::uuid,
             ${change.eventId ?? null}::bigint, ${change.delta}::int, c.score + ${change.delta}::int,
             ${change.reason}, ${change.dedupeKey ?? null}, ${change.occurredAt}::timestamptz
        FROM contacts c
       WHERE c.id = ${change.contactId}::uuid AND c.workspace_id = ${change.workspaceId}::uuid
      ON CONFLICT (workspace_id, dedupe_key) DO NOTHING
      RETURNING contact_id, delta)
    UPDATE contacts c SET score = c.score + change.delta
      FROM change WHERE c.id = change.contact_id
    RETURNING c.score`;
  return rows[0]?.score ?? null;
}
