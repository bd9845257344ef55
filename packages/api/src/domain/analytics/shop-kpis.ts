import { db } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { type AttributionModel, loadAttributionModel } from "./attribution-settings.ts";
import { creditedOrdersSql, humanClickSql } from "./credited-orders.ts";
import {
  bucketOfSql,
  bucketStarts,
  isoDay,
  periodEndSql,
  periodStartSql,
  type ReportingPeriod,
  type ReportingPeriodInput,
  resolveReportingPeriod,
} from "./reporting-period.ts";

/** A visit ends after this long without a page view. */
export const sessionGapMinutes = 30;

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
  const workspace = Prisma.sql`${workspaceId}::uuid`;
  const start = periodStartSql(period);
  const end = periodEndSql(period);
  const bucketOf = (instant: string) => bucketOfSql(period, Prisma.raw(instant));
  // One bucket's end instant, for "up to the end of the bucket".
  const bucketEnd = Prisma.sql`LEAST(((bucket + ${`1 ${period.bucket.toLowerCase()}`}::interval)::timestamp AT TIME ZONE ${period.timeZone}), ${end})`;

  const queries: Promise<Row[]>[] = [
    executor.$queryRaw<Row[]>`
      WITH credited AS (${creditedOrdersSql(workspaceId, period, model, currency)})
      SELECT ${bucketOf("ordered_at")} AS bucket,
             COALESCE(sum(revenue), 0)::bigint AS revenue,
             count(*) FILTER (WHERE NOT cancelled) AS orders,
             COALESCE(sum(revenue) FILTER (WHERE message_id IS NOT NULL), 0)::bigint AS email_revenue
        FROM credited GROUP BY 1`,
    executor.$queryRaw<Row[]>`
      WITH buyers AS (
        SELECT DISTINCT ${bucketOf("o.ordered_at")} AS bucket, o.contact_id
          FROM orders o
         WHERE o.workspace_id = ${workspace} AND o.currency = ${currency} AND o.status <> 'CANCELLED'
           AND o.contact_id IS NOT NULL AND o.ordered_at >= ${start} AND o.ordered_at < ${end})
      SELECT b.bucket, count(*) AS customers,
             count(*) FILTER (WHERE history.orders >= 2) AS repeat_customers,
             count(*) FILTER (WHERE history.first_at >= (b.bucket::timestamp AT TIME ZONE ${period.timeZone})) AS new_customers
        FROM buyers b
        CROSS JOIN LATERAL (
          SELECT count(*) AS orders, min(o.ordered_at) AS first_at FROM orders o
           WHERE o.workspace_id = ${workspace} AND o.contact_id = b.contact_id AND o.status <> 'CANCELLED'
             AND o.ordered_at < ${bucketEnd}) history
       GROUP BY 1`,
    executor.$queryRaw<Row[]>`
      WITH views AS (
        SELECT COALESCE(e.contact_id::text, 'anonymous:' || e.anonymous_id) AS visitor, e.contact_id,
               e.anonymous_id, e.occurred_at,
               e.occurred_at - lag(e.occurred_at) OVER visitor AS gap
          FROM events e
         WHERE e.workspace_id = ${workspace} AND e.name = 'Page Viewed'
           AND e.occurred_at >= ${start} AND e.occurred_at < ${end}
           AND (e.contact_id IS NOT NULL OR e.anonymous_id IS NOT NULL)
        WINDOW visitor AS (PARTITION BY COALESCE(e.contact_id::text, 'anonymous:' || e.anonymous_id) ORDER BY e.occurred_at)),
      numbered AS (
        SELECT *, count(*) FILTER (WHERE gap IS NULL OR gap >= make_interval(mins => ${sessionGapMinutes}))
                    OVER (PARTITION BY visitor ORDER BY occurred_at) AS session
          FROM views),
      sessions AS (
        SELECT visitor, min(contact_id::text)::uuid AS contact_id, min(anonymous_id) AS anonymous_id,
               min(occurred_at) AS started_at, max(occurred_at) + make_interval(mins => ${sessionGapMinutes}) AS ended_at
          FROM numbered GROUP BY visitor, session)
      SELECT ${bucketOf("s.started_at")} AS bucket, count(*) AS sessions,
             count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM orders o WHERE o.workspace_id = ${workspace} AND o.contact_id = s.contact_id
                  AND o.ordered_at >= s.started_at AND o.ordered_at < s.ended_at)
               OR EXISTS (
               SELECT 1 FROM events oc WHERE oc.workspace_id = ${workspace} AND oc.name = 'Order Completed'
                  AND oc.anonymous_id = s.anonymous_id
                  AND oc.occurred_at >= s.started_at AND oc.occurred_at < s.ended_at)) AS converted_sessions
        FROM sessions s GROUP BY 1`,
    executor.$queryRaw<Row[]>`
      SELECT date_trunc(${period.bucket.toLowerCase()}, day::timestamp)::date AS bucket, sum(amount)::bigint AS marketing_spend
        FROM marketing_spend
       WHERE workspace_id = ${workspace} AND day >= ${period.from}::date AND day <= ${period.to}::date
       GROUP BY 1`,
    executor.$queryRaw<Row[]>`
      SELECT ${bucketOf("created_at")} AS bucket, count(*) AS carts_created,
             count(*) FILTER (WHERE status = 'CONVERTED') AS carts_converted
        FROM carts
       WHERE workspace_id = ${workspace} AND created_at >= ${start} AND created_at < ${end}
       GROUP BY 1`,
    executor.$queryRaw<Row[]>`
      SELECT ${bucketOf("m.sent_at")} AS bucket, count(*) AS emails_sent,
             count(*) FILTER (WHERE m.bounced_at IS NOT NULL) AS emails_bounced,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_touches t
                                             WHERE t.message_id = m.id
                                               AND ((t.kind = 'OPENED' AND NOT t.machine) OR ${humanClickSql("t")}))) AS emails_opened,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_touches t
                                             WHERE t.message_id = m.id AND ${humanClickSql("t")})) AS emails_clicked,
             count(*) FILTER (WHERE m.unsubscribed_at IS NOT NULL) AS emails_unsubscribed,
             count(*) FILTER (WHERE m.complained_at IS NOT NULL) AS emails_complained,
             count(DISTINCT m.contact_id) FILTER (WHERE m.kind = 'MARKETING') AS email_recipients
        FROM messages m
       WHERE m.workspace_id = ${workspace} AND NOT m.is_test AND m.status = 'SENT'
         AND m.sent_at >= ${start} AND m.sent_at < ${end}
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
  const start = periodStartSql(period);
  const end = periodEndSql(period);
  const [people] = await db().$queryRaw<Record<string, bigint>[]>`
    WITH buyers AS (
      SELECT DISTINCT o.contact_id FROM orders o
       WHERE o.workspace_id = ${workspaceId}::uuid AND o.currency = ${currency} AND o.status <> 'CANCELLED'
         AND o.contact_id IS NOT NULL AND o.ordered_at >= ${start} AND o.ordered_at < ${end})
    SELECT count(*) AS customers,
           count(*) FILTER (WHERE history.orders >= 2) AS repeat_customers,
           count(*) FILTER (WHERE history.first_at >= ${start}) AS new_customers,
           (SELECT count(DISTINCT m.contact_id) FROM messages m
             WHERE m.workspace_id = ${workspaceId}::uuid AND NOT m.is_test AND m.status = 'SENT'
               AND m.kind = 'MARKETING' AND m.sent_at >= ${start} AND m.sent_at < ${end}) AS email_recipients
      FROM buyers b
      CROSS JOIN LATERAL (
        SELECT count(*) AS orders, min(o.ordered_at) AS first_at FROM orders o
         WHERE o.workspace_id = ${workspaceId}::uuid AND o.contact_id = b.contact_id
           AND o.status <> 'CANCELLED' AND o.ordered_at < ${end}) history`;
  return {
    customers: Number(people?.customers ?? 0),
    repeatCustomers: Number(people?.repeat_customers ?? 0),
    newCustomers: Number(people?.new_customers ?? 0),
    emailRecipients: Number(people?.email_recipients ?? 0),
  };
}
