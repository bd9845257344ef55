import { db } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import {
  type AttributionModel,
  type AttributionModelChange,
  previewAttributionModel,
} from "./attribution-settings.ts";
import { sameCredit } from "./credited-orders.ts";
import { recipientDayRollUp } from "./day-figures.ts";
import {
  bucketStarts,
  isoDay,
  type ReportingPeriod,
  type ReportingPeriodInput,
  resolveReportingPeriod,
} from "./reporting-period.ts";
import { bucketedFiguresSql, dailyRowsSql } from "./rolled-up-figures.ts";
import { orderRollUp, sourceRollUp } from "./slot-figures.ts";

/** Attributed revenue of one scenario or template: what it was credited and whom it mailed. */
export interface AttributedSource {
  id: string;
  name: string | null;
  revenue: bigint;
  orders: number;
  /** Contacts it sent marketing mail to during the period. */
  recipients: number;
}

export interface AttributionBucket {
  start: string;
  revenue: bigint;
  attributedRevenue: bigint;
  influencedRevenue: bigint;
  orders: number;
  attributedOrders: number;
}

export interface RevenueAttribution {
  period: ReportingPeriod;
  model: AttributionModel;
  currency: string;
  /** Every order of the period in the shop currency, under the model's basis. */
  revenue: bigint;
  /** Orders placed and not cancelled. */
  orders: number;
  /** Credited to exactly one message each. */
  attributedRevenue: bigint;
  attributedOrders: number;
  /** Orders with any person's open or click in the click window; overlaps attributed, never add them. */
  influencedRevenue: bigint;
  influencedOrders: number;
  /** Orders in another currency than the shop's, left out of every figure. */
  ordersInOtherCurrencies: number;
  byScenario: AttributedSource[];
  byTemplate: AttributedSource[];
  /** Credited clicks on links of recommendation blocks (`cw_block`), by block name. */
  byRecommendationBlock: { block: string; revenue: bigint; orders: number }[];
  buckets: AttributionBucket[];
}

interface TotalsRow {
  bucket: Date;
  revenue: bigint;
  orders: bigint;
  attributed_revenue: bigint;
  attributed_orders: bigint;
  influenced_revenue: bigint;
  influenced_orders: bigint;
}

interface SourceRow {
  id: string;
  name: string | null;
  revenue: bigint;
  orders: bigint;
  recipients: bigint;
}

/**
 * Revenue credited to marketing mail over a period, computed from the touch log and the orders
 * at query time: a changed model (`modelChange`, a preview; or a saved one) re-computes history.
 *
 * @example await reportRevenueAttribution(workspaceId, { from: "2026-11-01", to: "2026-11-30" }, { countOpens: true })
 */
