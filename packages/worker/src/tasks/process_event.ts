import { processEvent } from "@cartwheel/api/domain";
import type { Task } from "graphile-worker";
import { z } from "zod";

const payload = z.object({ eventId: z.union([z.string(), z.number()]).transform(String) });

/** Runs everything that follows from one stored event. Enqueued in the event's own transaction. */
export const process_event: Task = async (rawPayload) => {
  const { eventId } = payload.parse(rawPayload);
  await processEvent(eventId);
};
