import type { Transaction } from "../../db.ts";
import { cartMatchGraceMinutes, cartMatchWindowDays, convertCarts } from "./convert-carts.ts";
import { type CartEvent, foldCart } from "./fold-cart.ts";
import type { WrittenOrder } from "./write-orders.ts";

interface ReplayedOrder {
  id: string;
  contact_id: string | null;
  cart_id: string | null;
  ordered_at: Date;
  products: string[];
}

/**
 * Converts the carts that replayed orders bought as live processing did when each order event
 * was handled, in event order (`written[i]` was written by the event `eventIds[i]`):
 * - orders with a cart id go to `convertCarts` together, a run of distinct cart ids at a time
 *   (the first order of a cart id keeps it);
 * - an order without one converts its contact's latest cart that matched its items *as the
 *   cart stood then*, folded from its events stored before the order event (`convertCarts`'
 *   rule: the latest cart with lines and last activity within 30 days before the order or an
 *   hour after, if all its products are among the order's), since a cart the shopper went on using after buying would no longer
 *   match as it stands now.
 *
 * @example await convertReplayedCarts(tx, workspaceId, written, eventIds)
 */
export async function convertReplayedCarts(
  tx: Transaction,
  workspaceId: string,
  written: readonly WrittenOrder[],
  eventIds: readonly string[],
): Promise<void> {
  const ids = [...new Set(written.filter((order) => !order.ignored).map((order) => order.id))];
  if (ids.length === 0) return;
  const rows = await tx.$queryRaw<ReplayedOrder[]>`
    SELECT o.id::text, o.contact_id::text, o.cart_id, o.ordered_at,
           coalesce(array_agg(l.shop_product_id) FILTER (WHERE l.shop_product_id IS NOT NULL), '{}') AS products
      FROM orders o
      LEFT JOIN order_lines l ON l.workspace_id = o.workspace_id AND l.order_id = o.id
     WHERE o.workspace_id = ${workspaceId}::uuid AND o.id = ANY(${ids}::uuid[])
     GROUP BY o.workspace_id, o.id`;
  const orderOf = new Map(rows.map((row) => [row.id, row]));
  let byId: string[] = [];
  let cartIds = new Set<string>();
  const flush = async () => {
    if (byId.length > 0) await convertCarts(tx, workspaceId, byId);
    byId = [];
    cartIds = new Set();
  };
  for (const [index, write] of written.entries()) {
    const order = orderOf.get(write.id);
    if (write.ignored || !order) continue;
    if (order.cart_id !== null || order.contact_id === null) {
      if (order.cart_id !== null && cartIds.has(order.cart_id)) await flush();
      if (order.cart_id !== null) cartIds.add(order.cart_id);
      byId.push(order.id);
      continue;
    }
    await flush();
    await convertByItemsAsOf(tx, workspaceId, order, eventIds[index] as string);
  }
  await flush();
}

async function convertByItemsAsOf(
  tx: Transaction,
  workspaceId: string,
  order: ReplayedOrder,
  beforeEventId: string,
): Promise<void> {
  const carts = await tx.$queryRaw<{ id: string; shop_cart_id: string; currency: string }[]>`
    SELECT id::text, shop_cart_id, currency FROM carts
     WHERE workspace_id = ${workspaceId}::uuid AND contact_id = ${order.contact_id}::uuid
       AND converted_order_id IS NULL
       AND NOT EXISTS (SELECT 1 FROM carts done WHERE done.workspace_id = ${workspaceId}::uuid
                                                  AND done.converted_order_id = ${order.id}::uuid)
       AND last_activity_at >= ${order.ordered_at}::timestamptz - make_interval(days => ${cartMatchWindowDays})`;
  if (carts.length === 0) return;
  const events = await tx.$queryRaw<(CartEvent & { cartId: string })[]>`
    SELECT properties->>'cart_id' AS "cartId", name, contact_id::text AS "contactId",
           occurred_at AS "occurredAt", properties
      FROM events
     WHERE workspace_id = ${workspaceId}::uuid
       AND properties->>'cart_id' = ANY(${carts.map((cart) => cart.shop_cart_id)}::text[])
       AND name IN ('Product Added', 'Product Removed', 'Cart Viewed', 'Checkout Started')
       AND id < ${beforeEventId}::bigint
     ORDER BY occurred_at, id`;
  const products = new Set(order.products);
  const earliest = order.ordered_at.getTime() - cartMatchWindowDays * 86_400_000;
  const latest = order.ordered_at.getTime() + cartMatchGraceMinutes * 60_000;
  // As convertCarts: the latest cart with lines in the window, if its items were all bought.
  const candidates = carts.flatMap((cart) => {
    const folded = foldCart(
      events.filter((event) => event.cartId === cart.shop_cart_id),
      cart.currency,
    );
    const at = folded?.lastActivityAt.getTime() ?? Number.NaN;
    return folded && folded.lines.length > 0 && at >= earliest && at <= latest
      ? [{ id: cart.id, at, lines: folded.lines }]
      : [];
  });
  candidates.sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const [chosen] = candidates;
  if (!chosen?.lines.every((line) => products.has(line.shop_product_id))) return;
  await tx.$executeRaw`
    UPDATE carts SET status = 'CONVERTED', converted_order_id = ${order.id}::uuid,
           converted_at = ${order.ordered_at}::timestamptz, updated_at = now()
     WHERE workspace_id = ${workspaceId}::uuid AND id = ${chosen.id}::uuid
       AND converted_order_id IS NULL`;
}
