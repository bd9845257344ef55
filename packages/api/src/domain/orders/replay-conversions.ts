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

/** An order by items and the event that wrote it: the cart is matched as it stood before. */
interface ByItems {
  order: ReplayedOrder & { contact_id: string };
  beforeEventId: bigint;
}

/**
 * Converts the carts that replayed orders bought as live processing did when each order event
 * was handled, in event order (`written[i]` was written by the event `eventIds[i]`), a run of
 * independent orders per statement:
 * - orders with a cart id go to `convertCarts` together, a run of distinct cart ids at a time
 *   (the first order of a cart id keeps it);
 * - an order without one converts its contact's latest cart that matched its items *as the
 *   cart stood then*, folded from its events stored before the order event (`convertCarts`'
 *   rule: the latest cart with lines and last activity within 30 days before the order or an
 *   hour after, if all its products are among the order's), since a cart the shopper went on
 *   using after buying would no longer match as it stands now; a run of distinct contacts at a
 *   time.
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
  let byItems: ByItems[] = [];
  const keys = new Set<string>();
  const flush = async () => {
    if (byId.length > 0) await convertCarts(tx, workspaceId, byId);
    if (byItems.length > 0) await convertByItemsAsOf(tx, workspaceId, byItems);
    byId = [];
    byItems = [];
    keys.clear();
  };
  for (const [index, write] of written.entries()) {
    const order = orderOf.get(write.id);
    if (write.ignored || !order) continue;
    const { contact_id, cart_id } = order;
    if (cart_id !== null || contact_id === null) {
      if (byItems.length > 0 || (cart_id !== null && keys.has(cart_id))) await flush();
      if (cart_id !== null) keys.add(cart_id);
      byId.push(order.id);
    } else {
      if (byId.length > 0 || keys.has(contact_id)) await flush();
      keys.add(contact_id);
      byItems.push({
        order: { ...order, contact_id },
        beforeEventId: BigInt(eventIds[index] ?? 0),
      });
    }
  }
  await flush();
}

/** Orders by items of distinct contacts: each converts at most one of its own contact's carts. */
async function convertByItemsAsOf(
  tx: Transaction,
  workspaceId: string,
  orders: readonly ByItems[],
): Promise<void> {
  const contacts = orders.map(({ order }) => order.contact_id);
  const since = Math.min(...orders.map(({ order }) => order.ordered_at.getTime()));
  const carts = await tx.$queryRaw<
    { id: string; shop_cart_id: string; currency: string; contact_id: string }[]
  >`
    SELECT id::text, shop_cart_id, currency, contact_id::text FROM carts
     WHERE workspace_id = ${workspaceId}::uuid AND contact_id = ANY(${contacts}::uuid[])
       AND converted_order_id IS NULL
       AND last_activity_at >= ${new Date(since)}::timestamptz - make_interval(days => ${cartMatchWindowDays})`;
  const converted = await tx.$queryRaw<{ id: string }[]>`
    SELECT converted_order_id::text AS id FROM carts
     WHERE workspace_id = ${workspaceId}::uuid
       AND converted_order_id = ANY(${orders.map(({ order }) => order.id)}::uuid[])`;
  if (carts.length === 0) return;
  const before = orders.reduce(
    (max, { beforeEventId }) => (beforeEventId > max ? beforeEventId : max),
    0n,
  );
  const events = await tx.$queryRaw<(CartEvent & { cartId: string; id: bigint })[]>`
    SELECT id, properties->>'cart_id' AS "cartId", name, contact_id::text AS "contactId",
           occurred_at AS "occurredAt", properties
      FROM events
     WHERE workspace_id = ${workspaceId}::uuid
       AND properties->>'cart_id' = ANY(${carts.map((cart) => cart.shop_cart_id)}::text[])
       AND name IN ('Product Added', 'Product Removed', 'Cart Viewed', 'Checkout Started')
       AND id < ${before}::bigint
     ORDER BY occurred_at, id`;
  const eventsOf = new Map<string, typeof events>();
  for (const event of events) {
    const list = eventsOf.get(event.cartId);
    if (list) list.push(event);
    else eventsOf.set(event.cartId, [event]);
  }
  const done = new Set(converted.map((row) => row.id));
  const conversions = orders.flatMap(({ order, beforeEventId }) => {
    if (done.has(order.id)) return [];
    const chosen = latestMatch(
      order,
      carts
        .filter((cart) => cart.contact_id === order.contact_id)
        .map((cart) => ({
          id: cart.id,
          folded: foldCart(
            (eventsOf.get(cart.shop_cart_id) ?? []).filter((event) => event.id < beforeEventId),
            cart.currency,
          ),
        })),
    );
    return chosen ? [{ cart_id: chosen, order_id: order.id, at: order.ordered_at }] : [];
  });
  if (conversions.length === 0) return;
  await tx.$executeRaw`
    UPDATE carts c SET status = 'CONVERTED', converted_order_id = r.order_id, converted_at = r.at,
           updated_at = now()
      FROM jsonb_to_recordset(${JSON.stringify(conversions)}::jsonb)
           AS r(cart_id uuid, order_id uuid, at timestamptz)
     WHERE c.workspace_id = ${workspaceId}::uuid AND c.id = r.cart_id AND c.converted_order_id IS NULL`;
}

/** As `convertCarts`: the latest cart with lines in the window, if its items were all bought. */
function latestMatch(
  order: ReplayedOrder,
  carts: readonly { id: string; folded: ReturnType<typeof foldCart> }[],
): string | null {
  const earliest = order.ordered_at.getTime() - cartMatchWindowDays * 86_400_000;
  const latest = order.ordered_at.getTime() + cartMatchGraceMinutes * 60_000;
  const candidates = carts.flatMap(({ id, folded }) => {
    const at = folded?.lastActivityAt.getTime() ?? Number.NaN;
    return folded && folded.lines.length > 0 && at >= earliest && at <= latest
      ? [{ id, at, lines: folded.lines }]
      : [];
  });
  candidates.sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const [chosen] = candidates;
  const products = new Set(order.products);
  return chosen?.lines.every((line) => products.has(line.shop_product_id)) ? chosen.id : null;
}
