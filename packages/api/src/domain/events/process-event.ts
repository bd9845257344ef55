import { pool } from "../../db.ts";
import { applyEventToScoresAndSegments } from "../segments/apply-event.ts";

/** The event `processEvent` handled. */
export interface ProcessedEvent {
  eventId: string;
  workspaceId: string;
  contactId: string | null;
  name: string;
  occurredAt: Date;
}

/**
 * What happens once a stored event reaches the worker: the contact's last-seen time moves
 * forward (never back, as late events arrive out of order) when the event was the contact's
 * own activity, not one Cartwheel recorded about them (a segment entered, a bounce); then
 * scores and segments follow, and scenarios will hook in here. Safe to repeat. Returns null
 * when the event no longer exists (its contact was erased before the job ran), so such a job
 * ends instead of retrying.
 *
 * @example await processEvent("42") // → { eventId: "42", contactId: "…", name: "Page Viewed", … }
 */
export async function processEvent(eventId: string): Promise<ProcessedEvent | null> {
  if (!/^\d{1,19}$/.test(eventId)) throw new Error(`"${eventId}" is not an event id`);
  const { rows } = await pool().query<ProcessedEvent>(
    `WITH event AS (
       SELECT id, workspace_id, contact_id, name, occurred_at,
              context->>'source' IS DISTINCT FROM 'cartwheel' OR context->>'activity' = 'true' AS activity
         FROM events WHERE id = $1
     ), seen AS (
       UPDATE contacts c SET last_seen_at = e.occurred_at
         FROM event e
        WHERE c.id = e.contact_id AND e.activity
          AND (c.last_seen_at IS NULL OR c.last_seen_at < e.occurred_at)
     )
     SELECT id::text AS "eventId", workspace_id AS "workspaceId", contact_id AS "contactId",
            name, occurred_at AS "occurredAt"
       FROM event`,
    [eventId],
  );
  const event = rows[0];
  if (event?.contactId) {
    await applyEventToScoresAndSegments({
      ...event,
      id: event.eventId,
      contactId: event.contactId,
    });
  }
  return event ?? null;
}
