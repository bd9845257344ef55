import { decideSplitWinners } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Hourly: gives each A/B split whose experiment has enough matured runs and a branch that is
 * best on its metric with the split's confidence, or whose end date has come, its winner;
 * later runs take that branch (but the holdout branch's share), or with autoSelect off the
 * decision is only recorded.
 */
export const decide_split_winners = defineTask(
  "decide_split_winners",
  async (_payload, helpers) => {
    const decisions = await decideSplitWinners({ now: new Date() });
    for (const decision of decisions) {
      helpers.logger.info(
        `decide_split_winners: scenario ${decision.scenarioId} split "${decision.nodeId}" → "${decision.branch}" (${decision.reason}: ${(decision.probability * 100).toFixed(1)}% to be best on ${decision.metric}${decision.applied ? "" : "; reported only"})`,
      );
    }
  },
);
