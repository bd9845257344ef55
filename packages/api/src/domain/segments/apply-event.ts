import { db } from "../../db.ts";
import { applyScoringRules, type ScoredEvent } from "../scores/apply-rules.ts";
import { lockContact } from "../scores/score-changes.ts";
import { refreshSegmentsForContacts } from "./incremental.ts";
import type { MembershipChange } from "./memberships.ts";

/**
 * What a stored event does to its contact's lead score and segments: applies the matching
 * scoring rules (once per rule and event, however often the job is retried), then re-checks,
 * for this contact only, the segments that can depend on the event. Serialised per contact
 * by its row lock. Events without a contact change nothing.
 *
 * @example await applyEventToScoresAndSegments(eventId)
 */
export async function applyEventToScoresAndSegments(
  eventId: string,
  options: { now?: Date } = {},
): Promise<MembershipChange[]> {
  if (!/^\d{1,19}$/.test(eventId)) return [];
  const rows = await db().$queryRaw<
    { workspace_id: string; contact_id: string | null; name: string; occurred_at: Date }[]
  >`SELECT workspace_id::text, contact_id::text, name, occurred_at FROM events WHERE id = ${eventId}::bigint`;
  const row = rows[0];
  if (!row?.contact_id) return [];
  const event: ScoredEvent = {
    id: eventId,
    workspaceId: row.workspace_id,
    contactId: row.contact_id,
    name: row.name,
    occurredAt: row.occurred_at,
  };
  const now = options.now ?? new Date();
  return db().$transaction(
    async (tx) => {
      if (!(await lockContact(tx, event.workspaceId, event.contactId))) return [];
      const scoreChanged = await applyScoringRules(tx, event);
      return refreshSegmentsForContacts(
        tx,
        event.workspaceId,
        [event.contactId],
        { kind: "event", eventName: event.name, scoreChanged },
        now,
      );
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
}
