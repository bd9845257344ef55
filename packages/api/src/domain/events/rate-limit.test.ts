import { expect, it } from "vitest";
import { makeRateLimiter } from "./rate-limit.ts";

it("allows a burst, then refills at the rate, per key", () => {
  let now = 0;
  const limiter = makeRateLimiter({ ratePerSecond: 2, burst: 3, now: () => now });
  expect([1, 2, 3].map(() => limiter.take("a").allowed)).toEqual([true, true, true]);
  expect(limiter.take("a")).toEqual({ allowed: false, retryAfterSeconds: 1 });
  expect(limiter.take("b").allowed).toBe(true);
  now += 500;
  expect(limiter.take("a").allowed).toBe(true);
  expect(limiter.take("a").allowed).toBe(false);
  now += 60_000;
  expect([1, 2, 3, 4].map(() => limiter.take("a").allowed)).toEqual([true, true, true, false]);
});

it("says how long to wait when the rate is slow", () => {
  const limiter = makeRateLimiter({ ratePerSecond: 0.1, burst: 1, now: () => 0 });
  expect(limiter.take("k").allowed).toBe(true);
  expect(limiter.take("k")).toEqual({ allowed: false, retryAfterSeconds: 10 });
});
