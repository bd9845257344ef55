import { Prisma } from "../../generated/prisma/client.ts";

/**
 * The distinct-people figures (customers, recipients) cannot be summed over slots: a person
 * counts once however often they buy. Each order and sent marketing mail carries when its
 * contact's previous one was (`previous_order_at`, `previous_sent_at`…, kept by triggers), so a
 * person is counted by their first order (or mail) of any range of days: the one whose previous
 * came before the range. These roll-ups keep, per local day of the shop's time zone, how many
 * orders (mails) came by the day of their previous one (`-infinity` for a first), which makes
 * those counts a sum over a few rows per day.
 */

/** Rows of `customer_days` for the days the given query (one `day` column) lists. */
export function customerDaysSql(workspaceId: string, timeZone: string, daysSql: Prisma.Sql) {
  return Prisma.sql`
    SELECT d.day, o.currency,
           COALESCE((o.previous_order_at AT TIME ZONE ${timeZone})::date, '-infinity'::date) AS previous_day,
           count(*)::int AS orders, count(*) FILTER (WHERE o.customer_order_number = 2)::int AS second_orders
      FROM (${daysSql}) d
      JOIN orders o ON o.workspace_id = ${workspaceId}::uuid AND o.customer_order_number IS NOT NULL
                   AND o.ordered_at >= (d.day::timestamp AT TIME ZONE ${timeZone})
                   AND o.ordered_at < ((d.day + 1)::timestamp AT TIME ZONE ${timeZone})
     GROUP BY 1, 2, 3`;
}

/** Rows of `recipient_days` (all marketing mail, and per template and scenario). */
export function recipientDaysSql(workspaceId: string, timeZone: string, daysSql: Prisma.Sql) {
  return Prisma.sql`
    SELECT d.day, kinds.source, kinds.key,
           COALESCE((kinds.previous AT TIME ZONE ${timeZone})::date, '-infinity'::date) AS previous_day,
           count(*)::int AS messages
      FROM (${daysSql}) d
      JOIN messages m ON m.workspace_id = ${workspaceId}::uuid AND m.status = 'SENT' AND NOT m.is_test
                     AND m.kind = 'MARKETING'
                     AND m.sent_at >= (d.day::timestamp AT TIME ZONE ${timeZone})
                     AND m.sent_at < ((d.day + 1)::timestamp AT TIME ZONE ${timeZone})
     CROSS JOIN LATERAL (VALUES ('all', '', m.previous_sent_at),
                                ('template', m.template_id::text, m.previous_template_sent_at),
                                ('scenario', m.scenario_id::text, m.previous_scenario_sent_at)) kinds(source, key, previous)
     WHERE kinds.key IS NOT NULL
     GROUP BY 1, 2, 3, 4`;
}

/** A daily roll-up table and how to compute its rows for any days. */
export interface DayRollUp {
  table: "customer_days" | "recipient_days";
  /** Every column but the workspace. */
  columns: readonly string[];
  compute: (daysSql: Prisma.Sql) => Prisma.Sql;
}

export function customerDayRollUp(workspaceId: string, timeZone: string): DayRollUp {
  return {
    table: "customer_days",
    columns: ["day", "currency", "previous_day", "orders", "second_orders"],
    compute: (days) => customerDaysSql(workspaceId, timeZone, days),
  };
}

export function recipientDayRollUp(workspaceId: string, timeZone: string): DayRollUp {
  return {
    table: "recipient_days",
    columns: ["day", "source", "key", "previous_day", "messages"],
    compute: (days) => recipientDaysSql(workspaceId, timeZone, days),
  };
}
