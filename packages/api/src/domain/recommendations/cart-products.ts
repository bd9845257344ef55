import type { Executor } from "../../db.ts";
import { NotFoundError } from "../shared/errors.ts";

/** A cart as recommendations read it: whose it is and the products in it now. */
export interface CartProducts {
  contactId: string | null;
  productIds: string[];
}

/**
 * The products in a cart now (its `Cart` row's lines, in order), and its contact. Throws
 * `NotFoundError` when the workspace has no cart with this shop cart id.
 *
 * @example const { productIds } = await findCartProducts(tx, workspaceId, "cart_77")
 */
export async function findCartProducts(
  executor: Executor,
  workspaceId: string,
  cartId: string,
): Promise<CartProducts> {
  const cart = await executor.cart.findUnique({
    where: { workspaceId_shopCartId: { workspaceId, shopCartId: cartId } },
    select: {
      contactId: true,
      lines: { select: { shopProductId: true }, orderBy: { position: "asc" } },
    },
  });
  if (!cart) throw new NotFoundError("Cart", cartId);
  return {
    contactId: cart.contactId,
    productIds: [...new Set(cart.lines.map((line) => line.shopProductId))],
  };
}
