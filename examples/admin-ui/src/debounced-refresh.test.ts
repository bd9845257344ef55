import { describe, expect, it } from "vitest";
import { makeDebouncedRefresh, type Timers } from "./debounced-refresh.ts";

/** A clock the test moves by hand: `advance` fires every timer that falls due, in order. */
function fakeTimers() {
  let now = 0;
  let next = 0;
  const pending = new Map<number, { at: number; run: () => void }>();
  const timers: Timers = {
    setTimeout: (run, ms) => {
      next += 1;
      pending.set(next, { at: now + ms, run });
      return next;
    },
    clearTimeout: (handle) => pending.delete(handle as number),
    now: () => now,
  };
  const advance = async (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...pending.entries()]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      now = due[1].at;
      due[1].run();
      await Promise.resolve();
      await Promise.resolve();
    }
    now = until;
  };
  return { timers, advance };
}

describe("makeDebouncedRefresh", () => {
  it("folds a burst into one refresh after the quiet time", async () => {
    const { timers, advance } = fakeTimers();
    let runs = 0;
    const refresh = makeDebouncedRefresh(
      async () => {
        runs += 1;
      },
      { waitMs: 400, timers },
    );
    for (let i = 0; i < 10; i++) {
      refresh.request();
      await advance(100);
    }
    expect(runs).toBe(0);
    await advance(399);
    expect(runs).toBe(1);
    await advance(5_000);
    expect(runs).toBe(1);
  });

  it("runs no later than maxWaitMs after the first request under a steady trickle", async () => {
    const { timers, advance } = fakeTimers();
    let runs = 0;
    const refresh = makeDebouncedRefresh(
      async () => {
        runs += 1;
      },
      {
        waitMs: 400,
        maxWaitMs: 2_000,
        timers,
      },
    );
    for (let i = 0; i < 20; i++) {
      refresh.request();
      await advance(300);
    }
    // Requests every 300 ms for 6,000 ms: a refresh at 2,000 and 4,100 ms instead of none,
    // then one 400 ms after the last request.
    expect(runs).toBe(2);
    await advance(1_000);
    expect(runs).toBe(3);
  });

  it("never runs twice at once: a request during a run waits for it", async () => {
    const { timers, advance } = fakeTimers();
    let running = 0;
    let overlapped = false;
    let finish = () => {};
    let runs = 0;
    const refresh = makeDebouncedRefresh(
      () => {
        runs += 1;
        running += 1;
        if (running > 1) overlapped = true;
        return new Promise<void>((resolve) => {
          finish = () => {
            running -= 1;
            resolve();
          };
        });
      },
      { waitMs: 100, timers },
    );
    refresh.request();
    await advance(100);
    expect(runs).toBe(1);
    refresh.request();
    await advance(1_000);
    expect(runs).toBe(1);
    finish();
    await advance(0);
    await advance(100);
    expect(runs).toBe(2);
    expect(overlapped).toBe(false);
  });

  it("does nothing more once cancelled", async () => {
    const { timers, advance } = fakeTimers();
    let runs = 0;
    const refresh = makeDebouncedRefresh(
      async () => {
        runs += 1;
      },
      { timers },
    );
    refresh.request();
    refresh.cancel();
    refresh.request();
    await advance(10_000);
    expect(runs).toBe(0);
  });
});
