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
 * Starts a graphile-worker runner over Cartwheel's tasks and schedule. The caller stops it
 * with `runner.stop()`; jobs in flight finish or return to the queue.
 *
 * Jobs are fetched one per free slot, not into graphile-worker's local queue: batching
 * measured no gain on the send path, and jobs held in a local queue stay locked for hours
 * when a worker process crashes.
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
    ...(options.logger && { logger: options.logger }),
    ...(options.events && { events: options.events }),
  }));
}
