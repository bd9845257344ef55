import { db, queueDueWakes, sweepDateTriggers } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Every minute: queues the `advance_scenario_run` jobs of waiting runs due within the next
 * two minutes, at their wake time (waits longer than that sit in `scenario_runs` only), and
 * starts the runs of date triggers (birthdays, days after a date) whose moment has come.
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
  const started = await sweepDateTriggers(new Date());
  if (started > 0)
    helpers.logger.info(`wake_scenario_runs: ${started} date-triggered runs started`);
});
