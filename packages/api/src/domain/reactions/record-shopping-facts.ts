import type { Transaction } from "../../db.ts";
import { productsFromEvent, recordProductStubs, stubEventNames } from "../catalog/product-stubs.ts";
import { queueContactOrdersChange } from "../contacts/contact-changes.ts";
import { convertCarts } from "../orders/convert-carts.ts";
import { cartEventNames } from "../orders/fold-cart.ts";
import { countsBrowserOrders } from "../orders/order-settings.ts";
import { orderEventNames, recordOrderEvent } from "../orders/orders-from-events.ts";
import { recordCartEvent } from "../orders/record-cart-event.ts";
import { recordEventSignals } from "../recommendations/record-event-signals.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";

/** What an event changed in the catalog and the orders. */
export interface ShoppingFacts {
  /** Stub products made for products the catalog did not know. */
  productStubs: number;
  /** The row id of the order the event created or moved, if any. */
  orderId: string | null;
  /** The row id of the cart the event wrote, if any. */
  cartId: string | null;
  /** A browser's order event in a workspace where unverified orders do not count: no order. */
  uncountedOrder: boolean;
}

const shoppingEvents = new Set<string>([...stubEventNames, ...orderEventNames, ...cartEventNames]);

/**
 * The catalog, cart and order side of an event, in its reaction's transaction: products it
 * names that the catalog lacks become stubs (`Product Viewed`, `Product Added`,
 * `Order Completed`), order events create or move their `Order` row and convert the cart it
 * bought (`convertCarts`), cart events bring their `Cart` up to date (`recordCartEvent`), and
 * views and new orders add to the recommendation graphs' ledger (`recordEventSignals`). All
 * are keyed and time-guarded, so a retried job (or an anonymous event handled again once its
 * shopper is identified, which then attaches the order or cart to the contact) changes nothing
 * twice. Other events cost nothing. When the order belongs (or belonged) to another contact
 * than the event's (an anonymous refund, an order moved), that contact's segments on orders
 * are queued for a re-check. A browser's order event writes an unverified order, never changes
 * a verified one, and writes nothing where the workspace does not count unverified orders.
 *
 * @example await recordShoppingFacts(tx, { id, workspaceId, contactId, name, occurredAt, properties })
 */
export async function recordShoppingFacts(
  tx: Transaction,
  event: {
    id: string;
    workspaceId: string;
    contactId: string | null;
    name: string;
    occurredAt: Date;
    properties: Record<string, unknown>;
    fromBrowser: boolean;
  },
): Promise<ShoppingFacts> {
  if (!shoppingEvents.has(event.name))
    return { productStubs: 0, orderId: null, cartId: null, uncountedOrder: false };
  const currency = await loadWorkspaceCurrency(tx, event.workspaceId);
  const stubs = await recordProductStubs(
    tx,
    event.workspaceId,
    productsFromEvent(event.name, event.properties, currency),
  );
  const uncountedOrder =
    event.fromBrowser &&
    (orderEventNames as readonly string[]).includes(event.name) &&
    !(await countsBrowserOrders(tx, event.workspaceId));
  const order = uncountedOrder
    ? null
    : await recordOrderEvent(tx, event.workspaceId, event, currency);
  if (order) await convertCarts(tx, event.workspaceId, [order.id]);
  // The event's own contact is re-checked by its reaction; others the order belongs or belonged to are queued.
  const others = order?.contactIds.filter((id) => id !== event.contactId) ?? [];
  await queueContactOrdersChange(tx, event.workspaceId, others);
  const cart = await recordCartEvent(tx, event.workspaceId, event, currency);
  await recordEventSignals(tx, event, order?.id ?? null);
  return {
    productStubs: stubs.created,
    orderId: order?.id ?? null,
    cartId: cart?.id ?? null,
    uncountedOrder,
  };
}
