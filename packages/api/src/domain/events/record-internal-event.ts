import { type Transaction, withTransaction } from "../../db.ts";
import { addJob } from "../jobs/add-job.ts";
import { internalMessageIdPrefix } from "./event-input.ts";

export interface InternalEvent {
  workspaceId: string;
  contactId: string;
  /** e.g. "Email Opened", "Segment Entered", "Unsubscribed". */
  name: string;
  properties?: Record<string, unknown>;
  occurredAt?: Date;
  /**
   * Whether the contact did something (opened, clicked, unsubscribed), which moves their
   * last-seen time. Events about the contact (a segment entered, a bounce) do not. Default false.
   */
  activity?: boolean;
  /**
   * Makes recording idempotent: an event with the same key in the same workspace is stored
   * once, e.g. `segment-entered:<segmentId>:<contactId>:<membershipVersion>`. Stored as the
   * event's messageId behind a prefix clients cannot use, so the two never collide.
   */
  idempotencyKey: string;
}

/**
 * Records an event Cartwheel itself observed (an email opened, a segment entered) and hands
 * it to the worker's `process_event` in the same transaction, exactly like tracked events.
 * Returns the new event's id, or null when the idempotency key was already used.
 *
 * @example await recordInternalEvent(tx, { workspaceId, contactId, name: "Email Opened", idempotencyKey: `open:${messageId}` })
 */
export async function recordInternalEvent(
  client: Transaction | undefined,
  event: InternalEvent,
): Promise<string | null> {
  const run = async (tx: Transaction) => {
    const rows = await tx.$queryRaw<{ id: bigint }[]>`
      INSERT INTO events (workspace_id, contact_id, name, properties, context, occurred_at, received_at, message_id)
      VALUES (${event.workspaceId}::uuid, ${event.contactId}::uuid, ${event.name},
              ${JSON.stringify(event.properties ?? {})}::jsonb,
              ${JSON.stringify({ source: "cartwheel", activity: event.activity ?? false })}::jsonb,
              ${event.occurredAt ?? new Date()}, now(), ${internalMessageIdPrefix + event.idempotencyKey})
      ON CONFLICT (workspace_id, message_id) DO NOTHING
      RETURNING id`;
    const id = rows[0]?.id;
    if (id === undefined) return null;
    await addJob(tx, "process_event", { eventId: String(id) });
    return String(id);
  };
  return withTransaction(run, { tx: client });
}
