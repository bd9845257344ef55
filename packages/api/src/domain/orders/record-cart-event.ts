import type { Transaction } from "../../db.ts";
import { eventText } from "../shared/event-values.ts";
import { cartEventNames } from "./fold-cart.ts";
import { recordCarts, type WrittenCart } from "./record-carts.ts";

/**
 * Brings the cart a cart event names (its `cart_id`) up to date in the caller's transaction
 * (the event's reaction): `recordCarts` for that one cart, which is created if new and locked,
 * and folded again from every stored event of that cart (`foldCart`), so a repeated, late or
 * out-of-order event, or an anonymous shopper's events attached to the contact they identified
 * as, all end in the same cart; its status follows (`cartStatusOf`). Nothing is written when
 * nothing changed. Null for other events and for cart events without a `cart_id`.
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
  const [written] = await recordCarts(
    tx,
    workspaceId,
    [{ shopCartId, seenAt: event.occurredAt }],
    defaultCurrency,
  );
  return written ?? null;
}
