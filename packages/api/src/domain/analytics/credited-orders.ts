import { Prisma } from "../../generated/prisma/client.ts";
import { scannerBurstSeconds } from "../messages/engagement/record-touch.ts";
import type { AttributionModel } from "./attribution-settings.ts";
import { slotInterval } from "./slots.ts";

/**
 * A touch (aliased `alias`) that is a person's click: not flagged at write time, and no click
 * on another link of the same message within `scannerBurstSeconds` either side (a scanner
 * opening every link at once; the first of its clicks could not know the others were coming).
 */
export function humanClickSql(alias: string): Prisma.Sql {
  const t = Prisma.raw(alias);
  return Prisma.sql`(${t}.kind = 'CLICKED' AND NOT ${t}.machine AND NOT EXISTS (
    SELECT 1 FROM message_touches burst
     WHERE burst.message_id = ${t}.message_id AND burst.kind = 'CLICKED'
       AND burst.url IS DISTINCT FROM ${t}.url
       AND burst.occurred_at BETWEEN ${t}.occurred_at - make_interval(secs => ${scannerBurstSeconds})
                                 AND ${t}.occurred_at + make_interval(secs => ${scannerBurstSeconds})))`;
}

/** An order's revenue under the model's basis. */
export function orderRevenueSql(model: AttributionModel, alias = "o"): Prisma.Sql {
  const o = Prisma.raw(alias);
  return model.revenueBasis === "NET"
    ? Prisma.sql`(CASE WHEN ${o}.status = 'CANCELLED' THEN 0 ELSE ${o}.total - ${o}.refunded_amount END)`
    : Prisma.sql`${o}.total`;
}

/** Credit-relevant parts of two models agree: roll-ups made under one serve the other. */
export function sameCredit(a: AttributionModel, b: AttributionModel): boolean {
  return (
    a.clickWindowHours === b.clickWindowHours &&
    a.countOpens === b.countOpens &&
    (!a.countOpens || a.openWindowHours === b.openWindowHours)
  );
}

/**
 * Every order placed in the given slots (`slotsSql`: a query of one `slot` column, each the
 * start of a 15-minute slot), in every currency, with the one marketing message credited for it
 * under the model, if any: the latest person's click within the click window, else (when opens
 * count) the latest person's open within the open window. Machine opens and scanner clicks
 * never earn credit; transactional mail never does either. `influenced` is whether any person's
 * open or click of a marketing message came within the click window before it.
 *
 * Columns: slot, order_id, contact_id, currency, ordered_at, net, gross, cancelled, message_id,
 * template_id, scenario_id, scenario_node_id, block (the recommendation block of a credited
 * click's link), credited_by ('CLICKED' | 'OPENED' | null), influenced.
 */
export function creditedOrdersSql(
  workspaceId: string,
  model: AttributionModel,
  slotsSql: Prisma.Sql,
): Prisma.Sql {
  const clickWindow = Prisma.sql`make_interval(hours => ${model.clickWindowHours})`;
  const openWindow = Prisma.sql`make_interval(hours => ${model.openWindowHours})`;
  const widest = Prisma.sql`make_interval(hours => ${Math.max(model.clickWindowHours, model.countOpens ? model.openWindowHours : 0)})`;
  return Prisma.sql`
    SELECT s.slot, o.id AS order_id, o.contact_id, o.currency, o.ordered_at,
           ${orderRevenueSql({ ...model, revenueBasis: "NET" })} AS net, o.total AS gross,
           o.status = 'CANCELLED' AS cancelled,
           credit.message_id, credit.template_id, credit.scenario_id, credit.scenario_node_id,
           credit.block, credit.kind::text AS credited_by,
           credit.message_id IS NOT NULL OR EXISTS (
             SELECT 1 FROM message_touches t JOIN messages m ON m.id = t.message_id AND m.kind = 'MARKETING'
              WHERE t.workspace_id = o.workspace_id AND t.contact_id = o.contact_id
                AND t.occurred_at <= o.ordered_at AND t.occurred_at > o.ordered_at - ${clickWindow}
                AND ((t.kind = 'OPENED' AND NOT t.machine) OR ${humanClickSql("t")})) AS influenced
      FROM (${slotsSql}) s
      JOIN orders o ON o.workspace_id = ${workspaceId}::uuid
                   AND o.ordered_at >= s.slot AND o.ordered_at < s.slot + ${slotInterval}
      LEFT JOIN LATERAL (
        SELECT t.message_id, t.template_id, t.scenario_id, t.scenario_node_id, t.block, t.kind
          FROM message_touches t JOIN messages m ON m.id = t.message_id AND m.kind = 'MARKETING'
         WHERE t.workspace_id = o.workspace_id AND t.contact_id = o.contact_id
           AND t.occurred_at <= o.ordered_at AND t.occurred_at > o.ordered_at - ${widest}
           AND ((${humanClickSql("t")} AND t.occurred_at > o.ordered_at - ${clickWindow})
             OR (${model.countOpens} AND t.kind = 'OPENED' AND NOT t.machine
                 AND t.occurred_at > o.ordered_at - ${openWindow}))
         ORDER BY t.kind = 'CLICKED' DESC, t.occurred_at DESC, t.id DESC
         LIMIT 1) credit ON true`;
}
