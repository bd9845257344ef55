/** The timer functions a debounce uses; tests pass a fake clock. */
export interface Timers {
  setTimeout: (run: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  now: () => number;
}

const browserTimers: Timers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export interface DebouncedRefresh {
  /** Asks for a refresh: it runs once things have been quiet for `waitMs`. */
  request: () => void;
  /** Drops a pending refresh and ignores later requests (on leaving the screen). */
  cancel: () => void;
}

/**
 * Folds a stream of "something changed" into few refreshes: `refresh` runs `waitMs` after the
 * last request, but no later than `maxWaitMs` after the first one still waiting, so a steady
 * trickle cannot starve it; it never runs twice at once (a request during a run waits for it).
 * Defaults: 400 ms quiet, 2,000 ms at most.
 *
 * @example const results = makeDebouncedRefresh(() => load(current)); stream.onData = results.request;
 */
export function makeDebouncedRefresh(
  refresh: () => Promise<void>,
  options: { waitMs?: number; maxWaitMs?: number; timers?: Timers } = {},
): DebouncedRefresh {
  const waitMs = options.waitMs ?? 400;
  const maxWaitMs = options.maxWaitMs ?? 2_000;
  const timers = options.timers ?? browserTimers;
  let timer: unknown = null;
  let firstRequestAt: number | null = null;
  let running = false;
  let requestedWhileRunning = false;
  let cancelled = false;

  const schedule = () => {
    if (timer !== null) timers.clearTimeout(timer);
    const now = timers.now();
    firstRequestAt ??= now;
    const delay = Math.max(0, Math.min(waitMs, firstRequestAt + maxWaitMs - now));
    timer = timers.setTimeout(() => void run(), delay);
  };

  const run = async () => {
    timer = null;
    firstRequestAt = null;
    if (cancelled) return;
    running = true;
    try {
      await refresh();
    } catch {
      // A failed refresh leaves the last results on screen; the next change tries again.
    } finally {
      running = false;
    }
    if (requestedWhileRunning && !cancelled) {
      requestedWhileRunning = false;
      schedule();
    }
  };

  return {
    request: () => {
      if (cancelled) return;
      if (running) requestedWhileRunning = true;
      else schedule();
    },
    cancel: () => {
      cancelled = true;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    },
  };
}
