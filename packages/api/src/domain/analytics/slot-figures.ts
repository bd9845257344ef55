import { Prisma } from "../../generated/prisma/client.ts";
import type { AttributionModel } from "./attribution-settings.ts";
import { creditedOrdersSql, humanClickSql } from "./credited-orders.ts";
import { slotInterval } from "./slots.ts";

/**
 * The summable figures of each slot, from the raw tables: what `roll_up_analytics` stores and
 * what a report computes itself for the slots not rolled up yet. Each function takes a query of
 * one `slot` column and returns one row per slot and key with any figure that is not zero.
 */

/** A roll-up table and how to compute its rows for any slots from the raw tables. */
export interface RollUpSource {
  table: "analytics_slots" | "order_slots" | "attribution_source_slots";
  /** Key columns besides the workspace and the slot (`currency`, `source`, `key`). */
  keys: readonly string[];
  /** Summed columns. */
  columns: readonly string[];
  /** Rows of `slot`, the keys and the columns for the slots the given query lists. */
  compute: (slotsSql: Prisma.Sql) => Prisma.Sql;
}

/** The activity roll-up: visits, carts, sent mail and its engagement. */
export function activityRollUp(workspaceId: string): RollUpSource {
  return {
    table: "analytics_slots",
    keys: [],
    columns: activityColumns,
    compute: (slots) => activityFiguresSql(workspaceId, slots),
  };
}

/** The orders roll-up, with what the model credits to mail. */
export function orderRollUp(workspaceId: string, model: AttributionModel): RollUpSource {
  return {
    table: "order_slots",
    keys: ["currency"],
    columns: orderColumns,
    compute: (slots) => orderFiguresSql(workspaceId, slots, model),
  };
}

/** Credited revenue by scenario, template and recommendation block. */
export function sourceRollUp(workspaceId: string, model: AttributionModel): RollUpSource {
  return {
    table: "attribution_source_slots",
    keys: ["currency", "source", "key"],
    columns: sourceColumns,
    compute: (slots) => sourceFiguresSql(workspaceId, slots, model),
  };
}

/** Columns of `analytics_slots`, besides the workspace and the slot. */
export const activityColumns = [
  "sessions",
  "converted_sessions",
  "carts_created",
  "carts_converted",
  "emails_sent",
  "emails_bounced",
  "emails_opened",
  "emails_clicked",
  "emails_unsubscribed",
  "emails_complained",
] as const;

/** Columns of `order_slots`, besides the workspace, the slot and the currency. */
export const orderColumns = [
  "orders",
  "revenue_net",
  "revenue_gross",
  "attributed_orders",
  "attributed_net",
  "attributed_gross",
  "influenced_orders",
  "influenced_net",
  "influenced_gross",
] as const;

/** Columns of `attribution_source_slots`, besides workspace, slot, currency, source and key. */
export const sourceColumns = ["orders", "revenue_net", "revenue_gross"] as const;

/**
 * Visits (by the slot they started in), carts (by their creation), and sent mail (by its send,
 * test sends left out) with its bounces, person's opens (an open, or a click, by a person),
 * person's clicks, unsubscribes and complaints.
 */
