import { db, queueDueWakes } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Every minute: queues the `advance_scenario_run` jobs of waiting runs due within the next
 * two minutes, at their wake time. Waits longer than that sit in `scenario_runs` only.
 */
export const wake_scenario_runs = defineTask("wake_scenario_runs", async (_payload, helpers) => {
  let queued = 0;
  for (
    let batch = await queueDueWakes(db(), new Date());
    batch > 0;
    batch = await queueDueWakes(db(), new Date())
  ) {
    queued += batch;
  }
  if (queued > 0) helpers.logger.info(`wake_scenario_runs: ${queued} wake-ups queued`);
});
