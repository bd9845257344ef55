import { ingestionConfig } from "../../config.ts";

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Takes `cost` tokens (default 1) from `key`'s bucket, or says how long to wait. */
  take(key: string, cost?: number): RateDecision;
}

export interface RateLimitOptions {
  /** Tokens added back per second. */
  ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell. */
  burst: number;
  /** Clock in ms, for tests. Default `Date.now`. */
  now?: () => number;
}

const maxTrackedKeys = 10_000;

/**
 * An in-memory token bucket per key. It holds only this process's view: behind a load balancer
 * with N API processes a key gets up to N times the rate, which is fine for its purpose
 * (stopping a runaway or abusive client) but is no quota. Buckets that have refilled are
 * forgotten, so memory stays bounded.
 *
 * @example const limiter = makeRateLimiter({ ratePerSecond: 200, burst: 400 }); limiter.take(keyId)
 */
export function makeRateLimiter(options: RateLimitOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refilled = (bucket: { tokens: number; at: number }, at: number) =>
    Math.min(options.burst, bucket.tokens + ((at - bucket.at) / 1000) * options.ratePerSecond);

  function forgetFullBuckets(at: number) {
    for (const [key, bucket] of buckets) {
      if (refilled(bucket, at) >= options.burst) buckets.delete(key);
    }
  }

  return {
    take(key, cost = 1) {
      const at = now();
      const bucket = buckets.get(key);
      const tokens = bucket ? refilled(bucket, at) : options.burst;
      if (tokens < cost) {
        buckets.set(key, { tokens, at });
        const wait = (cost - tokens) / options.ratePerSecond;
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
      }
      if (!bucket && buckets.size >= maxTrackedKeys) forgetFullBuckets(at);
      buckets.set(key, { tokens: tokens - cost, at });
      return { allowed: true };
    },
  };
}

let processLimiter: RateLimiter | undefined;

/**
 * The rate limiter every ingestion path of this process shares (HTTP and GraphQL), one bucket
 * per API key, configured by `CARTWHEEL_INGEST_RATE_PER_SECOND` and `CARTWHEEL_INGEST_RATE_BURST`.
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