export function activityFiguresSql(workspaceId: string, slotsSql: Prisma.Sql): Prisma.Sql {
  const workspace = Prisma.sql`${workspaceId}::uuid`;
  const within = (column: string) =>
    Prisma.sql`${Prisma.raw(column)} >= s.slot AND ${Prisma.raw(column)} < s.slot + ${slotInterval}`;
  return Prisma.sql`
    WITH s AS (${slotsSql}),
    visits AS (
      SELECT s.slot, count(*) AS sessions, count(*) FILTER (WHERE v.converted) AS converted_sessions
        FROM s JOIN visitor_sessions v ON v.workspace_id = ${workspace} AND ${within("v.started_at")}
       GROUP BY 1),
    carts AS (
      SELECT s.slot, count(*) AS carts_created, count(*) FILTER (WHERE c.status = 'CONVERTED') AS carts_converted
        FROM s JOIN carts c ON c.workspace_id = ${workspace} AND ${within("c.created_at")}
       GROUP BY 1),
    mail AS (
      SELECT s.slot, count(*) AS emails_sent,
             count(*) FILTER (WHERE m.bounced_at IS NOT NULL) AS emails_bounced,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_touches t
                                             WHERE t.message_id = m.id
                                               AND ((t.kind = 'OPENED' AND NOT t.machine) OR ${humanClickSql("t")}))) AS emails_opened,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_touches t
                                             WHERE t.message_id = m.id AND ${humanClickSql("t")})) AS emails_clicked,
             count(*) FILTER (WHERE m.unsubscribed_at IS NOT NULL) AS emails_unsubscribed,
             count(*) FILTER (WHERE m.complained_at IS NOT NULL) AS emails_complained
        FROM s JOIN messages m ON m.workspace_id = ${workspace} AND m.status = 'SENT' AND NOT m.is_test
                              AND ${within("m.sent_at")}
       GROUP BY 1)
    SELECT s.slot,
           COALESCE(visits.sessions, 0)::int AS sessions,
           COALESCE(visits.converted_sessions, 0)::int AS converted_sessions,
           COALESCE(carts.carts_created, 0)::int AS carts_created,
           COALESCE(carts.carts_converted, 0)::int AS carts_converted,
           COALESCE(mail.emails_sent, 0)::int AS emails_sent,
           COALESCE(mail.emails_bounced, 0)::int AS emails_bounced,
           COALESCE(mail.emails_opened, 0)::int AS emails_opened,
           COALESCE(mail.emails_clicked, 0)::int AS emails_clicked,
           COALESCE(mail.emails_unsubscribed, 0)::int AS emails_unsubscribed,
           COALESCE(mail.emails_complained, 0)::int AS emails_complained
      FROM s LEFT JOIN visits USING (slot) LEFT JOIN carts USING (slot) LEFT JOIN mail USING (slot)
     WHERE visits.slot IS NOT NULL OR carts.slot IS NOT NULL OR mail.slot IS NOT NULL`;
}

/**
 * Orders per slot and currency: placed and not cancelled, revenue net (refunds deducted, a
 * cancelled order 0) and gross, and what the model credits to marketing mail or it influenced.
 */
export function orderFiguresSql(
  workspaceId: string,
  slotsSql: Prisma.Sql,
  model: AttributionModel,
): Prisma.Sql {
  return Prisma.sql`
    WITH credited AS (${creditedOrdersSql(workspaceId, model, slotsSql)})
    SELECT slot, currency,
           count(*) FILTER (WHERE NOT cancelled)::int AS orders,
           COALESCE(sum(net), 0)::bigint AS revenue_net,
           COALESCE(sum(gross), 0)::bigint AS revenue_gross,
           count(*) FILTER (WHERE message_id IS NOT NULL AND NOT cancelled)::int AS attributed_orders,
           COALESCE(sum(net) FILTER (WHERE message_id IS NOT NULL), 0)::bigint AS attributed_net,
           COALESCE(sum(gross) FILTER (WHERE message_id IS NOT NULL), 0)::bigint AS attributed_gross,
           count(*) FILTER (WHERE influenced AND NOT cancelled)::int AS influenced_orders,
           COALESCE(sum(net) FILTER (WHERE influenced), 0)::bigint AS influenced_net,
           COALESCE(sum(gross) FILTER (WHERE influenced), 0)::bigint AS influenced_gross
      FROM credited GROUP BY slot, currency`;
}

/** Credited orders per slot, currency and scenario, template or recommendation block. */
export function sourceFiguresSql(
  workspaceId: string,
  slotsSql: Prisma.Sql,
  model: AttributionModel,
): Prisma.Sql {
  return Prisma.sql`
    WITH credited AS (${creditedOrdersSql(workspaceId, model, slotsSql)}),
    sources AS (
      SELECT slot, currency, 'scenario' AS source, scenario_id::text AS key, net, gross, cancelled
        FROM credited WHERE scenario_id IS NOT NULL
      UNION ALL
      SELECT slot, currency, 'template', template_id::text, net, gross, cancelled
        FROM credited WHERE template_id IS NOT NULL
      UNION ALL
      SELECT slot, currency, 'block', block, net, gross, cancelled FROM credited WHERE block IS NOT NULL)
    SELECT slot, currency, source, key,
           count(*) FILTER (WHERE NOT cancelled)::int AS orders,
           COALESCE(sum(net), 0)::bigint AS revenue_net,
           COALESCE(sum(gross), 0)::bigint AS revenue_gross
      FROM sources GROUP BY slot, currency, source, key`;
}
