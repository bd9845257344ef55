import type { Transaction } from "../../db.ts";
import { eventCurrency, eventId, eventLink, eventText } from "../shared/event-values.ts";
import { maxMinorUnits, toMinorUnits } from "../shared/money.ts";
import type {
  OrderDetails,
  OrderLineWrite,
  OrderWrite,
  SettableOrderStatus,
} from "./order-write.ts";
import { type WrittenOrder, writeOrders } from "./write-orders.ts";

/** The events that create or move an `Order` row. */
export const orderEventNames = [
  "Order Completed",
  "Order Updated",
  "Order Refunded",
  "Order Cancelled",
  "Order Shipped",
] as const;

/** A stored event as the order room reads it. */
export interface OrderEvent {
  id: string;
  name: string;
  contactId: string | null;
  occurredAt: Date;
  properties: Record<string, unknown>;
  /** Reported by a browser with the public key: the order it writes is unverified. */
  fromBrowser: boolean;
}

type Properties = Record<string, unknown>;
const statusNames: Record<string, SettableOrderStatus> = {
  placed: "PLACED",
  paid: "PAID",
  fulfilled: "FULFILLED",
  shipped: "SHIPPED",
  cancelled: "CANCELLED",
  canceled: "CANCELLED",
};

/**
 * What an order event says about its order, in the Segment e-commerce spec's shape (decimal
 * amounts in major units of `currency`, else `defaultCurrency`):
 * - `Order Completed`: the order (`total`, else `revenue`; `subtotal`, else the lines' sum;
 *   `discount`, `shipping`, `tax`, `coupon`, `cart_id`, `order_number`, `products`), placed at
 *   the event's time;
 * - `Order Updated`: the fields it carries, and `status` (placed, paid, fulfilled, shipped,
 *   cancelled) if given;
 * - `Order Cancelled` / `Order Shipped` (with `tracking_number`, `tracking_url`, `carrier`):
 *   the status at the event's time;
 * - `Order Refunded`: one refund of `refund_amount` (else `amount`, else `total`, the spec's
 *   refunded value; none at all refunds the whole order), once per `refund_id`, else per event.
 * Null for other events and for events that name no `order_id`.
 *
 * @example orderWriteFromEvent({ id: "7", name: "Order Completed", contactId, occurredAt, properties: { order_id: "1042", total: 54.9 } }, "EUR")
 */
export function orderWriteFromEvent(event: OrderEvent, defaultCurrency: string): OrderWrite | null {
  const { properties } = event;
  const shopOrderId = eventId(properties.order_id);
  if (!shopOrderId || !(orderEventNames as readonly string[]).includes(event.name)) return null;
  const currency = eventCurrency(properties.currency, defaultCurrency);
  const at = event.occurredAt.toISOString();
  const write: OrderWrite = {
    shop_order_id: shopOrderId,
    contact_id: event.contactId,
    source: "EVENT",
    verified: !event.fromBrowser,
    currency,
    at,
    details: null,
    placeholder: false,
    status: null,
    tracking_number: null,
    tracking_url: null,
    carrier: null,
    shipped_at: null,
    cancelled_at: null,
    refunds: [],
  };
  switch (event.name) {
    case "Order Completed":
      return { ...write, details: detailsOf(properties, currency, at) };
    case "Order Updated": {
      const status =
        typeof properties.status === "string"
          ? statusNames[properties.status.toLowerCase()]
          : undefined;
      const details = detailsOf(properties, currency, null);
      return { ...write, details: hasAmounts(properties) ? details : null, status: status ?? null };
    }
    case "Order Cancelled":
      return {
        ...write,
        ...placeholderOf(properties, currency),
        status: "CANCELLED",
        cancelled_at: at,
      };
    case "Order Shipped":
      return {
        ...write,
        ...placeholderOf(properties, currency),
        status: "SHIPPED",
        shipped_at: at,
        tracking_number: eventText(properties.tracking_number),
        tracking_url: eventLink(properties.tracking_url),
        carrier: eventText(properties.carrier),
      };
    default: {
      const amount = properties.refund_amount ?? properties.amount ?? properties.total;
      return {
        ...write,
        refunds: [
          {
            refund_key: eventId(properties.refund_id) ?? `event:${event.id}`,
            amount: amount === undefined ? null : (money(amount, currency) ?? 0),
            refunded_at: at,
            reason: eventText(properties.reason, 500),
          },
        ],
      };
    }
  }
}

/**
 * Applies an order event to its order in the caller's transaction (the event's reaction).
 * Repeating it changes nothing more: its writes are keyed and time-guarded. Null when the
 * event names no order, or when a browser's event would change a verified order (it changes
 * nothing).
 */
export async function recordOrderEvent(
  tx: Transaction,
  workspaceId: string,
  event: OrderEvent,
  defaultCurrency: string,
): Promise<WrittenOrder | null> {
  const write = orderWriteFromEvent(event, defaultCurrency);
  if (!write) return null;
  const [written] = await writeOrders(tx, workspaceId, [write]);
  return written && !written.ignored ? written : null;
}

const hasAmounts = (properties: Properties) =>
  ["total", "revenue", "subtotal", "products"].some((key) => properties[key] !== undefined);

/** A status event's own copy of the order, used only if the order is not known yet. */
function placeholderOf(properties: Properties, currency: string) {
  return hasAmounts(properties)
    ? { details: detailsOf(properties, currency, null), placeholder: true }
    : {};
}

function money(value: unknown, currency: string): number | null {
  const minor = toMinorUnits(value, currency);
  if (minor === null || Math.abs(minor) > maxMinorUnits) return null;
  return Math.abs(minor);
}

function detailsOf(
  properties: Properties,
  currency: string,
  orderedAt: string | null,
): OrderDetails {
  const products = Array.isArray(properties.products)
    ? properties.products.filter(
        (item): item is Properties => typeof item === "object" && item !== null,
      )
    : null;
  const lines =
    products?.flatMap((product): OrderLineWrite[] => {
      const productId = eventId(product.product_id) ?? eventId(product.sku);
      if (!productId) return [];
      return [
        {
          shop_product_id: productId,
          shop_variant_id: eventId(product.variant_id),
          sku: eventText(product.sku),
          title: eventText(product.name, 500),
          price: money(product.price, currency) ?? 0,
          quantity: Math.min(1_000_000, Math.max(1, Math.trunc(Number(product.quantity) || 1))),
          image_url: eventLink(product.image_url),
          url: eventLink(product.url),
        },
      ];
    }) ?? null;
  const subtotal =
    properties.subtotal !== undefined
      ? money(properties.subtotal, currency)
      : lines
        ? lines.reduce((sum, line) => sum + line.price * line.quantity, 0)
        : null;
  return {
    order_number: eventId(properties.order_number),
    cart_id: eventText(properties.cart_id),
    subtotal,
    discount: money(properties.discount, currency),
    shipping: money(properties.shipping, currency),
    tax: money(properties.tax, currency),
    total: money(properties.total ?? properties.revenue, currency),
    coupon: eventText(properties.coupon),
    ordered_at: orderedAt,
    properties: null,
    lines,
  };
}
