import { enqueueSegmentRefreshes } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Queues `refresh_segment` for every segment that depends on `dependingOn`: hourly, those
 * whose membership can change with time alone ("in the last 30 days", birthdays, lapsed
 * customers); every 5 minutes, those with a window under a day ("no order in the last 2
 * hours"); after a tag is renamed or deleted, a workspace's segments on contact data. One
 * job per segment, keyed by it, so they run in parallel, retry alone and never pile up.
 */
export const refresh_segments = defineTask(
  "refresh_segments",
  async ({ workspaceId, dependingOn }, helpers) => {
    const queued = await enqueueSegmentRefreshes({ dependingOn, workspaceId });
    helpers.logger.info(`refresh_segments: ${queued.length} segments queued (${dependingOn})`);
  },
);
