/**
 * What the analytics screens share: Cartwheel's reporting periods (local dates of the shop, in
 * its time zone), `Money` and rate formatting, and the field definitions the API documents.
 * Pure functions, so the tests format figures exactly as the page does.
 */
import { gql } from "./api.ts";
import type { Credentials } from "./session.ts";

/** Cartwheel's `Money`: `amount` is a decimal string in major units. */
export interface Money {
  amount: string;
  currency?: string;
  minorUnits?: number;
}

export type Bucket = "DAY" | "WEEK" | "MONTH";

/** A `ReportingPeriodInput`: local dates, both included. */
export interface Period {
  from: string;
  to: string;
  bucket: Bucket;
}

/** Today's date (YYYY-MM-DD) in a time zone, e.g. the shop's `timeZone` the API returned. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}

/** Adds days to a YYYY-MM-DD date (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

/** The last `days` days up to today in `timeZone`, today included. */
export function lastDays(days: number, timeZone: string, bucket: Bucket = "DAY", now?: Date) {
  const to = todayIn(timeZone, now);
  return { from: addDays(to, -(days - 1)), to, bucket };
}

/** The browser's time zone: a first guess until the API names the shop's. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** `Money` in its currency, e.g. "€1,234.50"; "—" when the API says null. */
export function formatMoney(
  money: Money | null | undefined,
  currency: string,
  locale?: string,
): string {
  if (!money) return "—";
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: money.currency ?? currency,
  }).format(Number(money.amount));
}

/** A 0–1 rate as a percentage with one decimal, e.g. "12.5%"; "—" for null. */
export function formatRate(rate: number | null | undefined, locale?: string): string {
  if (rate === null || rate === undefined) return "—";
  return new Intl.NumberFormat(locale, {
    style: "percent",
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(rate);
}

/** A count with thousands separators. */
export function formatCount(count: number, locale?: string): string {
  return new Intl.NumberFormat(locale).format(count);
}

/** A YYYY-MM-DD date as "Nov 3, 2026" (no time zone shift: it is a calendar date). */
export function formatDay(date: string, locale?: string, withYear = true): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: "UTC",
    month: "short",
    day: "numeric",
    ...(withYear && { year: "numeric" }),
  }).format(new Date(`${date}T00:00:00Z`));
}

/** A bucket's start as a chart label: "Nov 3" for days and weeks, "Nov 2026" for months. */
export function bucketLabel(start: string, bucket: Bucket, locale?: string): string {
  if (bucket === "MONTH") {
    return new Intl.DateTimeFormat(locale, {
      timeZone: "UTC",
      month: "short",
      year: "numeric",
    }).format(new Date(`${start}T00:00:00Z`));
  }
  return formatDay(start, locale, false);
}

const definitionCache = new Map<string, Promise<Map<string, string>>>();

/**
 * The descriptions of a GraphQL type's fields by name, by introspection: the API's own
 * definitions (e.g. of every `KpiFigures` figure), so the UI never restates them. The key ""
 * holds the type's own description.
 */
export function fieldDefinitions(
  credentials: Credentials,
  typeName: string,
): Promise<Map<string, string>> {
  const key = `${credentials.apiUrl} ${typeName}`;
  let cached = definitionCache.get(key);
  if (!cached) {
    cached = gql<{
      __type: {
        description: string | null;
        fields: { name: string; description: string | null }[];
      } | null;
    }>(
      credentials,
      "query($name: String!) { __type(name: $name) { description fields { name description } } }",
      { name: typeName },
    ).then(
      ({ __type }) =>
        new Map([
          ["", __type?.description ?? ""],
          ...(__type?.fields ?? []).map((f): [string, string] => [f.name, f.description ?? ""]),
        ]),
    );
    cached.catch(() => definitionCache.delete(key));
    definitionCache.set(key, cached);
  }
  return cached;
}
