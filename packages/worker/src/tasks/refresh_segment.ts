import { refreshSegment } from "@cartwheel/api/domain";
import type { Task } from "graphile-worker";
import { z } from "zod";

const payload = z.object({ segmentId: z.uuid() });

/**
 * Recomputes one segment for every contact, recording Segment Entered / Exited for the
 * changes. Safe to repeat. A segment deleted meanwhile ends the job quietly.
 */
export const refresh_segment: Task = async (rawPayload) => {
  const { segmentId } = payload.parse(rawPayload);
  await refreshSegment(segmentId);
};
