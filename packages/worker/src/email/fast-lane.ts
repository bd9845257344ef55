import { marketingJobFlag } from "@cartwheel/api/domain";
import type { Runner, WorkerEvents } from "graphile-worker";
import { runOnPatientPool } from "../patient-pool.ts";
import { send_email } from "../tasks/send_email.ts";
import { completionBatching } from "../worker.ts";

export interface EmailFastLaneOptions {
  databaseUrl: string;
  /** Transactional sends in flight at once, beside the main runner's budget. Default 2. */
  concurrency?: number;
  /** Poll interval when LISTEN/NOTIFY is quiet, in ms. Default 2000. */
  pollInterval?: number;
  /** Where the runner reports its workers (the dead-worker recovery listens). */
  events?: WorkerEvents;
}

/**
 * A second graphile-worker runner that only takes transactional `send_email` jobs (it refuses
 * jobs flagged `email:marketing`), with its own concurrency. With the main runner it gives
 * transactional mail two guarantees against a marketing backlog: its jobs have a higher
 * priority in the shared queue, and even when every slot of the main runner is busy with
 * marketing sends, this lane keeps serving them.
 *
 * @example const fastLane = await startEmailFastLane({ databaseUrl, concurrency: 2 })
 */
export function startEmailFastLane(options: EmailFastLaneOptions): Promise<Runner> {
  const concurrency = options.concurrency ?? 2;
  return runOnPatientPool(options.databaseUrl, concurrency + 2, (pgPool) => ({
    pgPool,
    concurrency,
    pollInterval: options.pollInterval ?? 2000,
    taskList: { send_email },
    // The schedule belongs to the main runner. An empty crontab string is not enough: 0.18 then
    // looks for a ./crontab file and logs that cron is disabled; no parsed items reads nothing.
    parsedCronItems: [],
    forbiddenFlags: [marketingJobFlag],
    noHandleSignals: true,
    preset: completionBatching,
    ...(options.events && { events: options.events }),
  }));
}
