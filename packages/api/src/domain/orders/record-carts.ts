import type { Transaction } from "../../db.ts";
import { type CartEvent, type FoldedCart, type FoldedCartLine, foldCart } from "./fold-cart.ts";

export const cartStatuses = ["ACTIVE", "CHECKOUT_STARTED", "CONVERTED", "ABANDONED"] as const;
export type CartStatusName = (typeof cartStatuses)[number];

/** The cart a cart event wrote, and whether anything about it changed. */
export interface WrittenCart {
  id: string;
  shopCartId: string;
  status: CartStatusName;
  changed: boolean;
}

/** A cart to bring up to date: its shop id, and the times a new row starts with. */
export interface CartToRecord {
  shopCartId: string;
  /** A new row's `last_activity_at` until its events are folded (the event's time). */
  seenAt: Date;
  /** A new row's `created_at`; default the transaction's time (a replay passes the first event's). */
  createdAt?: Date;
}

interface StoredCart {
  id: string;
  shop_cart_id: string;
  contact_id: string | null;
  currency: string;
  status: CartStatusName;
  checkout_url: string | null;
  last_activity_at: Date;
  checkout_started_at: Date | null;
  abandoned_at: Date | null;
  converted_order_id: string | null;
  converted_at: Date | null;
}

type NextCart = Omit<StoredCart, "shop_cart_id" | "abandoned_at">;
type StoredLine = FoldedCartLine & { cart_id: string };

/**
 * Brings carts up to date in the caller's transaction, set-based (a handful of statements for
 * any number of carts): rows are created if new (with `defaultCurrency`) and locked in shop-id
 * order, and each cart's lines, currency, contact, checkout link and activity times are folded
 * again from every stored event of that cart (`foldCart`), so a repeated, late or out-of-order
 * event, or an anonymous shopper's events attached to the contact they identified as, all end in
 * the same cart. The status follows (`cartStatusOf`): CONVERTED once an order converted it (an
 * order with this cart id, see `convertCarts`); ABANDONED while no activity came after the sweep
 * found it idle; CHECKOUT_STARTED after a `Checkout Started`; else ACTIVE. Carts where nothing
 * changed are not written. Returns one entry per distinct shop cart id, in shop-id order.
 * `recordCartEvent` is this for one cart; `replayCommerceHistory` calls it for 500 at a time.
 *
 * @example await recordCarts(tx, workspaceId, [{ shopCartId: "c1", seenAt: new Date() }], "EUR")
 */
export async function recordCarts(
  tx: Transaction,
  workspaceId: string,
  carts: readonly CartToRecord[],
  defaultCurrency: string,
): Promise<WrittenCart[]> {
  const byId = new Map<string, CartToRecord>();
  for (const cart of carts) if (!byId.has(cart.shopCartId)) byId.set(cart.shopCartId, cart);
  if (byId.size === 0) return [];
  const fresh = [...byId.values()].map((cart) => ({
    shop_cart_id: cart.shopCartId,
    seen_at: cart.seenAt.toISOString(),
    created_at: cart.createdAt?.toISOString() ?? null,
  }));
  const shopCartIds = fresh.map((cart) => cart.shop_cart_id);
  await tx.$executeRaw`
    INSERT INTO carts (workspace_id, shop_cart_id, currency, last_activity_at, created_at, updated_at)
    SELECT ${workspaceId}::uuid, r.shop_cart_id, ${defaultCurrency}, r.seen_at,
           coalesce(r.created_at, now()), coalesce(r.created_at, now())
      FROM jsonb_to_recordset(${JSON.stringify(fresh)}::jsonb)
           AS r(shop_cart_id text, seen_at timestamptz, created_at timestamptz)
     ORDER BY r.shop_cart_id
    ON CONFLICT (workspace_id, shop_cart_id) DO NOTHING`;
  const storedCarts = await tx.$queryRaw<StoredCart[]>`
    SELECT id::text, shop_cart_id, contact_id::text, currency, status::text AS status, checkout_url,
           last_activity_at, checkout_started_at, abandoned_at, converted_order_id::text, converted_at
      FROM carts WHERE workspace_id = ${workspaceId}::uuid AND shop_cart_id = ANY(${shopCartIds}::text[])
     ORDER BY shop_cart_id FOR UPDATE`;
  if (storedCarts.length !== shopCartIds.length)
    throw new Error(`carts of ${shopCartIds.join(", ")} vanished while being written`);

  const events = await tx.$queryRaw<(CartEvent & { cartId: string })[]>`
    SELECT properties->>'cart_id' AS "cartId", name, contact_id::text AS "contactId",
           occurred_at AS "occurredAt", properties
      FROM events
     WHERE workspace_id = ${workspaceId}::uuid AND properties->>'cart_id' = ANY(${shopCartIds}::text[])
       AND name IN ('Product Added', 'Product Removed', 'Cart Viewed', 'Checkout Started')
     ORDER BY occurred_at, id`;
  const eventsOf = groupBy(events, (event) => event.cartId);
  const folds = new Map<string, FoldedCart>();
  for (const stored of storedCarts) {
    const folded = foldCart(eventsOf.get(stored.shop_cart_id) ?? [], stored.currency);
    if (folded) folds.set(stored.id, folded);
  }

  const unconverted = storedCarts
    .filter((stored) => folds.has(stored.id) && !stored.converted_order_id)
    .map((stored) => stored.shop_cart_id);
  const orders =
    unconverted.length === 0
      ? []
      : await tx.$queryRaw<{ cart_id: string; id: string; at: Date }[]>`
          SELECT DISTINCT ON (cart_id) cart_id, id::text, ordered_at AS at FROM orders
           WHERE workspace_id = ${workspaceId}::uuid AND cart_id = ANY(${unconverted}::text[])
           ORDER BY cart_id, ordered_at, id`;
  const orderOf = new Map(orders.map((order) => [order.cart_id, order]));
  const storedLines = await tx.$queryRaw<StoredLine[]>`
    SELECT cart_id::text, shop_product_id, shop_variant_id, sku, title, variant, price::float8 AS price,
           quantity, image_url, url,
           to_char(added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS added_at
      FROM cart_lines
     WHERE workspace_id = ${workspaceId}::uuid AND cart_id = ANY(${[...folds.keys()]}::uuid[])
     ORDER BY cart_id, position`;
  const linesOf = groupBy(storedLines, (line) => line.cart_id);

  const written: WrittenCart[] = [];
  const changed: { next: NextCart; lines: FoldedCartLine[] }[] = [];
  for (const stored of storedCarts) {
    const folded = folds.get(stored.id);
    const shopCartId = stored.shop_cart_id;
    if (!folded) {
      written.push({ id: stored.id, shopCartId, status: stored.status, changed: false });
      continue;
    }
    const order = orderOf.get(shopCartId);
    const conversion = stored.converted_order_id
      ? { id: stored.converted_order_id, at: stored.converted_at }
      : order
        ? { id: order.id, at: order.at }
        : null;
    const status = cartStatusOf({
      converted: conversion !== null,
      lastActivityAt: folded.lastActivityAt,
      checkoutStartedAt: folded.checkoutStartedAt,
      abandonedAt: stored.abandoned_at,
    });
    const next: NextCart = {
      id: stored.id,
      contact_id: folded.contactId ?? stored.contact_id,
      currency: folded.currency,
      status,
      checkout_url: folded.checkoutUrl,
      last_activity_at: folded.lastActivityAt,
      checkout_started_at: folded.checkoutStartedAt,
      converted_order_id: conversion?.id ?? null,
      converted_at: conversion?.at ?? null,
    };
    const lines = (linesOf.get(stored.id) ?? []).map(({ cart_id: _cart, ...line }) => line);
    const same = sameRow(stored, next) && JSON.stringify(lines) === JSON.stringify(folded.lines);
    written.push({ id: stored.id, shopCartId, status, changed: !same });
    if (!same) changed.push({ next, lines: folded.lines });
  }
  if (changed.length > 0) await writeCarts(tx, workspaceId, changed);
  return written;
}

