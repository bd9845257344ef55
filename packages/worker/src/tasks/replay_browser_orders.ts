import { replayBrowserOrders } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Writes the orders of one batch of a workspace's browser order events, now that unverified
 * orders count again; the batch queues the next one. Safe to repeat: the writes are keyed.
 */
export const replay_browser_orders = defineTask(
  "replay_browser_orders",
  async ({ workspaceId, afterEventId }) => {
    await replayBrowserOrders(workspaceId, afterEventId);
  },
);
