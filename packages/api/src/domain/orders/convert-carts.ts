import type { Transaction } from "../../db.ts";

/** How long before an order a cart's last activity may lie for the order to convert it by its items. */
export const cartMatchWindowDays = 30;
/** How long after an order a cart's last activity may lie (clocks differ) for it to match. */
export const cartMatchGraceMinutes = 60;

/**
 * Marks the carts that orders bought as CONVERTED (with the order and its time), in the
 * caller's transaction, for orders just written from events or `upsertOrders`:
 * - an order with a `cart_id` converts the workspace's cart with that id;
 * - an order without one (the shop could not pass it) converts its contact's most recent
 *   (by last activity) cart that has lines and is not converted yet, if every one of that
 *   cart's products is among the order's lines and its last activity lies within 30 days
 *   before the order (or up to an hour after it, for clocks that differ).
 * A cart keeps the first order that converted it, and an order converts at most one cart by its
 * items, so writing an order again converts nothing more. A cart whose events arrive after
 * its order is converted when it is written (`recordCartEvent` looks for an order with its id).
 * Returns the number of carts converted.
 *
 * @example await convertCarts(tx, workspaceId, [orderId])
 */
export async function convertCarts(
  tx: Transaction,
  workspaceId: string,
  orderIds: readonly string[],
): Promise<number> {
  if (orderIds.length === 0) return 0;
  const byId = await tx.$executeRaw`
    UPDATE carts c SET status = 'CONVERTED', converted_order_id = o.id,
           converted_at = o.ordered_at, updated_at = now()
      FROM orders o
     WHERE o.id = ANY(${orderIds}::uuid[]) AND o.workspace_id = ${workspaceId}::uuid
       AND o.cart_id IS NOT NULL
       AND c.workspace_id = ${workspaceId}::uuid AND c.shop_cart_id = o.cart_id
       AND c.converted_order_id IS NULL`;
  const byItems = await tx.$executeRaw`
    WITH latest AS (
      SELECT DISTINCT ON (o.id) o.id AS order_id, o.ordered_at, c.id AS cart_id
        FROM orders o
        JOIN carts c ON c.workspace_id = o.workspace_id AND c.contact_id = o.contact_id
       WHERE o.id = ANY(${orderIds}::uuid[]) AND o.workspace_id = ${workspaceId}::uuid
         AND o.cart_id IS NULL AND o.contact_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM carts done WHERE done.converted_order_id = o.id)
         AND c.converted_order_id IS NULL
         AND EXISTS (SELECT 1 FROM cart_lines l WHERE l.cart_id = c.id)
         AND c.last_activity_at >= o.ordered_at - make_interval(days => ${cartMatchWindowDays})
         AND c.last_activity_at <= o.ordered_at + make_interval(mins => ${cartMatchGraceMinutes})
       ORDER BY o.id, c.last_activity_at DESC, c.id
    )
    UPDATE carts c SET status = 'CONVERTED', converted_order_id = latest.order_id,
           converted_at = latest.ordered_at, updated_at = now()
      FROM latest
     WHERE c.id = latest.cart_id AND c.converted_order_id IS NULL
       AND NOT EXISTS (
         SELECT 1 FROM cart_lines l
          WHERE l.cart_id = c.id
            AND NOT EXISTS (SELECT 1 FROM order_lines ol
                             WHERE ol.order_id = latest.order_id
                               AND ol.shop_product_id = l.shop_product_id))`;
  return byId + byItems;
}
