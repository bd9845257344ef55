import { advanceRun } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Takes a scenario run's next steps (`advanceRun`), up to its next wait or its end. Queued,
 * keyed by run, in the transaction that made the run due; a run that is not due (woken early,
 * or already moved on) is left alone, so a duplicate or stale job does nothing.
 */
export const advance_scenario_run = defineTask("advance_scenario_run", ({ runId }) =>
  advanceRun(runId, { now: new Date() }),
);
