import { replayCommerceHistory } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Replays one batch of a workspace's stored cart and order events into carts and orders, with
 * no reactions (no scenarios, mail, segments or scores); the batch queues the next one in its
 * transaction. Safe to repeat: every write is keyed and folded again from the events.
 */
export const replay_commerce_history = defineTask(
  "replay_commerce_history",
  async ({ workspaceId, cursor }, helpers) => {
    const step = await replayCommerceHistory(workspaceId, cursor, { queueNext: true });
    if (!step.next) helpers.logger.info(`replay_commerce_history: ${workspaceId} done`);
  },
);
