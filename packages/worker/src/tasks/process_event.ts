import { processEvent } from "@cartwheel/api/domain";
import type { Task } from "graphile-worker";
import { z } from "zod";

const payload = z.object({ eventId: z.union([z.string(), z.number()]).transform(String) });

/**
 * Runs everything that follows from one stored event (`processEvent`). Enqueued in the event's
 * own transaction by ingestion; an event erased before its job runs ends the job quietly.
 */
export const process_event: Task = async (rawPayload, helpers) => {
  const { eventId } = payload.parse(rawPayload);
  const processed = await processEvent(eventId);
  if (!processed) helpers.logger.info(`process_event: event ${eventId} no longer exists`);
};