async function writeCarts(
  tx: Transaction,
  workspaceId: string,
  changed: readonly { next: NextCart; lines: FoldedCartLine[] }[],
): Promise<void> {
  const ids = changed.map(({ next }) => next.id);
  await tx.$executeRaw`
    UPDATE carts c SET contact_id = r.contact_id, currency = r.currency, status = r.status,
           checkout_url = r.checkout_url, last_activity_at = r.last_activity_at,
           checkout_started_at = r.checkout_started_at, converted_order_id = r.converted_order_id,
           converted_at = r.converted_at, updated_at = now()
      FROM jsonb_to_recordset(${JSON.stringify(changed.map(({ next }) => next))}::jsonb)
           AS r(id uuid, contact_id uuid, currency text, status cart_status, checkout_url text,
                last_activity_at timestamptz, checkout_started_at timestamptz,
                converted_order_id uuid, converted_at timestamptz)
     WHERE c.workspace_id = ${workspaceId}::uuid AND c.id = r.id`;
  await tx.$executeRaw`
    DELETE FROM cart_lines WHERE workspace_id = ${workspaceId}::uuid AND cart_id = ANY(${ids}::uuid[])`;
  const positioned = changed.flatMap(({ next, lines }) =>
    lines.map((line, position) => ({ ...line, cart_id: next.id, position })),
  );
  if (positioned.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO cart_lines (cart_id, workspace_id, position, shop_product_id, shop_variant_id, sku,
                            title, variant, price, quantity, image_url, url, added_at)
    SELECT r.cart_id, ${workspaceId}::uuid, r.position, r.shop_product_id, r.shop_variant_id, r.sku,
           r.title, r.variant, r.price, r.quantity, r.image_url, r.url, r.added_at
      FROM jsonb_to_recordset(${JSON.stringify(positioned)}::jsonb)
           AS r(cart_id uuid, position int, shop_product_id text, shop_variant_id text, sku text,
                title text, variant text, price bigint, quantity int, image_url text, url text,
                added_at timestamptz)`;
}

function sameRow(stored: StoredCart, next: NextCart): boolean {
  const time = (date: Date | null) => date?.getTime() ?? null;
  return (
    stored.contact_id === next.contact_id &&
    stored.currency === next.currency &&
    stored.status === next.status &&
    stored.checkout_url === next.checkout_url &&
    time(stored.last_activity_at) === time(next.last_activity_at) &&
    time(stored.checkout_started_at) === time(next.checkout_started_at) &&
    stored.converted_order_id === next.converted_order_id &&
    time(stored.converted_at) === time(next.converted_at)
  );
}

function groupBy<T>(rows: readonly T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/**
 * A cart's status from its facts: converted beats everything; an abandonment stands until
 * activity newer than it; a checkout started since the last abandonment is CHECKOUT_STARTED.
 */
export function cartStatusOf(facts: {
  converted: boolean;
  lastActivityAt: Date;
  checkoutStartedAt: Date | null;
  abandonedAt: Date | null;
}): CartStatusName {
  const { converted, lastActivityAt, checkoutStartedAt, abandonedAt } = facts;
  if (converted) return "CONVERTED";
  if (abandonedAt && lastActivityAt <= abandonedAt) return "ABANDONED";
  if (checkoutStartedAt && (!abandonedAt || checkoutStartedAt > abandonedAt))
    return "CHECKOUT_STARTED";
  return "ACTIVE";
}
