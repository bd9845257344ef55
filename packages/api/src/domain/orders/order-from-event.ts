import { toMinorUnits } from "../shared/money.ts";

type Properties = Record<string, unknown>;
const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);

/**
 * An order as templates render it, from an `Order Completed` event's properties (the Segment
 * spec: decimal amounts in the order's currency), with amounts in minor units. Null when the
 * event names no order.
 *
 * @example orderFromEvent({ order_id: "1042", total: 54.9, currency: "EUR", products: [...] }, "USD", at)
 */
export function orderFromEvent(
  properties: Properties,
  defaultCurrency: string,
  occurredAt: string,
) {
  const id =
    text(properties.order_id) ??
    (typeof properties.order_id === "number" ? String(properties.order_id) : null);
  if (!id) return null;
  const currency = text(properties.currency) ?? defaultCurrency;
  const money = (value: unknown) => toMinorUnits(value, currency) ?? 0;
  const products = Array.isArray(properties.products) ? (properties.products as Properties[]) : [];
  const items = products.map((product) => ({
    product_id: text(product.product_id) ?? text(product.sku) ?? "",
    sku: text(product.sku),
    name: text(product.name) ?? text(product.product_id) ?? "",
    price: money(product.price),
    quantity: Math.max(1, Math.trunc(Number(product.quantity) || 1)),
    image_url: text(product.image_url),
    url: text(product.url),
    variant: text(product.variant),
  }));
  const subtotal =
    properties.subtotal !== undefined
      ? money(properties.subtotal)
      : items.reduce((sum, item) => sum + item.price * item.quantity, 0);
  return {
    id,
    number: text(properties.order_number) ?? id,
    created_at: occurredAt,
    items,
    subtotal,
    shipping: money(properties.shipping),
    tax: money(properties.tax),
    discount: money(properties.discount),
    total: properties.total !== undefined ? money(properties.total) : money(properties.revenue),
    currency,
  };
}
