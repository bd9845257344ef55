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
/** An order by cart id (or with no contact: nothing to match) has no event bound. */
type Entry = ByItems | { order: ReplayedOrder; beforeEventId: null };

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
 *   using after buying would no longer match as it stands now; distinct contacts at a time.
 * Both kinds share a run while they are independent (`convertRun`).
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
  let run: Entry[] = [];
  const carts = new Set<string>();
  const contacts = new Set<string>();
  for (const [index, write] of written.entries()) {
    const order = orderOf.get(write.id);
    if (write.ignored || !order) continue;
    const { contact_id, cart_id } = order;
    const entry: Entry =
      cart_id === null && contact_id !== null
        ? { order: { ...order, contact_id }, beforeEventId: BigInt(eventIds[index] ?? 0) }
        : { order, beforeEventId: null };
    const key = entry.beforeEventId === null ? cart_id : contact_id;
    const keys = entry.beforeEventId === null ? carts : contacts;
    if (key !== null && keys.has(key)) {
      await convertRun(tx, workspaceId, run);
      run = [];
      carts.clear();
      contacts.clear();
    }
    if (key !== null) keys.add(key);
    run.push(entry);
  }
  await convertRun(tx, workspaceId, run);
}

/**
 * One run: orders by cart id with distinct cart ids, and orders by items of distinct contacts.
 * They are independent unless an order by id names a cart an order by items would take (or
 * pass over); then the run goes one order at a time, in event order.
 */
async function convertRun(tx: Transaction, workspaceId: string, run: readonly Entry[]) {
  if (run.length === 0) return;
  const byItems = run.filter((entry): entry is ByItems => entry.beforeEventId !== null);
  const byId = run.filter((entry) => entry.beforeEventId === null).map((entry) => entry.order);
  const choices = await chooseByItems(tx, workspaceId, byItems);
  const named = new Set(byId.flatMap((order) => order.cart_id ?? []));
  if (run.length > 1 && choices.some((choice) => named.has(choice.shopCartId))) {
    for (const entry of run) await convertRun(tx, workspaceId, [entry]);
    return;
  }
  if (byId.length > 0)
    await convertCarts(
      tx,
      workspaceId,
      byId.map((order) => order.id),
    );
  const conversions = choices.filter((choice) => choice.converts);
  if (conversions.length === 0) return;
  await tx.$executeRaw`
    UPDATE carts c SET status = 'CONVERTED', converted_order_id = r.order_id, converted_at = r.at,
           updated_at = now()
      FROM jsonb_to_recordset(${JSON.stringify(conversions)}::jsonb)
           AS r(cart_id uuid, order_id uuid, at timestamptz)
     WHERE c.workspace_id = ${workspaceId}::uuid AND c.id = r.cart_id AND c.converted_order_id IS NULL`;
}

interface Choice {
  order_id: string;
  at: Date;
  cart_id: string;
  shopCartId: string;
  /** Whether the latest cart's items were all bought: else the order converts nothing. */
  converts: boolean;
}

/** Each order's latest cart (of its own contact) as the carts stood before its event. */
async function chooseByItems(
  tx: Transaction,
  workspaceId: string,
  orders: readonly ByItems[],
): Promise<Choice[]> {
  if (orders.length === 0) return [];
  const contacts = orders.map(({ order }) => order.contact_id);
  const orderIds = orders.map(({ order }) => order.id);
  const since = Math.min(...orders.map(({ order }) => order.ordered_at.getTime()));
  // The contacts' open carts, and the carts these orders converted already (then they are done).
  const carts = await tx.$queryRaw<
    {
      id: string;
      shop_cart_id: string;
      currency: string;
      contact_id: string;
      converted_order_id: string | null;
    }[]
  >`
    SELECT id::text, shop_cart_id, currency, contact_id::text, converted_order_id::text FROM carts
     WHERE workspace_id = ${workspaceId}::uuid AND contact_id = ANY(${contacts}::uuid[])
       AND ((converted_order_id IS NULL
             AND last_activity_at >= ${new Date(since)}::timestamptz - make_interval(days => ${cartMatchWindowDays}))
            OR converted_order_id = ANY(${orderIds}::uuid[]))`;
  const done = new Set(carts.flatMap((cart) => cart.converted_order_id ?? []));
  const open = carts.filter((cart) => cart.converted_order_id === null);
  if (open.length === 0) return [];
  // Event ids are bigints, which Math.max does not take.
  let before = 0n;
  for (const { beforeEventId } of orders) if (beforeEventId > before) before = beforeEventId;
  const events = await tx.$queryRaw<(CartEvent & { cartId: string; id: bigint })[]>`
    SELECT id, properties->>'cart_id' AS "cartId", name, contact_id::text AS "contactId",
           occurred_at AS "occurredAt", properties
      FROM events
     WHERE workspace_id = ${workspaceId}::uuid
       AND properties->>'cart_id' = ANY(${open.map((cart) => cart.shop_cart_id)}::text[])
       AND name IN ('Product Added', 'Product Removed', 'Cart Viewed', 'Checkout Started')
       AND id < ${before}::bigint
     ORDER BY occurred_at, id`;
  const eventsOf = new Map<string, typeof events>();
  for (const event of events) {
    const list = eventsOf.get(event.cartId);
    if (list) list.push(event);
    else eventsOf.set(event.cartId, [event]);
  }
  return orders.flatMap(({ order, beforeEventId }): Choice[] => {
    if (done.has(order.id)) return [];
    const folds = open
      .filter((cart) => cart.contact_id === order.contact_id)
      .map((cart) => ({
        cart,
        folded: foldCart(
          (eventsOf.get(cart.shop_cart_id) ?? []).filter((event) => event.id < beforeEventId),
          cart.currency,
        ),
      }));
    const chosen = latestMatch(
      order,
      folds.map(({ cart, folded }) => ({ id: cart.id, folded })),
    );
    const cart = chosen && open.find((candidate) => candidate.id === chosen.id);
    return cart && chosen
      ? [
          {
            order_id: order.id,
            at: order.ordered_at,
            cart_id: cart.id,
            shopCartId: cart.shop_cart_id,
            converts: chosen.converts,
          },
        ]
      : [];
  });
}

/** As `convertCarts`: the latest cart with lines in the window, if its items were all bought. */
function latestMatch(
  order: ReplayedOrder,
  carts: readonly { id: string; folded: ReturnType<typeof foldCart> }[],
): { id: string; converts: boolean } | null {
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
  if (!chosen) return null;
  return {
    id: chosen.id,
    converts: chosen.lines.every((line) => products.has(line.shop_product_id)),
  };
}
