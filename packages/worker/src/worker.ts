import type { Logger, Runner, WorkerEvents } from "graphile-worker";
import { crontab } from "./crontab.ts";
import { runOnPatientPool } from "./patient-pool.ts";
import { taskList } from "./task-list.ts";

export interface WorkerOptions {
  databaseUrl: string;
  /** Jobs run at once in this process. Default 10. */
  concurrency?: number;
  /** Poll interval when LISTEN/NOTIFY is quiet, in ms. Default 2000. */
  pollInterval?: number;
  /** Where graphile-worker logs (one line per job at info level). Default: the console. */
  logger?: Logger;
  /** Where the runner reports its workers (the dead-worker recovery listens). */
  events?: WorkerEvents;
}

/**
 * Jobs that finish within 5 ms of each other are marked complete in one statement instead of
 * one each: a send costs a round trip and a commit less. A job is locked that much longer
 * after it finished. Killed in that window, the process leaves the job to run again once its
 * lock is released, as a kill between a task's end and its completion always could (a send
 * then finds its message SENT and stops).
 */
export const completionBatching = { worker: { completeJobBatchDelay: 5 } };

/**
 * Starts a graphile-worker runner over Cartwheel's tasks and schedule. The caller stops it
 * with `runner.stop()`; jobs in flight finish or return to the queue.
 *
 * Jobs are fetched one per free slot, not into graphile-worker's local queue: batching
 * measured no gain on the send path, and jobs held in a local queue stay locked for hours
 * when a worker process crashes. Completions are written in batches (`completionBatching`).
 *
 * @example const runner = await startWorker({ databaseUrl })
 */
export async function startWorker(options: WorkerOptions): Promise<Runner> {
  const concurrency = options.concurrency ?? 10;
  return await runOnPatientPool(options.databaseUrl, concurrency + 2, (pgPool) => ({
    pgPool,
    concurrency,
    pollInterval: options.pollInterval ?? 2000,
    taskList,
    crontab,
    noHandleSignals: true,
    preset: completionBatching,
    ...(options.logger && { logger: options.logger }),
    ...(options.events && { events: options.events }),
  }));
}
