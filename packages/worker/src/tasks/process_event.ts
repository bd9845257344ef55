import { reactToEvent } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Runs everything that follows from one stored event (`reactToEvent`). Enqueued in the event's
 * own transaction by ingestion; an event erased before its job runs ends the job quietly.
 */
export const process_event = defineTask("process_event", async ({ eventId }, helpers) => {
  const reaction = await reactToEvent(eventId);
  if (!reaction) helpers.logger.info(`process_event: event ${eventId} no longer exists`);
});
