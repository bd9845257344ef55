import type { Executor, Transaction } from "../../../db.ts";
import { addJobs } from "../../jobs/add-job.ts";

/**
 * Wake-ups due within this horizon get their job at once; later ones wait in
 * `scenario_runs.wake_at` only, and the minutely `wake_scenario_runs` sweep queues them as they
 * come within it. So the job table holds at most a couple of minutes of timers, however many
 * runs wait for days.
 */
export const wakeHorizonMs = 2 * 60_000;

const runJobKey = (runId: string) => `scenario_run:${runId}`;

/**
 * Queues a run's `advance_scenario_run` job in the caller's transaction: now, or at `runAt`.
 * One job per run (keyed), so queueing twice runs it once; a higher scenario priority runs first.
 */
export function queueAdvance(
  executor: Executor,
  run: { id: string; priority: number },
  runAt?: Date,
): Promise<void> {
  return queueAdvances(executor, [{ ...run, runAt }]);
}

/** The sweep's wake-ups share a job per half-second slot of their wake time, at most 200 a job. */
const wakeBucketMs = 500;
const wakeBatchSize = 200;

/** Queues the `advance_scenario_run` jobs of several runs in one statement, as `queueAdvance`. */
export function queueAdvances(
  executor: Executor,
  runs: readonly { id: string; priority: number; runAt?: Date | undefined }[],
): Promise<void> {
  return addJobs(
    executor,
    "advance_scenario_run",
    runs.map((run) => ({
      payload: { runId: run.id },
      jobKey: runJobKey(run.id),
      priority: -run.priority,
      ...(run.runAt && { runAt: run.runAt }),
    })),
  );
}

/**
 * The sweep: queues the wake-up of every waiting run due within the horizon that has no job
 * yet, in one statement per batch. Runs due within the same half second share one
 * `advance_scenario_runs` job, at the last one's wake time, so a hundred thousand timers are a
 * few thousand jobs. Returns how many runs it queued.
 *
 * @example await queueDueWakes(new Date()) // every minute, by wake_scenario_runs
 */
export async function queueDueWakes(
  executor: Executor,
  now: Date,
  batch = 10_000,
): Promise<number> {
  const due = await executor.$queryRaw<{ id: string; wake_at: Date; priority: number }[]>`
    WITH due AS (
      SELECT r.id FROM scenario_runs r
       WHERE r.status = 'WAITING' AND NOT r.wake_queued
         AND r.wake_at <= ${new Date(now.getTime() + wakeHorizonMs)}::timestamptz
       ORDER BY r.wake_at LIMIT ${batch}
       FOR UPDATE SKIP LOCKED)
    UPDATE scenario_runs r SET wake_queued = true
      FROM due, scenarios s
     WHERE r.id = due.id AND s.id = r.scenario_id
    RETURNING r.id::text, r.wake_at, s.priority`;
  // One job per half second and scenario priority (a higher priority runs first), in wake order.
  const bucketOf = (run: { wake_at: Date }) => Math.floor(run.wake_at.getTime() / wakeBucketMs);
  due.sort(
    (a, b) =>
      bucketOf(a) - bucketOf(b) ||
      b.priority - a.priority ||
      a.wake_at.getTime() - b.wake_at.getTime(),
  );
  const jobs: { runIds: string[]; runAt: Date; bucket: number; priority: number }[] = [];
  for (const run of due) {
    const last = jobs.at(-1);
    if (
      last &&
      last.bucket === bucketOf(run) &&
      last.priority === run.priority &&
      last.runIds.length < wakeBatchSize
    ) {
      last.runIds.push(run.id);
      if (run.wake_at > last.runAt) last.runAt = run.wake_at;
    } else {
      jobs.push({
        runIds: [run.id],
        runAt: run.wake_at,
        bucket: bucketOf(run),
        priority: run.priority,
      });
    }
  }
  await addJobs(
    executor,
    "advance_scenario_runs",
    jobs.map((job) => ({
      payload: job.runIds.map((runId) => ({ runId })),
      runAt: job.runAt,
      priority: -job.priority,
    })),
  );
  return due.length;
}

/** After a resume: every run of the scenario that is due, or due soon, gets its job. */
export async function wakeRunsNow(tx: Transaction, scenarioId: string, now: Date): Promise<void> {
  const runs = await tx.$queryRaw<{ id: string; wake_at: Date | null; priority: number }[]>`
    UPDATE scenario_runs r SET wake_queued = true
      FROM scenarios s
     WHERE s.id = r.scenario_id AND r.scenario_id = ${scenarioId}::uuid
       AND (r.status = 'ACTIVE'
            OR (r.status = 'WAITING' AND r.wake_at <= ${new Date(now.getTime() + wakeHorizonMs)}::timestamptz))
    RETURNING r.id::text, r.wake_at, s.priority`;
  await queueAdvances(
    tx,
    runs.map((run) => ({
      id: run.id,
      priority: run.priority,
      ...(run.wake_at && run.wake_at > now && { runAt: run.wake_at }),
    })),
  );
}
