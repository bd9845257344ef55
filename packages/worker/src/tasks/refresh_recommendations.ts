import { foldContributions, refreshNeighbours } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Every 5 minutes: folds the orders and product views recorded since the last run into the
 * recommendation pair counts (batched, in key order), then re-ranks the top neighbours of the
 * products they touched. A retry folds only what is still unfolded.
 */
export const refresh_recommendations = defineTask(
  "refresh_recommendations",
  async (_payload, helpers) => {
    const folded = await foldContributions();
    const ranked = await refreshNeighbours();
    if (folded + ranked > 0) {
      helpers.logger.info(
        `refresh_recommendations: ${folded} signals folded, ${ranked} products re-ranked`,
      );
    }
  },
);
