import { db } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { type AttributionModel, loadAttributionModel } from "./attribution-settings.ts";
import { customerDayRollUp, recipientDayRollUp } from "./day-figures.ts";
import {
  bucketStarts,
  isoDay,
  type ReportingPeriod,
  type ReportingPeriodInput,
  resolveReportingPeriod,
} from "./reporting-period.ts";
import { bucketedFiguresSql, dailyRowsSql } from "./rolled-up-figures.ts";
import { activityRollUp, orderRollUp } from "./slot-figures.ts";

/** The raw counts of one bucket (or of the whole period); every rate is derived from them. */
export interface KpiCounts {
  revenue: bigint;
  orders: number;
  customers: number;
  /** Customers of the bucket with at least two orders up to its end. */
  repeatCustomers: number;
  /** Customers whose first order ever is in the bucket. */
  newCustomers: number;
  sessions: number;
  convertedSessions: number;
  cartsCreated: number;
  cartsConverted: number;
  emailsSent: number;
  emailsBounced: number;
  emailsOpened: number;
  emailsClicked: number;
  emailsUnsubscribed: number;
  emailsComplained: number;
  emailRevenue: bigint;
  /** Contacts sent marketing mail in the bucket. */
  emailRecipients: number;
  /** Marketing spend entered for the bucket's days, every channel. */
  marketingSpend: bigint;
}

export interface KpiBucket extends KpiCounts {
  start: string;
}

export interface ShopKpis {
  period: ReportingPeriod;
  model: AttributionModel;
  currency: string;
  total: KpiCounts;
  buckets: KpiBucket[];
}

type Row = { bucket: Date } & Record<string, bigint | number | null>;

/**
 * The shop's figures over a period, per bucket of the workspace's time zone and in total.
 * Revenue is in the shop currency under the saved attribution model's basis (net by default);
 * orders in other currencies are left out. Rates are computed from these counts (`kpiRates`),
 * so a total is never an average of averages.
 *
 * @example await reportShopKpis(workspaceId, { from: "2026-11-01", to: "2026-11-30", bucket: "WEEK" })
 */
export async function reportShopKpis(
  workspaceId: string,
  periodInput: ReportingPeriodInput,
): Promise<ShopKpis> {
  const executor = db();
  const period = await resolveReportingPeriod(executor, workspaceId, periodInput);
  const model = await loadAttributionModel(workspaceId, executor);
  const currency = await loadWorkspaceCurrency(executor, workspaceId);
  const basis = model.revenueBasis === "NET" ? "net" : "gross";
  const inCurrency = Prisma.sql`currency = ${currency}`;

  const queries: Promise<Row[]>[] = [
    executor.$queryRaw<Row[]>`
      SELECT bucket, ${Prisma.raw(`revenue_${basis}`)} AS revenue, orders,
             ${Prisma.raw(`attributed_${basis}`)} AS email_revenue
        FROM (${bucketedFiguresSql(workspaceId, period, orderRollUp(workspaceId, model), { filter: inCurrency })}) f`,
    executor.$queryRaw<
      Row[]
    >`${bucketedFiguresSql(workspaceId, period, activityRollUp(workspaceId))}`,
    executor.$queryRaw<Row[]>`${customersSql(workspaceId, period, currency, true)}`,
    executor.$queryRaw<Row[]>`${recipientsSql(workspaceId, period, true)}`,
    executor.$queryRaw<Row[]>`
      SELECT date_trunc(${period.bucket.toLowerCase()}, day::timestamp)::date AS bucket, sum(amount)::bigint AS marketing_spend
        FROM marketing_spend
       WHERE workspace_id = ${workspaceId}::uuid AND day >= ${period.from}::date AND day <= ${period.to}::date
       GROUP BY 1`,
  ];
  const rowsByBucket = new Map<string, Record<string, bigint | number | null>>();
  for (const rows of await Promise.all(queries)) {
    for (const { bucket, ...values } of rows) {
      const key = isoDay(bucket);
      rowsByBucket.set(key, { ...rowsByBucket.get(key), ...values });
    }
  }
  const buckets = bucketStarts(period).map((startDay) => ({
    start: startDay,
    ...toCounts(rowsByBucket.get(startDay) ?? {}),
  }));
  const total = await totalCounts(buckets, () =>
    reportPeriodCustomers(workspaceId, period, currency),
  );
  return { period, model, currency, total, buckets };
}

