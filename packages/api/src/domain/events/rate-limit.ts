import type pg from "pg";
import { ingestionConfig } from "../../config.ts";
import { pool } from "../../db.ts";

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Whose bucket a request draws on: one per API key, kept under its workspace. */
export interface RateBucketKey {
  workspaceId: string;
  keyId: string;
}

export interface RateLimiter {
  /** Takes `cost` tokens (default 1) from the key's bucket, or says how long to wait. */
  take(bucket: RateBucketKey, cost?: number): Promise<RateDecision>;
}

export interface RateLimitOptions {
  /** Tokens added back per second. */
  ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell. */
  burst: number;
  /** Clock in ms, for tests. Default: the database's clock, which every API process shares. */
  now?: () => number;
  /** Where the buckets live. Default: the process's pool (`pool()`). */
  database?: Pick<pg.Pool, "query">;
}

/**
 * A token bucket per API key, held in Postgres (`ingest_rate_buckets`) so that every API
 * process draws on the same one: N processes behind a load balancer still give a key its rate,
 * not N times it. It is GCRA: each row keeps the theoretical arrival time (TAT) of the next
 * request; a request of `cost` moves it `cost / ratePerSecond` seconds on and is refused when
 * that would put it more than `burst / ratePerSecond` seconds ahead of now. One statement per
 * request, on an unlogged table (no WAL flush).
 *
 * @example const limiter = makeRateLimiter({ ratePerSecond: 200, burst: 400 });
 *   await limiter.take({ workspaceId, keyId })
 */
export function makeRateLimiter(options: RateLimitOptions): RateLimiter {
  const intervalSeconds = 1 / options.ratePerSecond;
  const toleranceSeconds = options.burst * intervalSeconds;
  const database = () => options.database ?? pool();
  return {
    async take(bucket, cost = 1) {
      const costSeconds = cost * intervalSeconds;
      if (costSeconds > toleranceSeconds) {
        return { allowed: false, retryAfterSeconds: Math.ceil(costSeconds) };
      }
      const at = options.now ? new Date(options.now()) : null;
      const { rows } = await database().query<{ wait_seconds: number | null }>(
        `WITH clock AS (SELECT COALESCE($3::timestamptz, clock_timestamp()) AS now),
         taken AS (
           INSERT INTO ingest_rate_buckets AS bucket (workspace_id, api_key_id, theoretical_arrival_at)
           SELECT $1, $2, clock.now + make_interval(secs => $4) FROM clock
           ON CONFLICT (workspace_id, api_key_id) DO UPDATE
              SET theoretical_arrival_at = GREATEST(bucket.theoretical_arrival_at, (SELECT now FROM clock)) + make_interval(secs => $4)
            WHERE GREATEST(bucket.theoretical_arrival_at, (SELECT now FROM clock)) + make_interval(secs => $4)
                  <= (SELECT now FROM clock) + make_interval(secs => $5)
           RETURNING 1
         )
         SELECT CASE WHEN EXISTS (SELECT 1 FROM taken) THEN NULL ELSE
                  extract(epoch FROM GREATEST(bucket.theoretical_arrival_at, clock.now)
                    + make_interval(secs => $4) - clock.now - make_interval(secs => $5))::float8
                END AS wait_seconds
           FROM clock LEFT JOIN ingest_rate_buckets bucket
             ON bucket.workspace_id = $1 AND bucket.api_key_id = $2`,
        [bucket.workspaceId, bucket.keyId, at, costSeconds, toleranceSeconds],
      );
      const waitSeconds = rows[0]?.wait_seconds ?? null;
      if (waitSeconds === null) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds)) };
    },
  };
}

let processLimiter: RateLimiter | undefined;

/**
 * The rate limiter every ingestion path shares (HTTP and GraphQL), in this process and the
 * others: one bucket per API key, configured by `CARTWHEEL_INGEST_RATE_PER_SECOND` and
 * `CARTWHEEL_INGEST_RATE_BURST`.
 */
export function ingestRateLimiter(): RateLimiter {
  processLimiter ??= makeRateLimiter(ingestionConfig());
  return processLimiter;
}

/** The key sent more than its rate allows; try again after `retryAfterSeconds`. */
export class RateLimitedError extends Error {
  override name = "RateLimitedError";
  constructor(readonly retryAfterSeconds: number) {
    super(`too many requests for this key; retry after ${retryAfterSeconds} s`);
  }
}
