export const orderStatuses = [
  "PLACED",
  "PAID",
  "FULFILLED",
  "SHIPPED",
  "CANCELLED",
  "PARTIALLY_REFUNDED",
  "REFUNDED",
] as const;
export type OrderStatusName = (typeof orderStatuses)[number];
/** The statuses a write may set; the refund statuses follow from the refunds. */
export const settableOrderStatuses = [
  "PLACED",
  "PAID",
  "FULFILLED",
  "SHIPPED",
  "CANCELLED",
] as const;
export type SettableOrderStatus = (typeof settableOrderStatuses)[number];

/** One line as written (unit price in minor units of the order's currency). */
export interface OrderLineWrite {
  shop_product_id: string;
  shop_variant_id: string | null;
  sku: string | null;
  title: string | null;
  price: number;
  quantity: number;
  image_url: string | null;
  url: string | null;
}

/** The order's data: amounts in minor units; a field left null keeps the stored one. */
export interface OrderDetails {
  order_number: string | null;
  cart_id: string | null;
  subtotal: number | null;
  discount: number | null;
  shipping: number | null;
  tax: number | null;
  total: number | null;
  coupon: string | null;
  /** ISO time the order was placed; null keeps the stored one. */
  ordered_at: string | null;
  properties: Record<string, unknown> | null;
  /** The lines, replacing the stored ones; null keeps them. */
  lines: OrderLineWrite[] | null;
}

export interface RefundWrite {
  /** The shop's refund id, or `event:<id>` for a refund event without one. */
  refund_key: string;
  /** Minor units; null refunds whatever is left of the total. */
  amount: number | null;
  refunded_at: string;
  reason: string | null;
}

/**
 * What one source (an event, a row of `upsertOrders`) says about one order. Writes are
 * order-independent and safe to repeat: `details` apply only if `at` is not older than the
 * details stored, `status` only if `at` is not older than the stored status, refunds are keyed,
 * and the contact, once known, is kept unless a write names another one.
 */
export interface OrderWrite {
  shop_order_id: string;
  contact_id: string | null;
  source: "EVENT" | "API";
  /**
   * False for what only a browser reported (an SDK event with the public key): it never changes
   * a verified order, and makes a new order unverified. Omitted, true.
   */
  verified?: boolean;
  /** The currency of the write's amounts; a new order's currency, and the order's when details apply. */
  currency: string;
  /** ISO time this information was true: the event's time, or the shop's `updatedAt`. */
  at: string;
  details: OrderDetails | null;
  /**
   * The details only describe a new order (a status event naming an order not seen yet):
   * stored if the order is new, and replaced by the first real details.
   */
  placeholder: boolean;
  status: SettableOrderStatus | null;
  tracking_number: string | null;
  tracking_url: string | null;
  carrier: string | null;
  shipped_at: string | null;
  cancelled_at: string | null;
  refunds: RefundWrite[];
}
