import { Prisma } from "../../generated/prisma/client.ts";
import type { DayRollUp } from "./day-figures.ts";
import {
  bucketOfSql,
  periodEndSql,
  periodStartSql,
  type ReportingPeriod,
} from "./reporting-period.ts";
import type { RollUpSource } from "./slot-figures.ts";
import { slotsBetweenSql } from "./slots.ts";

/**
 * Each bucket's sums of a roll-up over the period, exact at any moment: slots whose roll-up is
 * current are read from it; slots marked dirty since (or every slot, when `live` or when the
 * whole workspace is marked, as after a change of the attribution model) are computed from the
 * raw tables in the same statement. Rows: `bucket` (the local date it starts), the keys, each
 * column summed; `filter` narrows the rows (e.g. to the shop currency) before they are summed.
 */
export function bucketedFiguresSql(
  workspaceId: string,
  period: ReportingPeriod,
  source: RollUpSource,
  options: { live?: boolean; filter?: Prisma.Sql; groupByBucket?: boolean } = {},
): Prisma.Sql {
  const workspace = Prisma.sql`${workspaceId}::uuid`;
  const start = periodStartSql(period);
  const end = periodEndSql(period);
  const keys = source.keys.map((key) => Prisma.raw(key));
  const selected = Prisma.join(
    [Prisma.sql`slot`, ...keys, ...source.columns.map((column) => Prisma.raw(column))],
    ", ",
  );
  const sums = Prisma.join(
    source.columns.map((column) => Prisma.raw(`COALESCE(sum(${column}), 0)::bigint AS ${column}`)),
    ", ",
  );
  const groupByBucket = options.groupByBucket ?? true;
  const grouping = [...(groupByBucket ? [Prisma.sql`bucket`] : []), ...keys];
  return Prisma.sql`
    WITH dirty AS (
      SELECT DISTINCT slot FROM analytics_dirty_slots
       WHERE workspace_id = ${workspace} AND (slot IS NULL OR (slot >= ${start} AND slot < ${end}))),
    everything AS (SELECT ${options.live ?? false} OR EXISTS (SELECT 1 FROM dirty WHERE slot IS NULL) AS live),
    live_slots AS (
      SELECT slot FROM dirty WHERE slot IS NOT NULL AND NOT (SELECT live FROM everything)
      UNION ALL
      SELECT slot FROM (${slotsBetweenSql(start, end)}) every_slot WHERE (SELECT live FROM everything)),
    figures AS (
      SELECT ${selected} FROM ${Prisma.raw(source.table)}
       WHERE workspace_id = ${workspace} AND slot >= ${start} AND slot < ${end}
         AND NOT (SELECT live FROM everything)
         AND slot NOT IN (SELECT slot FROM dirty WHERE slot IS NOT NULL)
      UNION ALL
      SELECT ${selected} FROM (${source.compute(Prisma.sql`SELECT slot FROM live_slots`)}) computed)
    SELECT ${groupByBucket ? Prisma.sql`${bucketOfSql(period, Prisma.sql`slot`)} AS bucket, ` : Prisma.empty}${keys.length > 0 ? Prisma.sql`${Prisma.join(keys, ", ")}, ` : Prisma.empty}${sums}
      FROM figures
     ${options.filter ? Prisma.sql`WHERE ${options.filter}` : Prisma.empty}
     ${grouping.length > 0 ? Prisma.sql`GROUP BY ${Prisma.join(grouping, ", ")}` : Prisma.empty}`;
}

/**
 * The rows of a daily roll-up for the period's days, exact at any moment as `bucketedFiguresSql`
 * is: days with a dirty slot (or every day, when the whole workspace is marked) are computed
 * from the raw tables. Rows carry every column of the roll-up; the caller sums them.
 */
export function dailyRowsSql(
  workspaceId: string,
  period: ReportingPeriod,
  rollUp: DayRollUp,
): Prisma.Sql {
  const workspace = Prisma.sql`${workspaceId}::uuid`;
  const columns = Prisma.raw(rollUp.columns.join(", "));
  return Prisma.sql`
    WITH dirty_days AS (
      SELECT DISTINCT (slot AT TIME ZONE ${period.timeZone})::date AS day FROM analytics_dirty_slots
       WHERE workspace_id = ${workspace} AND slot >= ${periodStartSql(period)} AND slot < ${periodEndSql(period)}),
    everything AS (
      SELECT EXISTS (SELECT 1 FROM analytics_dirty_slots WHERE workspace_id = ${workspace} AND slot IS NULL) AS live),
    live_days AS (
      SELECT day FROM dirty_days WHERE NOT (SELECT live FROM everything)
      UNION ALL
      SELECT generate_series(${period.from}::date, ${period.to}::date, interval '1 day')::date
       WHERE (SELECT live FROM everything))
    SELECT ${columns} FROM ${Prisma.raw(rollUp.table)}
     WHERE workspace_id = ${workspace} AND day >= ${period.from}::date AND day <= ${period.to}::date
       AND NOT (SELECT live FROM everything) AND day NOT IN (SELECT day FROM dirty_days)
    UNION ALL
    SELECT ${columns} FROM (${rollUp.compute(Prisma.sql`SELECT day FROM live_days`)}) computed`;
}
