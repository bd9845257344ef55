import { z } from "zod";
import type { Executor } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { parseInput } from "../shared/validation.ts";

export const reportingBuckets = ["DAY", "WEEK", "MONTH"] as const;
export type ReportingBucket = (typeof reportingBuckets)[number];

/** Longest range a report covers, and most buckets it returns. */
export const maxReportingDays = 3 * 366;
export const maxReportingBuckets = 400;

const isoDate = z.iso.date("must be a date like 2026-11-30");

const periodInput = z
  .object({
    from: isoDate,
    to: isoDate,
    bucket: z.enum(reportingBuckets).default("DAY"),
  })
  .refine((period) => period.from <= period.to, {
    path: ["to"],
    message: "must not be before from",
  })
  .refine((period) => daysBetween(period.from, period.to) < maxReportingDays, {
    path: ["to"],
    message: `the range must be shorter than ${maxReportingDays} days`,
  })
  .refine((period) => bucketCount(period) <= maxReportingBuckets, {
    path: ["bucket"],
    message: `the range would have more than ${maxReportingBuckets} buckets; use a longer bucket`,
  });

export type ReportingPeriodInput = z.input<typeof periodInput>;

/**
 * Local dates of the shop (inclusive at both ends) in its time zone, cut into buckets that
 * start at local midnight; weeks start on Monday.
 */
export interface ReportingPeriod {
  from: string;
  to: string;
  bucket: ReportingBucket;
  timeZone: string;
}

/**
 * Validates a date range and finds the workspace's time zone (its email settings' `timezone`,
 * else UTC).
 *
 * @example await resolveReportingPeriod(db, workspaceId, { from: "2026-11-01", to: "2026-11-30", bucket: "WEEK" })
 */
export async function resolveReportingPeriod(
  executor: Executor,
  workspaceId: string,
  input: ReportingPeriodInput,
): Promise<ReportingPeriod> {
  const period = parseInput(periodInput, input);
  return { ...period, timeZone: await loadWorkspaceTimeZone(executor, workspaceId) };
}

/** The shop's time zone: its email settings' `timezone`, else UTC. */
export async function loadWorkspaceTimeZone(
  executor: Executor,
  workspaceId: string,
): Promise<string> {
  const settings = await executor.workspaceEmailSettings.findUnique({
    where: { workspaceId },
    select: { timezone: true },
  });
  return settings?.timezone ?? "UTC";
}

/** The first instant of the period. */
export function periodStartSql(period: ReportingPeriod): Prisma.Sql {
  return Prisma.sql`(${period.from}::date::timestamp AT TIME ZONE ${period.timeZone})`;
}

/** The first instant after the period. */
export function periodEndSql(period: ReportingPeriod): Prisma.Sql {
  return Prisma.sql`((${period.to}::date + 1)::timestamp AT TIME ZONE ${period.timeZone})`;
}

/** The local date starting the bucket an instant falls in. */
export function bucketOfSql(period: ReportingPeriod, instant: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`date_trunc(${period.bucket.toLowerCase()}, ${instant} AT TIME ZONE ${period.timeZone})::date`;
}

/** Every bucket's first local date, in order (the first may start before `from`). */
export function bucketStarts(period: Pick<ReportingPeriod, "from" | "to" | "bucket">): string[] {
  const starts: string[] = [];
  let cursor = truncate(period.from, period.bucket);
  while (cursor <= period.to) {
    starts.push(cursor);
    cursor = advance(cursor, period.bucket);
  }
  return starts;
}

function bucketCount(period: Pick<ReportingPeriod, "from" | "to" | "bucket">): number {
  return bucketStarts(period).length;
}

function truncate(date: string, bucket: ReportingBucket): string {
  const day = new Date(`${date}T00:00:00Z`);
  if (bucket === "MONTH") day.setUTCDate(1);
  if (bucket === "WEEK") day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

function advance(date: string, bucket: ReportingBucket): string {
  const day = new Date(`${date}T00:00:00Z`);
  if (bucket === "MONTH") day.setUTCMonth(day.getUTCMonth() + 1);
  else day.setUTCDate(day.getUTCDate() + (bucket === "WEEK" ? 7 : 1));
  return day.toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

/** A `date` column as Postgres returns it (midnight UTC of that date), as `YYYY-MM-DD`. */
export function isoDay(value: Date): string {
  return value.toISOString().slice(0, 10);
}
