import { type JobName, type ParsedJobPayload, parseJobPayload } from "@cartwheel/api/domain";
import type { JobHelpers, Task } from "graphile-worker";

/**
 * A graphile-worker task for a job of the catalogue: its payload is parsed with the
 * catalogue's schema (a malformed one fails the job, visibly) before `run` sees it, typed.
 *
 * @example export const refresh_segment = defineTask("refresh_segment", ({ segmentId }) => refreshSegment(segmentId))
 */
export function defineTask<N extends JobName>(
  task: N,
  run: (payload: ParsedJobPayload<N>, helpers: JobHelpers) => Promise<unknown>,
): Task {
  return async (raw, helpers) => {
    await run(parseJobPayload(task, raw), helpers);
  };
}
