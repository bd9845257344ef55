import { pool } from "../../db.ts";

/**
 * What happens once a stored event reaches the worker: for now, the contact's last-seen time
 * moves forward (never back, as late events can arrive out of order). Safe to repeat.
 */
export async function processEvent(eventId: string): Promise<void> {
  await pool().query(
    `UPDATE contacts c SET last_seen_at = e.occurred_at
       FROM events e
      WHERE e.id = $1 AND c.id = e.contact_id
        AND (c.last_seen_at IS NULL OR c.last_seen_at < e.occurred_at)`,
    [eventId],
  );
}
