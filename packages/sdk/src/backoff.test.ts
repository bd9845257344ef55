import { describe, expect, it } from "vitest";
import { backoffDelay, parseRetryAfter } from "./backoff";

describe("backoffDelay", () => {
  it("doubles from the base, between half and all of the step", () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, 1000, 60_000, () => 0))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, 1000, 60_000, () => 1))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
  });

  it("is capped, even after very many attempts", () => {
    expect(backoffDelay(10, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(5000, 1000, 60_000, () => 0)).toBe(30_000);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");

  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 00:00:00 GMT", now)).toBe(0);
  });

  it("ignores missing or unreadable values", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});
