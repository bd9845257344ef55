import { pool } from "../../db.ts";
import { InvalidInputError } from "../shared/errors.ts";
import { loadIdentitySecret, userHashMatches } from "../workspaces/identity-verification.ts";
import {
  type EventSource,
  type IngestEvent,
  ingestLimits,
  type RejectedEvent,
  rejectionCodes,
  validateEvents,
} from "./event-input.ts";
import { recordEvents } from "./record-events.ts";
import { resolveContacts } from "./resolve-contacts.ts";

/** What became of a batch: `accepted + duplicates + rejected.length` is the batch's size. */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: RejectedEvent[];
}

/**
 * Ingests a batch of up to 100 events in the SDK's wire shape for one workspace: each event is
 * validated on its own (bad ones come back in `rejected`, with a code), the contacts named by
 * userIds are found or created with their traits merged, and the valid events are stored
 * exactly once, each with its `process_event` job. Retrying a batch is safe.
 *
 * @example await ingestEvents(workspaceId, [{ messageId: "m1", type: "track", event: "Signed Up",
 *   anonymousId: "a1", timestamp: new Date().toISOString() }])
 */
export async function ingestEvents(
  workspaceId: string,
  rawEvents: readonly unknown[],
  options: { now?: Date; source?: EventSource } = {},
): Promise<IngestResult> {
  if (rawEvents.length > ingestLimits.maxEventsPerBatch) {
    throw InvalidInputError.field(
      ["events"],
      `at most ${ingestLimits.maxEventsPerBatch} events per batch; split it`,
    );
  }
  const now = options.now ?? new Date();
  const validated = validateEvents(rawEvents, now, options.source);
  const rejected = validated.rejected;
  const events = await verifyIdentities(workspaceId, validated.events, rejected);
  const contacts = await resolveContacts(workspaceId, await firstDeliveries(workspaceId, events));
  const storable = events.filter((event) => {
    const failure = event.userId ? contacts.failed.get(event.userId) : undefined;
    if (failure === undefined) return true;
    rejected.push({
      index: event.index,
      messageId: event.messageId,
      code: rejectionCodes.invalidTraits,
      message: failure,
    });
    return false;
  });
  const recorded = await recordEvents(workspaceId, storable, contacts.byUserId, now);
  return { ...recorded, rejected: rejected.sort((a, b) => a.index - b.index) };
}

/**
 * Marks browser events whose `userHash` proves their userId as verified, and refuses those
 * whose hash does not match (a misconfigured backend should hear about it, not be ignored).
 * Events without a hash stay unverified: they may create a contact and link their history,
 * never change an existing one (`resolveContacts`).
 */
async function verifyIdentities(
  workspaceId: string,
  events: IngestEvent[],
  rejected: RejectedEvent[],
): Promise<IngestEvent[]> {
  const hashed = new Set(
    events.filter((event) => !event.verified && event.userId && event.userHash),
  );
  if (hashed.size === 0) return events;
  const secret = await loadIdentitySecret(workspaceId);
  return events.filter((event) => {
    if (!hashed.has(event)) return true;
    if (secret && userHashMatches(secret, event.userId as string, event.userHash as string)) {
      event.verified = true;
      return true;
    }
    rejected.push({
      index: event.index,
      messageId: event.messageId,
      code: rejectionCodes.invalidUserHash,
      message:
        "userHash: does not match this userId; compute HMAC-SHA256(userId) with the workspace's identitySecret",
    });
    return false;
  });
}

/**
 * The events that name a contact and reach us for the first time: a retried identify, or a
 * messageId repeated within the batch, must not merge its traits again (it would undo a newer
 * identify). Costs a lookup only for batches that name contacts.
 */
async function firstDeliveries(
  workspaceId: string,
  events: readonly IngestEvent[],
): Promise<IngestEvent[]> {
  const naming = events.filter((event) => event.userId);
  if (naming.length === 0) return [];
  const { rows } = await pool().query<{ message_id: string }>(
    "SELECT message_id FROM events WHERE workspace_id = $1 AND message_id = ANY($2::text[])",
    [workspaceId, naming.map((event) => event.messageId)],
  );
  const seen = new Set(rows.map((row) => row.message_id));
  return naming.filter((event) => !seen.has(event.messageId) && seen.add(event.messageId));
}
