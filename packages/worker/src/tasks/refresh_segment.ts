import { refreshSegment } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Recomputes one segment for every contact, recording Segment Entered / Exited for the
 * changes. Safe to repeat. A segment deleted meanwhile ends the job quietly.
 */
export const refresh_segment = defineTask("refresh_segment", ({ segmentId }) =>
  refreshSegment(segmentId),
);
