import { db } from "../../db.ts";
import { applyScoringRules, type ScoredEvent } from "../scores/apply-rules.ts";
import { lockContact } from "../scores/score-changes.ts";
import { refreshSegmentsForContacts } from "./incremental.ts";
import type { MembershipChange } from "./memberships.ts";

/**
 * What a stored event does to its contact's lead score and segments: applies the matching
 * scoring rules (once per rule and event, however often the job is retried), then re-checks,
 * for this contact only, the segments that can depend on the event. Serialised per contact
 * by its row lock. Events without a contact change nothing. Takes the event's id, or the
 * event itself when the caller has just read it (as `processEvent` has), to save reading it
 * again on the ingest path.
 *
 * @example await applyEventToScoresAndSegments(eventId)
 */
export async function applyEventToScoresAndSegments(
  eventOrId: string | ScoredEvent,
  options: { now?: Date } = {},
): Promise<MembershipChange[]> {
  const event = typeof eventOrId === "string" ? await loadScoredEvent(eventOrId) : eventOrId;
  if (!event) return [];
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

/** The stored event with its contact, or undefined when it is gone or has no contact. */
async function loadScoredEvent(eventId: string): Promise<ScoredEvent | undefined> {
  if (!/^\d{1,19}$/.test(eventId)) return undefined;
  const [row] = await db().$queryRaw<
    { workspace_id: string; contact_id: string | null; name: string; occurred_at: Date }[]
  >`SELECT workspace_id::text, contact_id::text, name, occurred_at FROM events WHERE id = ${eventId}::bigint`;
  if (!row?.contact_id) return undefined;
  return {
    id: eventId,
    workspaceId: row.workspace_id,
    contactId: row.contact_id,
    name: row.name,
    occurredAt: row.occurred_at,
  };
}
