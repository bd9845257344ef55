import type { Logger, Runner, WorkerEvents } from "graphile-worker";
import { runOnPatientPool } from "../patient-pool.ts";
import { process_event } from "../tasks/process_event.ts";
import { process_events } from "../tasks/process_events.ts";

export interface EventLaneOptions {
  databaseUrl: string;
  /** Event jobs in flight at once, beside the main runner's budget. Default 2. */
  concurrency?: number;
  /** Poll interval when LISTEN/NOTIFY is quiet, in ms. Default 2000. */
  pollInterval?: number;
  /** Where the runner reports its workers (the dead-worker recovery listens). */
  events?: WorkerEvents;
  /** Where graphile-worker logs (one line per job at info level). Default: the console. */
  logger?: Logger;
}

/**
 * A second graphile-worker runner that only takes event processing (`process_event`,
 * `process_events`), with its own concurrency. With the main runner it gives segment
 * memberships, scores and scenario triggers two guarantees against bulk work: event jobs have
 * the highest priority in the shared queue (`jobPriorities`), and even while every slot of the
 * main runner is held by long jobs (a full segment refresh, a send backlog), this lane keeps
 * handling events as they arrive.
 *
 * @example const eventLane = await startEventLane({ databaseUrl, concurrency: 2 })
 */
export function startEventLane(options: EventLaneOptions): Promise<Runner> {
  const concurrency = options.concurrency ?? 2;
  return runOnPatientPool(options.databaseUrl, concurrency + 2, (pgPool) => ({
    pgPool,
    concurrency,
    pollInterval: options.pollInterval ?? 2000,
    taskList: { process_event, process_events },
    // The schedule belongs to the main runner. An empty crontab string is not enough: 0.18 then
    // looks for a ./crontab file and logs that cron is disabled; no parsed items reads nothing.
    parsedCronItems: [],
    noHandleSignals: true,
    ...(options.events && { events: options.events }),
    ...(options.logger && { logger: options.logger }),
  }));
}
