import { ConfigError, checkConfig, loadConfig, workerSections } from "@cartwheel/api/config";
import { z } from "zod";

const workerEnvironment = z.object({
  DATABASE_URL: z.string(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),
  WORKER_EMAIL_FAST_LANE_CONCURRENCY: z.coerce.number().int().min(0).max(100).default(2),
  WORKER_EVENT_LANE_CONCURRENCY: z.coerce.number().int().min(0).max(100).default(2),
  /** A worker silent this long is dead; its locked jobs go back to the queue. */
  WORKER_DEAD_AFTER_SECONDS: z.coerce.number().min(1).max(14_400).default(60),
});

/**
 * The worker's environment, validated at start-up together with the api sections its tasks
 * use (the database, and email: it sends mail), so a missing variable stops the worker at boot
 * instead of failing inside the first job. Throws ConfigError naming every bad variable.
 * Nothing else reads `process.env`.
 */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env) {
  const result = workerEnvironment.safeParse(env);
  const problems = [
    ...checkConfig(workerSections, env),
    ...(result.success
      ? []
      : result.error.issues
          .filter((issue) => issue.path[0] !== "DATABASE_URL")
          .map((issue) => `${issue.path.join(".")}: ${issue.message}`)),
  ];
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  loadConfig(workerSections, env);
  return {
    databaseUrl: result.data.DATABASE_URL,
    concurrency: result.data.WORKER_CONCURRENCY,
    /** Transactional-only sends beside the main runner; 0 turns the fast lane off. */
    emailFastLaneConcurrency: result.data.WORKER_EMAIL_FAST_LANE_CONCURRENCY,
    /** Event processing only, beside the main runner; 0 turns the event lane off. */
    eventLaneConcurrency: result.data.WORKER_EVENT_LANE_CONCURRENCY,
    deadWorkerAfterMs: result.data.WORKER_DEAD_AFTER_SECONDS * 1000,
  };
}

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;
