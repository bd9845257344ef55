import { parseJobPayload, reactToEvent } from "@cartwheel/api/domain";
import type { Task } from "graphile-worker";

/**
 * Runs what each event of an ingested batch causes (`reactToEvent`), one after the other in
 * the batch's order, so one browser's events are handled as they happened. A graphile-worker
 * batch job: it answers with one promise per entry, and only the entries whose reaction
 * failed are retried (each event's reaction is one transaction, so a failed one left nothing
 * behind and a done one is not repeated). After a worker crash the whole job runs again, as a
 * single event's job would; a reaction applied twice changes nothing (rules and triggers apply
 * once per event, last-seen only moves forward). An event erased before its turn is skipped.
 */
export const process_events: Task = (raw, helpers) => {
  const entries = parseJobPayload("process_events", raw);
  let previous: Promise<unknown> = Promise.resolve();
  return entries.map(({ eventId }) => {
    const reaction = previous.then(async () => {
      if (!(await reactToEvent(eventId))) {
        helpers.logger.info(`process_events: event ${eventId} no longer exists`);
      }
    });
    previous = reaction.catch(() => undefined);
    return reaction;
  });
};
