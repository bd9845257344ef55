import { db } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { loadAttributionModel } from "./attribution-settings.ts";
import { orderRevenueSql } from "./credited-orders.ts";
import {
  bucketOfSql,
  isoDay,
  periodEndSql,
  periodStartSql,
  type ReportingPeriod,
  type ReportingPeriodInput,
  resolveReportingPeriod,
} from "./reporting-period.ts";

/** The days after a customer's first order at which their cumulative revenue is read. */
export const lifetimeHorizons = [30, 90, 180, 365] as const;

export interface CohortFigures {
  /** The first local date of the bucket the customers' first orders fall in. */
  start: string;
  customers: number;
  /**
   * Cumulative revenue per customer within each horizon of their own first order, by horizon;
   * null while some customer of the cohort has not been a customer that long yet.
   */
  revenuePerCustomer: Record<(typeof lifetimeHorizons)[number], bigint | null>;
}

export interface CustomerCohorts {
  period: ReportingPeriod;
  currency: string;
  asOf: Date;
  cohorts: CohortFigures[];
}

type Row = { cohort: Date; customers: bigint; last_first_at: Date } & Record<string, bigint | Date>;

/**
 * Historical lifetime value per acquisition cohort: customers grouped by the bucket of their
 * first order (cancelled orders do not count), and for each cohort the revenue of their orders
 * within 30, 90, 180 and 365 days of their own first order, per customer, under the
 * attribution model's basis (net: refunds known today deducted).
 *
 * @example await reportCustomerCohorts(workspaceId, { from: "2026-01-01", to: "2026-06-30", bucket: "MONTH" })
 */
export async function reportCustomerCohorts(
  workspaceId: string,
  periodInput: ReportingPeriodInput,
  options: { asOf?: Date } = {},
): Promise<CustomerCohorts> {
  const executor = db();
  const asOf = options.asOf ?? new Date();
  const period = await resolveReportingPeriod(executor, workspaceId, periodInput);
  const model = await loadAttributionModel(workspaceId, executor);
  const currency = await loadWorkspaceCurrency(executor, workspaceId);
  const horizonColumns = lifetimeHorizons.map(
    (days) =>
      Prisma.sql`COALESCE(sum(o.revenue) FILTER (WHERE o.ordered_at < o.first_at + make_interval(days => ${days})), 0)::bigint AS ${Prisma.raw(`revenue_${days}`)}`,
  );
  const rows = await executor.$queryRaw<Row[]>`
    WITH firsts AS (
      SELECT contact_id, min(ordered_at) AS first_at FROM orders
       WHERE workspace_id = ${workspaceId}::uuid AND currency = ${currency} AND status <> 'CANCELLED'
         AND contact_id IS NOT NULL
       GROUP BY contact_id),
    members AS (
      SELECT contact_id, first_at, ${bucketOfSql(period, Prisma.sql`first_at`)} AS cohort FROM firsts
       WHERE first_at >= ${periodStartSql(period)} AND first_at < ${periodEndSql(period)}),
    revenue AS (
      SELECT m.cohort, m.contact_id, m.first_at, o.ordered_at, ${orderRevenueSql(model)} AS revenue
        FROM members m JOIN orders o
          ON o.workspace_id = ${workspaceId}::uuid AND o.contact_id = m.contact_id AND o.currency = ${currency}
         AND o.ordered_at >= m.first_at)
    SELECT o.cohort, count(DISTINCT o.contact_id) AS customers, max(o.first_at) AS last_first_at,
           ${Prisma.join(horizonColumns)}
      FROM revenue o
     GROUP BY o.cohort ORDER BY o.cohort`;
  return {
    period,
    currency,
    asOf,
    cohorts: rows.map((row) => {
      const customers = Number(row.customers);
      const revenuePerCustomer = Object.fromEntries(
        lifetimeHorizons.map((days) => {
          const observed = row.last_first_at.getTime() + days * 86_400_000 <= asOf.getTime();
          const total = row[`revenue_${days}`] as bigint;
          return [days, observed ? total / BigInt(customers) : null];
        }),
      ) as CohortFigures["revenuePerCustomer"];
      return { start: isoDay(row.cohort), customers, revenuePerCustomer };
    }),
  };
}
