import type { Executor } from "../../db.ts";
import type { OrderStatusName } from "./order-write.ts";

/** An order as templates render it (the template library's `OrderData`; minor units). */
export interface OrderTemplateData {
  id: string;
  number: string;
  created_at: string;
  items: {
    product_id: string;
    sku: string | null;
    name: string;
    price: number;
    quantity: number;
    image_url: string | null;
    url: string | null;
    variant: string | null;
  }[];
  subtotal: number;
  shipping: number;
  tax: number;
  discount: number;
  total: number;
  /** The refunds' sum, and the total less it (net). */
  refunded: number;
  net_total: number;
  refunds: { amount: number; refunded_at: string; reason: string | null }[];
  currency: string;
  coupon: string | null;
  status: OrderStatusName;
  tracking_url: string | null;
  tracking_number: string | null;
  carrier: string | null;
}

interface OrderRow {
  id: string;
  order_number: string | null;
  ordered_at: Date;
  subtotal: number;
  shipping: number;
  tax: number;
  discount: number;
  total: number;
  refunded: number;
  currency: string;
  coupon: string | null;
  status: OrderStatusName;
  tracking_url: string | null;
  tracking_number: string | null;
  carrier: string | null;
  items: OrderTemplateData["items"];
  refunds: { amount: number | null; refunded_at: string; reason: string | null }[];
}

/**
 * The workspace's order with the shop's `order_id`, as an order-keyed scenario run's email
 * shows it: its stored amounts, lines (with the catalog's current image and link where the
 * line has none), refunds, status and tracking. A refund without an amount (a full refund)
 * shows as what the other refunds left of the total. Null when the order has no row (yet).
 *
 * @example const order = await loadOrderTemplateData(tx, workspaceId, "1042")
 */
export async function loadOrderTemplateData(
  executor: Executor,
  workspaceId: string,
  shopOrderId: string,
): Promise<OrderTemplateData | null> {
  const [row] = await executor.$queryRaw<OrderRow[]>`
    SELECT o.shop_order_id AS id, o.order_number, o.ordered_at, o.subtotal::float8 AS subtotal,
           o.shipping::float8 AS shipping, o.tax::float8 AS tax, o.discount::float8 AS discount,
           o.total::float8 AS total, o.refunded_amount::float8 AS refunded, o.currency, o.coupon,
           o.status::text AS status, o.tracking_url, o.tracking_number, o.carrier,
           coalesce((SELECT jsonb_agg(jsonb_build_object(
                       'product_id', l.shop_product_id, 'sku', l.sku,
                       'name', coalesce(l.title, p.title, l.shop_product_id),
                       'price', l.price, 'quantity', l.quantity,
                       'image_url', coalesce(l.image_url, p.image_url),
                       'url', coalesce(l.url, p.url), 'variant', v.title) ORDER BY l.position)
                       FROM order_lines l
                       LEFT JOIN products p ON p.workspace_id = o.workspace_id
                                           AND p.shop_product_id = l.shop_product_id
                       LEFT JOIN product_variants v ON v.product_id = p.id
                                                   AND v.shop_variant_id = l.shop_variant_id
                      WHERE l.order_id = o.id), '[]') AS items,
           coalesce((SELECT jsonb_agg(jsonb_build_object(
                       'amount', r.amount, 'refunded_at', r.refunded_at, 'reason', r.reason)
                       ORDER BY r.refunded_at)
                       FROM order_refunds r WHERE r.order_id = o.id), '[]') AS refunds
      FROM orders o
     WHERE o.workspace_id = ${workspaceId}::uuid AND o.shop_order_id = ${shopOrderId}`;
  if (!row) return null;
  const { order_number, ordered_at, refunds, ...order } = row;
  const amounted = refunds.reduce((sum, refund) => sum + (refund.amount ?? 0), 0);
  return {
    ...order,
    number: order_number ?? order.id,
    created_at: ordered_at.toISOString(),
    net_total: order.total - order.refunded,
    refunds: refunds.map((refund) => ({
      amount: refund.amount ?? Math.max(0, order.total - amounted),
      refunded_at: new Date(refund.refunded_at).toISOString(),
      reason: refund.reason,
    })),
  };
}
