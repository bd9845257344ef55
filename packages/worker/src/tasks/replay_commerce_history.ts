import { refreshOrderSegmentsQuietly, replayCommerceHistory } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Replays one batch of a workspace's stored cart and order events into carts and orders, with
 * no reactions (no scenarios, mail or scores); the batch queues the next one in its
 * transaction. After the last batch the segments that read orders are recomputed without
 * Segment Entered events, so past buyers join them and no scenario starts for history. Safe to
 * repeat: every write is keyed and folded again from the events, and the refresh is idempotent.
 */
export const replay_commerce_history = defineTask(
  "replay_commerce_history",
  async ({ workspaceId, cursor }, helpers) => {
    const step = await replayCommerceHistory(workspaceId, cursor, { queueNext: true });
    if (step.next) return;
    const segments = await refreshOrderSegmentsQuietly(workspaceId);
    helpers.logger.info(
      `replay_commerce_history: ${workspaceId} done; ${segments.length} segment(s) on orders recomputed`,
    );
  },
);
