import { z } from "zod";

/** The worker's environment, validated at start-up. Nothing else reads `process.env`. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env) {
  const schema = z.object({
    DATABASE_URL: z
      .string({ error: "is required: a postgres:// connection URL" })
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection URL"),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),
    WORKER_EMAIL_FAST_LANE_CONCURRENCY: z.coerce.number().int().min(0).max(100).default(2),
  });
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `  ${issue.path.join(".")}: ${issue.message}`,
    );
    throw new Error(`Invalid environment:\n${problems.join("\n")}`);
  }
  return {
    databaseUrl: result.data.DATABASE_URL,
    concurrency: result.data.WORKER_CONCURRENCY,
    /** Transactional-only sends beside the main runner; 0 turns the fast lane off. */
    emailFastLaneConcurrency: result.data.WORKER_EMAIL_FAST_LANE_CONCURRENCY,
  };
}

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;
