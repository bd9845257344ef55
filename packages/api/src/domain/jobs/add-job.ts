import type { Executor } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { type JobName, type JobPayload, jobCatalogue, jobPriorities } from "./catalogue.ts";

/** How a job is queued; see graphile-worker's `add_job`. */
export interface JobSpec {
  /** One pending job per key: adding again replaces the pending one (its payload and run time). */
  jobKey?: string;
  runAt?: Date;
  /** Lower runs first. Default 0. */
  priority?: number;
  /** Default graphile-worker's 25. */
  maxAttempts?: number;
  /** Runners can refuse jobs by flag (the transactional fast lane refuses marketing). */
  flags?: readonly string[] | null;
  /** Queue the job only when this SQL condition holds (checked in the same statement). */
  onlyIf?: Prisma.Sql;
}

/**
 * Queues one job through `executor` (a transaction, so the job exists if and only if the
 * caller's change commits). The payload is checked against the catalogue first.
 *
 * @example await addJob(tx, "refresh_segment", { segmentId }, { jobKey: `refresh_segment:${segmentId}` })
 */
export async function addJob<N extends JobName>(
  executor: Executor,
  task: N,
  payload: JobPayload<N>,
  spec: JobSpec = {},
): Promise<void> {
  const checked = jobCatalogue[task].parse(payload);
  await executor.$executeRaw`
    SELECT graphile_worker.add_job(${task}, ${JSON.stringify(checked)}::json,
      run_at := ${spec.runAt ?? null}::timestamptz, job_key := ${spec.jobKey ?? null}::text,
      priority := ${spec.priority ?? jobPriorities[task] ?? null}::int, max_attempts := ${spec.maxAttempts ?? null}::int,
      flags := ${spec.flags ? [...spec.flags] : null}::text[])
    ${spec.onlyIf ? Prisma.sql`WHERE ${spec.onlyIf}` : Prisma.empty}`;
}

/**
 * Queues many jobs of one task in one statement, each with its payload, job key, run time and
 * priority (or the shared `spec`'s); the other settings are shared.
 *
 * @example await addJobs(tx, "refresh_segment", due.map((segmentId) => ({ payload: { segmentId }, jobKey: `refresh_segment:${segmentId}` })))
 */
export async function addJobs<N extends JobName>(
  executor: Executor,
  task: N,
  jobs: readonly { payload: JobPayload<N>; jobKey?: string; runAt?: Date; priority?: number }[],
  spec: Omit<JobSpec, "jobKey" | "onlyIf"> = {},
): Promise<void> {
  if (jobs.length === 0) return;
  const payloads = jobs.map((job) => JSON.stringify(jobCatalogue[task].parse(job.payload)));
  const keys = jobs.map((job) => job.jobKey ?? null);
  const runAts = jobs.map((job) => (job.runAt ?? spec.runAt ?? null)?.toISOString() ?? null);
  const priorities = jobs.map(
    (job) => job.priority ?? spec.priority ?? jobPriorities[task] ?? null,
  );
  await executor.$executeRaw`
    SELECT graphile_worker.add_jobs(array_agg((
      ${task}, j.payload, NULL, j.run_at, ${spec.maxAttempts ?? null}::int,
      j.job_key, j.priority, ${spec.flags ? [...spec.flags] : null}::text[]
    )::graphile_worker.job_spec))
      FROM unnest(${payloads}::json[], ${keys}::text[], ${runAts}::timestamptz[], ${priorities}::int[])
           AS j(payload, job_key, run_at, priority)`;
}

/**
 * SQL for one `graphile_worker.job_spec` whose payload fields are SQL expressions, for
 * statements that queue a job per row they write (`add_jobs(ARRAY(SELECT … FROM inserted))`).
 * The field names are checked against the catalogue's payload type; the values are the
 * caller's SQL, so only column references and casts belong there, never user text.
 *
 * @example jobSpecSql("process_event", { eventId: "id::text" }) // ROW('process_event', json_build_object('eventId', id::text), …)::graphile_worker.job_spec
 */
export function jobSpecSql<N extends JobName>(
  task: N,
  fields: { [K in keyof Required<JobPayload<N>>]: string },
): string {
  const pairs = Object.entries(fields as Record<string, string>)
    .map(([key, sql]) => `'${key}', ${sql}`)
    .join(", ");
  return `ROW('${task}', json_build_object(${pairs}), NULL, NULL, NULL, NULL, ${jobPriorities[task] ?? "NULL"}, NULL)::graphile_worker.job_spec`;
}

type BatchJobName = {
  [N in JobName]: JobPayload<N> extends readonly (infer _)[] ? N : never;
}[JobName];

/**
 * SQL for one graphile-worker batch job (an array payload) with an entry per row of the
 * query it is aggregated in, in `orderBy` order: `SELECT ${batchJobSpecSql(…)} FROM inserted`.
 * NULL when there are no rows. As with `jobSpecSql`, the values are column references, never
 * user text.
 *
 * @example batchJobSpecSql("process_events", { eventId: "id::text" }, "id") // ROW('process_events', json_agg(json_build_object('eventId', id::text) ORDER BY id), …)
 */
export function batchJobSpecSql<N extends BatchJobName>(
  task: N,
  fields: { [K in keyof Required<JobPayload<N>[number]>]: string },
  orderBy: string,
): string {
  const pairs = Object.entries(fields as Record<string, string>)
    .map(([key, sql]) => `'${key}', ${sql}`)
    .join(", ");
  return `CASE WHEN count(*) > 0 THEN ROW('${task}', json_agg(json_build_object(${pairs}) ORDER BY ${orderBy}), NULL, NULL, NULL, NULL, ${jobPriorities[task] ?? "NULL"}, NULL)::graphile_worker.job_spec END`;
}
