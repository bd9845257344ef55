import { rebuildAllRecommendationGraphs, rebuildRecommendationGraphs } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Nightly (or for one workspace on demand): recomputes the recommendation graphs from the
 * orders (cancelled and refunded ones left out) and views in their windows, so edits,
 * refunds, catalog changes and age are reflected. Safe to repeat: it replaces, never adds.
 */
export const rebuild_recommendations = defineTask(
  "rebuild_recommendations",
  async ({ workspaceId }, helpers) => {
    const rebuilds = workspaceId
      ? [await rebuildRecommendationGraphs(workspaceId)]
      : await rebuildAllRecommendationGraphs();
    for (const rebuild of rebuilds) {
      if (rebuild.orders + rebuild.views === 0) continue;
      helpers.logger.info(
        `rebuild_recommendations: ${rebuild.workspaceId}: ${rebuild.orders} orders, ${rebuild.views} views, ${rebuild.products} products`,
      );
    }
  },
);
