import type { Executor } from "../../db.ts";
import { toMinorUnits } from "../shared/money.ts";

/** A cart line as templates render it (prices in minor units). */
export interface CartLine {
  product_id: string;
  sku: string | null;
  name: string;
  price: number;
  quantity: number;
  image_url: string | null;
  url: string | null;
  variant: string | null;
}

export interface CartFromEvents {
  id: string;
  items: CartLine[];
  total: number;
  currency: string;
  checkout_url: string;
  /** An order with this cart's id was completed. */
  converted: boolean;
}

type Properties = Record<string, unknown>;
const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);

/**
 * A cart as the contact's cart events describe it now: `Product Added` and `Product Removed`
 * with this `cart_id`, in order, folded into lines (a later `Cart Viewed` or `Checkout
 * Started` listing `products` replaces them), with prices in minor units. `converted` when an
 * `Order Completed` carries the same `cart_id`. Until carts are first-class rows this is what
 * abandoned-cart mail and the "cart still has items" condition read.
 *
 * @example const cart = await cartFromEvents(tx, workspaceId, contactId, "cart_77", "EUR")
 */
export async function cartFromEvents(
  executor: Executor,
  workspaceId: string,
  contactId: string,
  cartId: string,
  defaultCurrency: string,
): Promise<CartFromEvents> {
  const events = await executor.$queryRaw<{ name: string; properties: Properties }[]>`
    SELECT name, properties FROM events
     WHERE workspace_id = ${workspaceId}::uuid AND contact_id = ${contactId}::uuid
       AND name IN ('Product Added', 'Product Removed', 'Cart Viewed', 'Checkout Started', 'Order Completed')
       AND properties->>'cart_id' = ${cartId}
     ORDER BY occurred_at, id`;
  const lines = new Map<string, CartLine>();
  let currency = defaultCurrency;
  let checkoutUrl: string | null = null;
  let converted = false;
  const lineOf = (product: Properties, quantity: number): CartLine | null => {
    const productId = text(product.product_id) ?? text(product.sku);
    if (!productId) return null;
    return {
      product_id: productId,
      sku: text(product.sku),
      name: text(product.name) ?? productId,
      price: toMinorUnits(product.price, currency) ?? 0,
      quantity,
      image_url: text(product.image_url),
      url: text(product.url),
      variant: text(product.variant),
    };
  };
  for (const { name, properties } of events) {
    currency = text(properties.currency) ?? currency;
    checkoutUrl = text(properties.checkout_url) ?? text(properties.cart_url) ?? checkoutUrl;
    const quantity = Math.max(1, Math.trunc(Number(properties.quantity) || 1));
    if (name === "Order Completed") converted = true;
    else if (name === "Product Added") {
      const line = lineOf(properties, quantity);
      if (!line) continue;
      const existing = lines.get(line.product_id);
      lines.set(line.product_id, { ...line, quantity: (existing?.quantity ?? 0) + quantity });
    } else if (name === "Product Removed") {
      const id = text(properties.product_id) ?? text(properties.sku);
      const existing = id ? lines.get(id) : undefined;
      if (!id || !existing) continue;
      if (existing.quantity <= quantity) lines.delete(id);
      else lines.set(id, { ...existing, quantity: existing.quantity - quantity });
    } else if (Array.isArray(properties.products)) {
      lines.clear();
      for (const product of properties.products as Properties[]) {
        const line = lineOf(product, Math.max(1, Math.trunc(Number(product.quantity) || 1)));
        if (line) lines.set(line.product_id, line);
      }
    }
  }
  const items = [...lines.values()];
  return {
    id: cartId,
    items,
    total: items.reduce((sum, line) => sum + line.price * line.quantity, 0),
    currency,
    checkout_url: checkoutUrl ?? "",
    converted,
  };
}
