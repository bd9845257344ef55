import type { CartwheelClient, OrderInput, ProductInput } from "./cartwheel-client.ts";
import type { ShopOrder } from "./shop-export.ts";
import { isoDateTime } from "./shop-export.ts";
import { type UpsertReport, upsertInBatches } from "./upsert-in-batches.ts";

/**
 * Upserts the shop's catalog with `upsertProducts` (by the shop's product id; amounts in major
 * units), reporting refused rows and storing the rest. Running it again updates, never
 * duplicates. For the first load of a large catalog, `npm run import -- products <file>` does
 * the same from a file, with progress and resume.
 *
 * @example const report = await syncProducts(client, [{ productId: "linen-shirt", title: "Linen shirt", price: 59 }]);
 */
export function syncProducts(
  client: CartwheelClient,
  products: ProductInput[],
): Promise<UpsertReport> {
  return upsertInBatches(products, {
    field: "products",
    idOf: (product) => product.productId,
    send: (batch) => client.upsertProducts(batch),
  });
}

/** The `upsertOrders` input for a shop order: its customer by the shop's customer id. */
export function toOrderInput(order: ShopOrder): OrderInput {
  return {
    orderId: order.id,
    customer: { externalId: order.customer_id },
    currency: order.currency,
    total: order.total,
    orderedAt: isoDateTime(order.completed_at) ?? order.completed_at,
    status: "PAID",
    lines: order.products.map((line) => ({
      productId: line.product_id,
      ...(line.sku !== undefined && { sku: line.sku }),
      title: line.name,
      price: line.price,
      quantity: line.quantity,
    })),
  };
}

/**
 * Upserts orders with `upsertOrders` (by the shop's order id, with their lines), reporting
 * refused rows and storing the rest. A repeat of an order id updates that order, also one an
 * `Order Completed` event created.
 *
 * @example const report = await pushOrders(client, orders); // { created, updated, refused }
 */
export function pushOrders(client: CartwheelClient, orders: ShopOrder[]): Promise<UpsertReport> {
  return upsertInBatches(orders.map(toOrderInput), {
    field: "orders",
    idOf: (order) => order.orderId,
    send: (batch) => client.upsertOrders(batch),
  });
}
