import { enqueueSegmentRefreshes } from "@cartwheel/api/domain";
import type { Task } from "graphile-worker";

/**
 * Scheduled hourly: queues `refresh_segment` for every segment whose membership can change
 * with time alone ("in the last 30 days", birthdays, lapsed customers). One job per segment,
 * keyed by it, so they run in parallel, retry alone and never pile up.
 */
export const refresh_segments: Task = async (_payload, helpers) => {
  const queued = await enqueueSegmentRefreshes({ dependingOn: "time" });
  helpers.logger.info(`refresh_segments: ${queued.length} segments queued`);
};
