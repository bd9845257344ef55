import type { EventWindow } from "./filter.ts";

/** The window fields of event, orders and purchased conditions, each unit in minutes. */
export const windowUnits = {
  withinDays: 1440,
  withinHours: 60,
  withinMinutes: 1,
} as const satisfies Record<keyof EventWindow, number>;
export type WindowField = keyof typeof windowUnits;
export const windowFields = Object.keys(windowUnits) as WindowField[];

/**
 * A window's length in minutes; undefined when it has none (ever).
 *
 * @example windowMinutes({ withinHours: 2 }) // 120
 */
export function windowMinutes(window: EventWindow): number | undefined {
  for (const field of windowFields) {
    const count = window[field];
    if (count !== undefined) return count * windowUnits[field];
  }
  return undefined;
}

/**
 * The instant a window opens, counting back from `now` (events at or after it count);
 * undefined when it has none.
 *
 * @example windowStart(new Date("2026-06-15T12:00:00Z"), { withinMinutes: 30 }) // 11:30:00Z
 */
export function windowStart(now: Date, window: EventWindow): Date | undefined {
  const minutes = windowMinutes(window);
  return minutes === undefined ? undefined : new Date(now.getTime() - minutes * 60_000);
}
