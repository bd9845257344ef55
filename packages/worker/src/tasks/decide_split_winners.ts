import { decideSplitWinners } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Hourly: gives each A/B split whose experiment has enough matured runs and a branch that is
 * best with the split's confidence its winner; later runs take that branch.
 */
export const decide_split_winners = defineTask(
  "decide_split_winners",
  async (_payload, helpers) => {
    const decisions = await decideSplitWinners({ now: new Date() });
    for (const decision of decisions) {
      helpers.logger.info(
        `decide_split_winners: scenario ${decision.scenarioId} split "${decision.nodeId}" → "${decision.branch}" (${(decision.probability * 100).toFixed(1)}% to be best)`,
      );
    }
  },
);
