import type { Executor } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { droppedOrderStatuses, graphSettings } from "./graph-settings.ts";

/**
 * The statement adding the orders `which` selects (over `o`) to the purchase graph's ledger:
 * each order's first 50 distinct products by line position, keyed `order:<row id>`, so an
 * order already in the ledger is skipped. Cancelled and refunded orders, and orders without
 * lines, add nothing. One definition for the incremental upkeep, the sweep and the rebuild.
 */
export function orderContributionsSql(which: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO recommendation_contributions (workspace_id, graph, source_key, products, occurred_at)
    SELECT o.workspace_id, 'PURCHASE', 'order:' || o.id::text, basket.products, o.ordered_at
      FROM orders o,
           LATERAL (SELECT array_agg(shop_product_id ORDER BY first) AS products FROM (
                      SELECT shop_product_id, min(position) AS first FROM order_lines
                       WHERE order_id = o.id GROUP BY shop_product_id ORDER BY first
                       LIMIT ${graphSettings.basketCap}) lines) basket
     WHERE ${which}
       AND o.status::text <> ALL(${[...droppedOrderStatuses]}::text[])
       AND basket.products IS NOT NULL
    ON CONFLICT (workspace_id, graph, source_key) DO NOTHING`;
}

/**
 * The statement taking back, from the purchase graph's ledger, the orders `which` selects (over
 * `o`) that are now cancelled or refunded: for each one the ledger added, a row of weight -1
 * with the same products, keyed `retract:order:<row id>`, so it is taken back once. An order
 * reinstated afterwards stays out until the nightly rebuild, which reads the orders as they are.
 */
export function orderRetractionsSql(which: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO recommendation_contributions (workspace_id, graph, source_key, products, partners, weight, occurred_at)
    SELECT c.workspace_id, c.graph, 'retract:' || c.source_key, c.products, c.partners, -1, c.occurred_at
      FROM orders o
      JOIN recommendation_contributions c
        ON c.workspace_id = o.workspace_id AND c.graph = 'PURCHASE' AND c.source_key = 'order:' || o.id::text
     WHERE ${which}
       AND o.status::text = ANY(${[...droppedOrderStatuses]}::text[])
    ON CONFLICT (workspace_id, graph, source_key) DO NOTHING`;
}

/**
 * Brings one order's place in the purchase graph's ledger in line with its status: adds it
 * once (a retried job or a later event about the same order adds nothing), or, cancelled or
 * refunded after it was added, takes it back once. Returns whether a row was written. The
 * periodic fold (`foldContributions`) brings it into the counts.
 *
 * @example await recordOrderContribution(tx, workspaceId, orderRowId)
 */
export async function recordOrderContribution(
  executor: Executor,
  workspaceId: string,
  orderId: string,
): Promise<boolean> {
  const thisOrder = Prisma.sql`o.id = ${orderId}::uuid AND o.workspace_id = ${workspaceId}::uuid`;
  if ((await executor.$executeRaw(orderContributionsSql(thisOrder))) > 0) return true;
  return (await executor.$executeRaw(orderRetractionsSql(thisOrder))) > 0;
}

/**
 * Adds the orders placed in the last 3 days that are not in the ledger yet: those the shop's
 * backend pushed with `upsertOrders` rather than as events. And takes back the orders whose
 * status changed in the last 3 days to cancelled or refunded, whichever way it came. Older
 * changes wait for the nightly rebuild. Returns how many rows were written.
 *
 * @example await recordRecentOrderContributions(tx, new Date())
 */
export async function recordRecentOrderContributions(
  executor: Executor,
  now: Date,
): Promise<number> {
  const since = new Date(now.getTime() - 3 * 86_400_000);
  const added = await executor.$executeRaw(
    orderContributionsSql(Prisma.sql`o.ordered_at >= ${since}::timestamptz
      AND NOT EXISTS (SELECT 1 FROM recommendation_contributions c
                       WHERE c.workspace_id = o.workspace_id AND c.graph = 'PURCHASE'
                         AND c.source_key = 'order:' || o.id::text)`),
  );
  const retracted = await executor.$executeRaw(
    orderRetractionsSql(Prisma.sql`o.status_at >= ${since}::timestamptz`),
  );
  return added + retracted;
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
