import type { Executor } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { droppedOrderStatuses, graphSettings } from "./graph-settings.ts";

/**
 * Adds one order to the purchase graph's ledger: its first 50 distinct products, once per
 * order (`order:<row id>`), so a retried job or a later event about the same order adds nothing.
 * Cancelled and refunded orders, and orders without lines, add nothing. Returns whether a
 * contribution was recorded. The periodic fold (`foldContributions`) brings it into the counts.
 *
 * @example await recordOrderContribution(tx, workspaceId, orderRowId)
 */
export async function recordOrderContribution(
  executor: Executor,
  workspaceId: string,
  orderId: string,
): Promise<boolean> {
  const inserted = await executor.$executeRaw`
    INSERT INTO recommendation_contributions (workspace_id, graph, source_key, products, occurred_at)
    SELECT o.workspace_id, 'PURCHASE', 'order:' || o.id::text,
           ARRAY(SELECT shop_product_id FROM (
                   SELECT shop_product_id, min(position) AS first FROM order_lines
                    WHERE order_id = o.id GROUP BY shop_product_id ORDER BY first
                    LIMIT ${graphSettings.basketCap}) basket ORDER BY first),
           o.ordered_at
      FROM orders o
     WHERE o.id = ${orderId}::uuid AND o.workspace_id = ${workspaceId}::uuid
       AND o.status::text <> ALL(${[...droppedOrderStatuses]}::text[])
       AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)
    ON CONFLICT (workspace_id, graph, source_key) DO NOTHING`;
  return inserted > 0;
}

interface ProductView {
  id: string;
  workspaceId: string;
  contactId: string | null;
  anonymousId: string | null;
  productId: string;
  occurredAt: Date;
}

/**
 * Adds one `Product Viewed` to the view graph's ledger, once per event (`view:<event id>`).
 * Its session is the shopper's views (by contact, else by anonymous id) going back while no gap
 * exceeds 30 minutes; the view adds its product, paired with the session's earlier products,
 * only if the session had not shown that product yet, so each session counts each pair once.
 * Returns whether a contribution was recorded.
 *
 * @example await recordViewContribution(tx, { id: "42", workspaceId, contactId, anonymousId: null, productId: "sku-1", occurredAt })
 */
export async function recordViewContribution(
  executor: Executor,
  view: ProductView,
): Promise<boolean> {
  const { sessionGapMs, sessionCap } = graphSettings;
  if (!view.contactId && !view.anonymousId) return false;
  const shopperIs = view.contactId
    ? Prisma.sql`contact_id = ${view.contactId}::uuid`
    : Prisma.sql`contact_id IS NULL AND anonymous_id = ${view.anonymousId}`;
  const earlier = await executor.$queryRaw<{ productId: string | null; occurredAt: Date }[]>`
    SELECT properties->>'product_id' AS "productId", occurred_at AS "occurredAt" FROM events
     WHERE workspace_id = ${view.workspaceId}::uuid AND name = 'Product Viewed'
       AND ${shopperIs}
       AND occurred_at <= ${view.occurredAt}::timestamptz
       AND occurred_at > ${new Date(view.occurredAt.getTime() - 24 * 3_600_000)}::timestamptz
       AND (occurred_at, id) < (${view.occurredAt}::timestamptz, ${view.id}::bigint)
     ORDER BY occurred_at DESC, id DESC
     LIMIT 1000`;
  const session = new Set<string>();
  let after = view.occurredAt.getTime();
  for (const row of earlier) {
    if (after - row.occurredAt.getTime() > sessionGapMs) break;
    after = row.occurredAt.getTime();
    if (row.productId) session.add(row.productId);
  }
  if (session.has(view.productId) || session.size >= sessionCap) return false;
  const inserted = await executor.$executeRaw`
    INSERT INTO recommendation_contributions (workspace_id, graph, source_key, products, partners, occurred_at)
    VALUES (${view.workspaceId}::uuid, 'VIEW', ${`view:${view.id}`}, ARRAY[${view.productId}],
            ${[...session].sort()}::text[], ${view.occurredAt}::timestamptz)
    ON CONFLICT (workspace_id, graph, source_key) DO NOTHING`;
  return inserted > 0;
}
