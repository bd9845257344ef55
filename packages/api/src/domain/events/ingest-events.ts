import { InvalidInputError } from "../shared/errors.ts";
import {
  type EventSource,
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
  const { events, rejected } = validateEvents(rawEvents, now, options.source);
  const contacts = await resolveContacts(workspaceId, events);
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