/** The rates a marketer reads, each null when its denominator is zero. */
export function kpiRates(counts: KpiCounts) {
  const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);
  const delivered = counts.emailsSent - counts.emailsBounced;
  return {
    averageOrderValue: counts.orders === 0 ? null : counts.revenue / BigInt(counts.orders),
    repeatPurchaseRate: ratio(counts.repeatCustomers, counts.customers),
    conversionRate: ratio(counts.convertedSessions, counts.sessions),
    cartAbandonmentRate:
      counts.cartsCreated === 0 ? null : 1 - counts.cartsConverted / counts.cartsCreated,
    bounceRate: ratio(counts.emailsBounced, counts.emailsSent),
    openRate: ratio(counts.emailsOpened, delivered),
    clickRate: ratio(counts.emailsClicked, delivered),
    unsubscribeRate: ratio(counts.emailsUnsubscribed, delivered),
    complaintRate: ratio(counts.emailsComplained, delivered),
    emailRevenueShare:
      counts.revenue === 0n ? null : Number(counts.emailRevenue) / Number(counts.revenue),
    revenuePerRecipient:
      counts.emailRecipients === 0 ? null : counts.emailRevenue / BigInt(counts.emailRecipients),
    customerAcquisitionCost:
      counts.newCustomers === 0 ? null : counts.marketingSpend / BigInt(counts.newCustomers),
  };
}

const countColumns: Record<keyof KpiCounts, string> = {
  revenue: "revenue",
  orders: "orders",
  customers: "customers",
  repeatCustomers: "repeat_customers",
  newCustomers: "new_customers",
  sessions: "sessions",
  convertedSessions: "converted_sessions",
  cartsCreated: "carts_created",
  cartsConverted: "carts_converted",
  emailsSent: "emails_sent",
  emailsBounced: "emails_bounced",
  emailsOpened: "emails_opened",
  emailsClicked: "emails_clicked",
  emailsUnsubscribed: "emails_unsubscribed",
  emailsComplained: "emails_complained",
  emailRevenue: "email_revenue",
  emailRecipients: "email_recipients",
  marketingSpend: "marketing_spend",
};

const moneyCounts = new Set<keyof KpiCounts>(["revenue", "emailRevenue", "marketingSpend"]);

function toCounts(values: Record<string, bigint | number | null>): KpiCounts {
  const counts = {} as Record<keyof KpiCounts, bigint | number>;
  for (const [field, column] of Object.entries(countColumns) as [keyof KpiCounts, string][]) {
    const value = values[column] ?? 0;
    counts[field] = moneyCounts.has(field) ? BigInt(value) : Number(value);
  }
  return counts as unknown as KpiCounts;
}

/**
 * The period's totals: sums of the buckets, except the distinct-people counts (customers,
 * repeat and new customers, recipients), which a sum would count once per bucket.
 */
async function totalCounts(
  buckets: KpiBucket[],
  loadPeople: () => Promise<
    Pick<KpiCounts, "customers" | "repeatCustomers" | "newCustomers" | "emailRecipients">
  >,
): Promise<KpiCounts> {
  const summed = toCounts({});
  for (const bucket of buckets) {
    for (const field of Object.keys(countColumns) as (keyof KpiCounts)[]) {
      (summed as unknown as Record<string, bigint | number>)[field] = moneyCounts.has(field)
        ? (summed[field] as bigint) + (bucket[field] as bigint)
        : (summed[field] as number) + (bucket[field] as number);
    }
  }
  return { ...summed, ...(await loadPeople()) };
}

