import { DateTime } from "luxon";

export const weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] as const;
export type Weekday = (typeof weekdays)[number];

/** The contact's time zone, else the workspace's, else UTC (invalid names fall back too). */
export function zoneOf(...candidates: (string | null | undefined)[]): string {
  for (const zone of candidates) {
    if (zone && DateTime.now().setZone(zone).isValid) return zone;
  }
  return "UTC";
}

const minutesOf = (clock: string) => {
  const [hours = 0, minutes = 0] = clock.split(":").map(Number);
  return hours * 60 + minutes;
};

/**
 * The first instant at or after `from` inside a daily window (`from`–`to` local time on the
 * given weekdays; a window that ends before it starts runs past midnight).
 *
 * @example nextInWindow(new Date("2026-05-01T22:00:00Z"), { from: "09:00", to: "20:00" }, "Europe/Paris") // 2026-05-02T07:00:00Z
 */
export function nextInWindow(
  from: Date,
  window: { from: string; to: string; days?: readonly Weekday[] | undefined },
  zone: string,
): Date {
  const start = minutesOf(window.from);
  const end = minutesOf(window.to);
  const days = new Set(window.days ?? weekdays);
  const inside = (local: DateTime) => {
    const minute = local.hour * 60 + local.minute;
    const day = weekdays[local.weekday - 1] as Weekday;
    if (start <= end) return days.has(day) && minute >= start && minute < end;
    // Overnight: the part after midnight belongs to the day the window opened.
    if (minute >= start) return days.has(day);
    const opened = weekdays[local.minus({ days: 1 }).weekday - 1] as Weekday;
    return minute < end && days.has(opened);
  };
  const local = DateTime.fromJSDate(from, { zone });
  if (inside(local)) return from;
  for (let offset = 0; offset <= 8; offset++) {
    const candidate = local.startOf("day").plus({ days: offset, minutes: start });
    if (candidate >= local && inside(candidate)) return candidate.toJSDate();
  }
  return from;
}

/** The instant a date (a calendar day) plus `offsetDays` reaches `at` local time. */
export function localDateAt(date: Date, offsetDays: number, at: string, zone: string): Date {
  const day = DateTime.fromISO(date.toISOString().slice(0, 10), { zone }).plus({
    days: offsetDays,
  });
  return day
    .startOf("day")
    .plus({ minutes: minutesOf(at) })
    .toJSDate();
}