export async function reportRevenueAttribution(
  workspaceId: string,
  periodInput: ReportingPeriodInput,
  modelChange?: AttributionModelChange | null,
): Promise<RevenueAttribution> {
  const executor = db();
  const period = await resolveReportingPeriod(executor, workspaceId, periodInput);
  const { model, saved } = await previewAttributionModel(executor, workspaceId, modelChange);
  const currency = await loadWorkspaceCurrency(executor, workspaceId);
  // A preview that credits differently cannot use the roll-ups: every slot is computed.
  const live = !sameCredit(model, saved);
  const basis = model.revenueBasis === "NET" ? "net" : "gross";
  const revenue = Prisma.raw(`revenue_${basis}`);
  const orders = orderRollUp(workspaceId, model);
  const sources = sourceRollUp(workspaceId, model);
  const recipientRows = dailyRowsSql(
    workspaceId,
    period,
    recipientDayRollUp(workspaceId, period.timeZone),
  );
  // Contacts sent its marketing mail in the period: each counted by their first such mail in it.
  const reachedSql = (source: string) => Prisma.sql`
    SELECT key::uuid AS id, sum(messages) FILTER (WHERE previous_day < ${period.from}::date) AS recipients
      FROM (${recipientRows}) r WHERE source = ${source} GROUP BY key`;
  const bySource = (source: string) =>
    bucketedFiguresSql(workspaceId, period, sources, {
      live,
      groupByBucket: false,
      filter: Prisma.sql`currency = ${currency} AND source = ${source}`,
    });

  const [totals, scenarios, templates, otherCurrencies, blocks] = await Promise.all([
    executor.$queryRaw<TotalsRow[]>`
      SELECT bucket, ${revenue} AS revenue, orders,
             ${Prisma.raw(`attributed_${basis}`)} AS attributed_revenue, attributed_orders,
             ${Prisma.raw(`influenced_${basis}`)} AS influenced_revenue, influenced_orders
        FROM (${bucketedFiguresSql(workspaceId, period, orders, { live, filter: Prisma.sql`currency = ${currency}` })}) f`,
    executor.$queryRaw<SourceRow[]>`
      WITH earned AS (SELECT key::uuid AS id, ${revenue} AS revenue, orders FROM (${bySource("scenario")}) f),
      reached AS (${reachedSql("scenario")})
      SELECT s.id::text, s.name, COALESCE(e.revenue, 0)::bigint AS revenue, COALESCE(e.orders, 0) AS orders,
             COALESCE(r.recipients, 0) AS recipients
        FROM scenarios s LEFT JOIN earned e ON e.id = s.id LEFT JOIN reached r ON r.id = s.id
       WHERE s.workspace_id = ${workspaceId}::uuid AND (e.id IS NOT NULL OR r.id IS NOT NULL)
       ORDER BY revenue DESC, recipients DESC, s.name`,
    executor.$queryRaw<SourceRow[]>`
      WITH earned AS (SELECT key::uuid AS id, ${revenue} AS revenue, orders FROM (${bySource("template")}) f),
      reached AS (${reachedSql("template")})
      SELECT t.id::text, t.name, COALESCE(e.revenue, 0)::bigint AS revenue, COALESCE(e.orders, 0) AS orders,
             COALESCE(r.recipients, 0) AS recipients
        FROM templates t LEFT JOIN earned e ON e.id = t.id LEFT JOIN reached r ON r.id = t.id
       WHERE t.workspace_id = ${workspaceId}::uuid AND (e.id IS NOT NULL OR r.id IS NOT NULL)
       ORDER BY revenue DESC, recipients DESC, t.name`,
    executor.$queryRaw<{ count: bigint }[]>`
      SELECT COALESCE(sum(orders), 0)::bigint AS count
        FROM (${bucketedFiguresSql(workspaceId, period, orders, { groupByBucket: false, filter: Prisma.sql`currency <> ${currency}` })}) f`,
    executor.$queryRaw<{ block: string; revenue: bigint; orders: bigint }[]>`
      SELECT key AS block, ${revenue} AS revenue, orders FROM (${bySource("block")}) f
       ORDER BY revenue DESC, block`,
  ]);

  const byStart = new Map(totals.map((row) => [isoDay(row.bucket), row]));
  const buckets = bucketStarts(period).map((startDay): AttributionBucket => {
    const row = byStart.get(startDay);
    return {
      start: startDay,
      revenue: row?.revenue ?? 0n,
      attributedRevenue: row?.attributed_revenue ?? 0n,
      influencedRevenue: row?.influenced_revenue ?? 0n,
      orders: Number(row?.orders ?? 0),
      attributedOrders: Number(row?.attributed_orders ?? 0),
    };
  });
  const sum = (pick: (bucket: AttributionBucket) => bigint) =>
    buckets.reduce((total, bucket) => total + pick(bucket), 0n);
  const count = (pick: (row: TotalsRow) => bigint) =>
    totals.reduce((total, row) => total + Number(pick(row)), 0);
  return {
    period,
    model,
    currency,
    revenue: sum((bucket) => bucket.revenue),
    orders: count((row) => row.orders),
    attributedRevenue: sum((bucket) => bucket.attributedRevenue),
    attributedOrders: count((row) => row.attributed_orders),
    influencedRevenue: sum((bucket) => bucket.influencedRevenue),
    influencedOrders: count((row) => row.influenced_orders),
    ordersInOtherCurrencies: Number(otherCurrencies[0]?.count ?? 0),
    byScenario: scenarios.map(toSource),
    byTemplate: templates.map(toSource),
    byRecommendationBlock: blocks.map((row) => ({
      block: row.block,
      revenue: row.revenue,
      orders: Number(row.orders),
    })),
    buckets,
  };
}

function toSource(row: SourceRow): AttributedSource {
  return {
    id: row.id,
    name: row.name,
    revenue: row.revenue,
    orders: Number(row.orders),
    recipients: Number(row.recipients),
  };
}
