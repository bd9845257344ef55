import type { Executor } from "../../db.ts";
import { cartFromEvents } from "../orders/cart-from-events.ts";
import { NotFoundError } from "../shared/errors.ts";

/** A cart as recommendations read it: whose it is and the products in it now. */
export interface CartProducts {
  contactId: string | null;
  productIds: string[];
}

/**
 * The products in a cart now, and its contact. Reads the cart's events (`cartFromEvents`)
 * until carts are rows of their own; this is the one place to switch to the `Cart` table.
 * Throws `NotFoundError` when no cart event of the workspace carries `cartId`.
 *
 * @example const { productIds } = await findCartProducts(tx, workspaceId, "cart_77")
 */
export async function findCartProducts(
  executor: Executor,
  workspaceId: string,
  cartId: string,
): Promise<CartProducts> {
  const [latest] = await executor.$queryRaw<{ contactId: string | null }[]>`
    SELECT contact_id::text AS "contactId" FROM events
     WHERE workspace_id = ${workspaceId}::uuid
       AND name IN ('Product Added', 'Product Removed', 'Cart Viewed', 'Checkout Started')
       AND properties->>'cart_id' = ${cartId}
     ORDER BY contact_id IS NULL, occurred_at DESC LIMIT 1`;
  if (!latest) throw new NotFoundError("Cart", cartId);
  if (!latest.contactId) return { contactId: null, productIds: [] };
  const cart = await cartFromEvents(executor, workspaceId, latest.contactId, cartId, "XXX");
  return { contactId: latest.contactId, productIds: cart.items.map((item) => item.product_id) };
}
