import { advanceRun, advanceRuns, parseJobPayload } from "@cartwheel/api/domain";
import type { Task } from "graphile-worker";

/**
 * Wakes the waiting runs the sweep found due within the same half second: advanced together
 * in one transaction (`advanceRuns`). Should that fail, each run is advanced on its own, and
 * only those that fail again are retried (a graphile-worker batch job answers per entry). A
 * run already moved on, or not due, is left alone, so a repeated entry does nothing.
 */
export const advance_scenario_runs: Task = async (raw) => {
  const entries = parseJobPayload("advance_scenario_runs", raw);
  const runIds = entries.map((entry) => entry.runId);
  try {
    await advanceRuns(runIds, { now: new Date() });
    return entries.map(() => Promise.resolve());
  } catch {
    return runIds.map((runId) => advanceRun(runId, { now: new Date() }));
  }
};
