import { eventCurrency, eventId, eventLink, eventText } from "../shared/event-values.ts";
import { maxMinorUnits, toMinorUnits } from "../shared/money.ts";

/** The events that fill a cart, each naming it by `cart_id`. */
export const cartEventNames = [
  "Product Added",
  "Product Removed",
  "Cart Viewed",
  "Checkout Started",
] as const;

/** A stored cart event as the fold reads it. */
export interface CartEvent {
  name: string;
  contactId: string | null;
  occurredAt: Date;
  properties: Record<string, unknown>;
}

/** One cart line as stored: the unit price last seen, in minor units of `currency`. */
export interface FoldedCartLine {
  shop_product_id: string;
  shop_variant_id: string | null;
  sku: string | null;
  title: string | null;
  variant: string | null;
  price: number;
  quantity: number;
  image_url: string | null;
  url: string | null;
  /** ISO time the shopper last added or listed it. */
  added_at: string;
}

/** What a cart's events say about it, folded in time order. */
export interface FoldedCart {
  currency: string;
  contactId: string | null;
  checkoutUrl: string | null;
  lastActivityAt: Date;
  checkoutStartedAt: Date | null;
  lines: FoldedCartLine[];
}

type Properties = Record<string, unknown>;
const maxQuantity = 1_000_000;

/**
 * Folds a cart's events (any order; they are sorted by time here) into its lines, as the
 * Segment e-commerce spec describes them: `Product Added` adds `quantity` (default 1) of a
 * product (by `product_id`, else `sku`, and `variant_id` if given) at the `price` seen,
 * `Product Removed` takes `quantity` (default 1) away, dropping the line at zero, and a
 * `Cart Viewed` or `Checkout Started` listing `products` replaces every line with that list.
 * The currency is the latest event's `currency` (else `defaultCurrency`), the contact the
 * latest event's that had one, the checkout link the latest `checkout_url` (or `cart_url`).
 * Null for no events. The same events always fold to the same cart, so folding again after a
 * repeated, late or re-attached event is safe.
 *
 * @example foldCart([{ name: "Product Added", contactId: null, occurredAt, properties: { cart_id: "c1", product_id: "p1", price: 49 } }], "EUR")
 */
export function foldCart(events: readonly CartEvent[], defaultCurrency: string): FoldedCart | null {
  if (events.length === 0) return null;
  const ordered = [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const lines = new Map<string, FoldedCartLine>();
  let currency = defaultCurrency;
  let contactId: string | null = null;
  let checkoutUrl: string | null = null;
  let checkoutStartedAt: Date | null = null;
  for (const { name, properties, occurredAt, contactId: eventContact } of ordered) {
    currency = eventCurrency(properties.currency, currency);
    contactId = eventContact ?? contactId;
    checkoutUrl =
      eventLink(properties.checkout_url) ?? eventLink(properties.cart_url) ?? checkoutUrl;
    const at = occurredAt.toISOString();
    if (name === "Checkout Started") checkoutStartedAt = occurredAt;
    if (name === "Product Added") {
      const line = lineOf(properties, currency, at);
      if (!line) continue;
      const key = lineKey(line);
      const quantity = Math.min(maxQuantity, (lines.get(key)?.quantity ?? 0) + line.quantity);
      lines.delete(key);
      lines.set(key, { ...line, quantity });
    } else if (name === "Product Removed") {
      const removed = lineOf(properties, currency, at);
      const key = removed && removedKey(lines, removed);
      const existing = key ? lines.get(key) : undefined;
      if (!key || !existing || !removed) continue;
      if (existing.quantity <= removed.quantity) lines.delete(key);
      else lines.set(key, { ...existing, quantity: existing.quantity - removed.quantity });
    } else if (Array.isArray(properties.products)) {
      lines.clear();
      for (const product of properties.products) {
        if (typeof product !== "object" || product === null) continue;
        const line = lineOf(product as Properties, currency, at);
        if (line) lines.set(lineKey(line), line);
      }
    }
  }
  return {
    currency,
    contactId,
    checkoutUrl,
    lastActivityAt: ordered.at(-1)?.occurredAt as Date,
    checkoutStartedAt,
    lines: [...lines.values()],
  };
}

const lineKey = (line: FoldedCartLine) =>
  `${line.shop_product_id}\u0000${line.shop_variant_id ?? ""}`;

/** The line a removal names; without a variant id, the product's first line. */
function removedKey(lines: Map<string, FoldedCartLine>, removed: FoldedCartLine): string | null {
  const exact = lineKey(removed);
  if (lines.has(exact) || removed.shop_variant_id) return exact;
  for (const [key, line] of lines) if (line.shop_product_id === removed.shop_product_id) return key;
  return null;
}

function lineOf(product: Properties, currency: string, at: string): FoldedCartLine | null {
  const productId = eventId(product.product_id) ?? eventId(product.sku);
  if (!productId) return null;
  const price = toMinorUnits(product.price, currency);
  return {
    shop_product_id: productId,
    shop_variant_id: eventId(product.variant_id),
    sku: eventText(product.sku),
    title: eventText(product.name, 500),
    variant: eventText(product.variant),
    price: price === null || price < 0 || price > maxMinorUnits ? 0 : price,
    quantity: Math.min(maxQuantity, Math.max(1, Math.trunc(Number(product.quantity) || 1))),
    image_url: eventLink(product.image_url),
    url: eventLink(product.url),
    added_at: at,
  };
}
