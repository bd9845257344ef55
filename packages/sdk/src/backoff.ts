/**
 * The wait before retry number `attempt` (0-based): exponential from `baseMs`, capped at `maxMs`,
 * with "equal jitter" (between half and all of it) so that many clients do not retry in step.
 * @example backoffDelay(0, 1000, 60_000) // between 500 and 1000
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(capped / 2 + (random() * capped) / 2);
}

/**
 * A `Retry-After` header (seconds or an HTTP date) in milliseconds from `now`, or undefined
 * when it is missing or unreadable.
 */
export function parseRetryAfter(
  header: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!header?.trim()) return undefined;
  const seconds = Number(header);
  const ms = Number.isNaN(seconds) ? Date.parse(header) - now : seconds * 1000;
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}
