import { rollUpAnalytics } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Every minute: rebuilds the roll-ups of the slots that changes marked dirty, so reports read
 * them instead of the raw tables.
 */
export const roll_up_analytics = defineTask("roll_up_analytics", async (payload, helpers) => {
  for (const rolled of await rollUpAnalytics(payload)) {
    helpers.logger.info(
      `roll_up_analytics: workspace ${rolled.workspaceId}: ${rolled.everything ? "every slot" : `${rolled.slots} slots`} rebuilt, ${rolled.marks} marks cleared`,
    );
  }
});