async function reportPeriodCustomers(
  workspaceId: string,
  period: ReportingPeriod,
  currency: string,
): Promise<Pick<KpiCounts, "customers" | "repeatCustomers" | "newCustomers" | "emailRecipients">> {
  const executor = db();
  const [[customers], [recipients]] = await Promise.all([
    executor.$queryRaw<
      Record<string, bigint>[]
    >`${customersSql(workspaceId, period, currency, false)}`,
    executor.$queryRaw<Record<string, bigint>[]>`${recipientsSql(workspaceId, period, false)}`,
  ]);
  return {
    customers: Number(customers?.customers ?? 0),
    repeatCustomers: Number(customers?.repeat_customers ?? 0),
    newCustomers: Number(customers?.new_customers ?? 0),
    emailRecipients: Number(recipients?.email_recipients ?? 0),
  };
}

/**
 * Distinct buyers per bucket (or in the whole period), from the daily roll-up of orders by the
 * day of the contact's previous order: a contact counts in a bucket by their first order in it,
 * the one whose previous order came before the bucket; they are a repeat customer when that
 * order is at least their second, or when their second order is also in the bucket; a new
 * customer when their first order ever is in it.
 */
function customersSql(
  workspaceId: string,
  period: ReportingPeriod,
  currency: string,
  byBucket: boolean,
): Prisma.Sql {
  return Prisma.sql`
    WITH rows AS (${dailyRowsSql(workspaceId, period, customerDayRollUp(workspaceId, period.timeZone))}),
    placed AS (
      SELECT *, ${bucketOfDaySql(period)} AS bucket FROM rows WHERE currency = ${currency})
    SELECT ${byBucket ? Prisma.sql`bucket, ` : Prisma.empty}
           COALESCE(sum(orders) FILTER (WHERE previous_day < ${since(period, byBucket)}), 0) AS customers,
           COALESCE(sum(orders) FILTER (WHERE previous_day < ${since(period, byBucket)} AND previous_day > '-infinity'::date), 0)
             + COALESCE(sum(second_orders) FILTER (WHERE previous_day >= ${since(period, byBucket)}), 0) AS repeat_customers,
           COALESCE(sum(orders) FILTER (WHERE previous_day = '-infinity'::date), 0) AS new_customers
      FROM placed
     ${byBucket ? Prisma.sql`GROUP BY bucket` : Prisma.empty}`;
}

/** Distinct contacts sent marketing mail per bucket (or in the whole period), the same way. */
function recipientsSql(
  workspaceId: string,
  period: ReportingPeriod,
  byBucket: boolean,
): Prisma.Sql {
  return Prisma.sql`
    WITH rows AS (${dailyRowsSql(workspaceId, period, recipientDayRollUp(workspaceId, period.timeZone))}),
    sent AS (SELECT *, ${bucketOfDaySql(period)} AS bucket FROM rows WHERE source = 'all')
    SELECT ${byBucket ? Prisma.sql`bucket, ` : Prisma.empty}
           COALESCE(sum(messages) FILTER (WHERE previous_day < ${since(period, byBucket)}), 0) AS email_recipients
      FROM sent
     ${byBucket ? Prisma.sql`GROUP BY bucket` : Prisma.empty}`;
}

/** The first local date of a roll-up row's bucket. */
function bucketOfDaySql(period: ReportingPeriod): Prisma.Sql {
  return Prisma.sql`date_trunc(${period.bucket.toLowerCase()}, day::timestamp)::date`;
}

/**
 * Where a person's first order (or mail) of the range must follow their previous one: the
 * bucket's first day within the period, or the period's.
 */
function since(period: ReportingPeriod, byBucket: boolean): Prisma.Sql {
  return byBucket
    ? Prisma.sql`GREATEST(bucket, ${period.from}::date)`
    : Prisma.sql`${period.from}::date`;
}
