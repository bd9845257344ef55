import type { Transaction } from "../../db.ts";
import { eventText } from "../shared/event-values.ts";
import { type CartEvent, cartEventNames, type FoldedCartLine, foldCart } from "./fold-cart.ts";

export const cartStatuses = ["ACTIVE", "CHECKOUT_STARTED", "CONVERTED", "ABANDONED"] as const;
export type CartStatusName = (typeof cartStatuses)[number];

/** The cart a cart event wrote, and whether anything about it changed. */
export interface WrittenCart {
  id: string;
  shopCartId: string;
  status: CartStatusName;
  changed: boolean;
}

interface StoredCart {
  id: string;
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

/**
 * Brings the cart a cart event names (its `cart_id`) up to date in the caller's transaction
 * (the event's reaction): the cart row is created if new and locked, and its lines, currency,
 * contact, checkout link and activity times are folded again from every stored event of that
 * cart (`foldCart`), so a repeated, late or out-of-order event, or an anonymous shopper's events
 * attached to the contact they identified as, all end in the same cart. The status follows:
 * CONVERTED once an order converted it (an order with this cart id, see `convertCarts`);
 * ABANDONED while no activity came after the sweep found it idle; CHECKOUT_STARTED after a
 * `Checkout Started` (since the last abandonment); else ACTIVE. Nothing is written when nothing
 * changed. Null for other events and for cart events without a `cart_id`.
 *
 * @example await recordCartEvent(tx, workspaceId, { name: "Product Added", properties: { cart_id: "c1", product_id: "p1" } }, "EUR")
 */
export async function recordCartEvent(
  tx: Transaction,
  workspaceId: string,
  event: { name: string; occurredAt: Date; properties: Record<string, unknown> },
  defaultCurrency: string,
): Promise<WrittenCart | null> {
  const shopCartId = eventText(event.properties.cart_id);
  if (!shopCartId || !(cartEventNames as readonly string[]).includes(event.name)) return null;
  await tx.$executeRaw`
    INSERT INTO carts (workspace_id, shop_cart_id, currency, last_activity_at)
    VALUES (${workspaceId}::uuid, ${shopCartId}, ${defaultCurrency}, ${event.occurredAt}::timestamptz)
    ON CONFLICT (workspace_id, shop_cart_id) DO NOTHING`;
  const [stored] = await tx.$queryRaw<StoredCart[]>`
    SELECT id::text, contact_id::text, currency, status::text AS status, checkout_url,
           last_activity_at, checkout_started_at, abandoned_at, converted_order_id::text, converted_at
      FROM carts WHERE workspace_id = ${workspaceId}::uuid AND shop_cart_id = ${shopCartId}
       FOR UPDATE`;
  if (!stored) throw new Error(`cart ${shopCartId} vanished while being written`);
  const events = await tx.$queryRaw<CartEvent[]>`
    SELECT name, contact_id::text AS "contactId", occurred_at AS "occurredAt", properties
      FROM events
     WHERE workspace_id = ${workspaceId}::uuid AND properties->>'cart_id' = ${shopCartId}
       AND name IN ('Product Added', 'Product Removed', 'Cart Viewed', 'Checkout Started')
     ORDER BY occurred_at, id`;
  const folded = foldCart(events, stored.currency);
  if (!folded) return { id: stored.id, shopCartId, status: stored.status, changed: false };

  let conversion = stored.converted_order_id
    ? { id: stored.converted_order_id, at: stored.converted_at }
    : null;
  if (!conversion) {
    const [order] = await tx.$queryRaw<{ id: string; at: Date }[]>`
      SELECT id::text, ordered_at AS at FROM orders
       WHERE workspace_id = ${workspaceId}::uuid AND cart_id = ${shopCartId}
       ORDER BY ordered_at, id LIMIT 1`;
    conversion = order ?? null;
  }
  const status = cartStatusOf({
    converted: conversion !== null,
    lastActivityAt: folded.lastActivityAt,
    checkoutStartedAt: folded.checkoutStartedAt,
    abandonedAt: stored.abandoned_at,
  });
  const next = {
    contact_id: folded.contactId ?? stored.contact_id,
    currency: folded.currency,
    status,
    checkout_url: folded.checkoutUrl,
    last_activity_at: folded.lastActivityAt,
    checkout_started_at: folded.checkoutStartedAt,
    converted_order_id: conversion?.id ?? null,
    converted_at: conversion?.at ?? null,
  };
  const storedLines = await tx.$queryRaw<FoldedCartLine[]>`
    SELECT shop_product_id, shop_variant_id, sku, title, variant, price::float8 AS price, quantity,
           image_url, url, to_char(added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS added_at
      FROM cart_lines WHERE cart_id = ${stored.id}::uuid ORDER BY position`;
  const unchanged =
    sameRow(stored, next) && JSON.stringify(storedLines) === JSON.stringify(folded.lines);
  if (unchanged) return { id: stored.id, shopCartId, status, changed: false };

  await tx.$executeRaw`
    UPDATE carts SET contact_id = ${next.contact_id}::uuid, currency = ${next.currency},
           status = ${status}::cart_status, checkout_url = ${next.checkout_url},
           last_activity_at = ${next.last_activity_at}::timestamptz,
           checkout_started_at = ${next.checkout_started_at}::timestamptz,
           converted_order_id = ${next.converted_order_id}::uuid,
           converted_at = ${next.converted_at}::timestamptz, updated_at = now()
     WHERE workspace_id = ${workspaceId}::uuid AND id = ${stored.id}::uuid`;
  await tx.$executeRaw`
    DELETE FROM cart_lines WHERE workspace_id = ${workspaceId}::uuid AND cart_id = ${stored.id}::uuid`;
  if (folded.lines.length > 0) {
    const positioned = folded.lines.map((line, position) => ({ ...line, position }));
    await tx.$executeRaw`
      INSERT INTO cart_lines (cart_id, workspace_id, position, shop_product_id, shop_variant_id, sku,
                              title, variant, price, quantity, image_url, url, added_at)
      SELECT ${stored.id}::uuid, ${workspaceId}::uuid, r.position, r.shop_product_id,
             r.shop_variant_id, r.sku, r.title, r.variant, r.price, r.quantity, r.image_url, r.url,
             r.added_at
        FROM jsonb_to_recordset(${JSON.stringify(positioned)}::jsonb)
             AS r(position int, shop_product_id text, shop_variant_id text, sku text, title text,
                  variant text, price bigint, quantity int, image_url text, url text,
                  added_at timestamptz)`;
  }
  return { id: stored.id, shopCartId, status, changed: true };
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

function sameRow(stored: StoredCart, next: Omit<StoredCart, "id" | "abandoned_at">): boolean {
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
