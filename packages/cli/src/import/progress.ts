/** Where the progress goes: stderr, or a test's collector. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  stream: ProgressStream;
  label: string;
  /** Rows in the file. */
  total: number;
  /** Rows already done when this run started (a resumed import). */
  startedAt: number;
  /** Milliseconds; default `performance.now`. */
  now?: () => number;
  /** The least time between two lines that are not the last. Default 100 ms on a TTY, else 10 s. */
  intervalMs?: number;
}

const barWidth = 24;

/** `0:07`, `12:30`, `1:02:03`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/**
 * One progress line: rows done of the total, rows per second in this run, and the time left
 * at that rate; with a bar when it is drawn on a terminal.
 *
 * @example formatProgress({ label: "products", total: 100_000, done: 45_000, startedAt: 0, elapsedMs: 20_000, bar: false })
 * // "products 45,000/100,000 rows (45%) · 2,250 rows/s · ETA 0:24"
 */
export function formatProgress(state: {
  label: string;
  total: number;
  done: number;
  startedAt: number;
  elapsedMs: number;
  bar: boolean;
}): string {
  const fraction = state.total > 0 ? Math.min(1, state.done / state.total) : 1;
  const percent = `${Math.floor(fraction * 100)}%`;
  const count = `${state.done.toLocaleString("en")}/${state.total.toLocaleString("en")} rows`;
  const seconds = state.elapsedMs / 1000;
  const rate = seconds > 0 ? (state.done - state.startedAt) / seconds : 0;
  const speed = rate > 0 ? `${Math.round(rate).toLocaleString("en")} rows/s` : "– rows/s";
  const left = state.total - state.done;
  const eta = left <= 0 ? "ETA 0:00" : rate > 0 ? `ETA ${formatDuration(left / rate)}` : "ETA –";
  if (!state.bar) return `${state.label} ${count} (${percent}) · ${speed} · ${eta}`;
  const filled = Math.round(fraction * barWidth);
  const bar = `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]`;
  return `${state.label} ${bar} ${percent.padStart(4)} ${count} · ${speed} · ${eta}`;
}

/**
 * Reports progress on a stream: on a terminal one line redrawn in place (at most every
 * 100 ms), elsewhere (a log, a pipe) a plain line now and then and always the last one.
 *
 * @example const progress = makeProgress({ stream: process.stderr, label: "products", total, startedAt: 0 }); progress.update(1000); progress.finish(total);
 */
export function makeProgress(options: ProgressOptions) {
  const now = options.now ?? (() => performance.now());
  const tty = options.stream.isTTY === true;
  const intervalMs = options.intervalMs ?? (tty ? 100 : 10_000);
  const started = now();
  let lastShown = Number.NEGATIVE_INFINITY;
  let shownDone: number | null = null;
  let done = options.startedAt;
  const line = () =>
    formatProgress({
      label: options.label,
      total: options.total,
      done,
      startedAt: options.startedAt,
      elapsedMs: now() - started,
      bar: tty,
    });
  const show = () => {
    options.stream.write(tty ? `\r${line()}\x1b[K` : `${line()}\n`);
    lastShown = now();
    shownDone = done;
  };
  return {
    /** Rows done so far (the total of this run and earlier ones). */
    update(rows: number) {
      done = rows;
      if (now() - lastShown >= intervalMs) show();
    },
    /** The last line, always shown; on a terminal it ends the line. */
    finish(rows: number) {
      done = rows;
      if (tty || shownDone !== done) show();
      if (tty) options.stream.write("\n");
    },
  };
}
