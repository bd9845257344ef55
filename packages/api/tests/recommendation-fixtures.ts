import { db } from "../src/db.ts";
import { upsertProducts } from "../src/domain/catalog/upsert-products.ts";
import { upsertOrders } from "../src/domain/orders/upsert-orders.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { storeEvent, testNow } from "./segment-fixtures.ts";

/** One catalog product of a test shop: a shop id, a category and a price in major units. */
export interface ShopProduct {
  id: string;
  category: string;
  price: number;
  status?: "ACTIVE" | "DRAFT" | "ARCHIVED";
  inStock?: boolean;
}

/** Writes products through `upsertProducts`, titled after their ids, with a product URL. */
export function stockShop(workspaceId: string, products: ShopProduct[]) {
  return upsertProducts(
    workspaceId,
    products.map((product) => ({
      productId: product.id,
      title: `The ${product.id}`,
      url: `https://shop.test/p/${product.id}`,
      price: product.price,
      category: product.category,
      status: product.status ?? "ACTIVE",
      inStock: product.inStock ?? true,
    })),
  );
}

/**
 * The outdoor shop the recommendation tests share: tents, sleeping bags, stoves, gas and lamps.
 * Complements are bought together (tent + sleeping bag, stove + gas); substitutes are viewed
 * together (the basic tent and the pricier ultralight tent).
 */
export const outdoorShop: ShopProduct[] = [
  { id: "tent", category: "Camping > Tents", price: 100 },
  { id: "tent-ultralight", category: "Camping > Tents", price: 160 },
  { id: "tent-palace", category: "Camping > Tents", price: 450 },
  { id: "tent-budget", category: "Camping > Tents", price: 60 },
  { id: "sleeping-bag", category: "Camping > Sleeping", price: 80 },
  { id: "mat", category: "Camping > Sleeping", price: 30 },
  { id: "stove", category: "Camping > Kitchen", price: 50 },
  { id: "gas", category: "Camping > Kitchen", price: 8 },
  { id: "lamp", category: "Camping > Light", price: 25 },
  { id: "socks", category: "Clothing", price: 12 },
];

let orderSequence = 0;

/**
 * Pushes orders through `upsertOrders` (the backend's path), `ordered` days before `testNow`,
 * for the customer `email` (default: a new one per order). Returns the shop order ids.
 */
export async function pushOrders(
  workspaceId: string,
  baskets: {
    products: string[];
    email?: string;
    daysAgo?: number;
    status?: "PLACED" | "CANCELLED";
  }[],
): Promise<string[]> {
  const orders = baskets.map((basket) => {
    orderSequence += 1;
    return {
      orderId: `o-${orderSequence}`,
      customer: { email: basket.email ?? `buyer-${orderSequence}@example.com` },
      total: basket.products.length * 10,
      orderedAt: new Date(testNow.getTime() - (basket.daysAgo ?? 5) * 86_400_000).toISOString(),
      updatedAt: testNow.toISOString(),
      status: basket.status ?? "PLACED",
      lines: basket.products.map((productId) => ({ productId, price: 10, quantity: 1 })),
    };
  });
  for (let start = 0; start < orders.length; start += 1000) {
    await upsertOrders(workspaceId, orders.slice(start, start + 1000), { now: testNow });
  }
  return orders.map((order) => order.orderId);
}

/**
 * Stores `Product Viewed` events of one shopper (a contact or an anonymous id), `minutesApart`
 * minutes apart starting at `start`, without running their reactions. Returns the event ids.
 */
export async function storeViews(
  workspaceId: string,
  shopper: { contactId: string } | { anonymousId: string },
  productIds: string[],
  start: Date,
  minutesApart = 2,
): Promise<string[]> {
  const ids: string[] = [];
  for (const [index, productId] of productIds.entries()) {
    const at = new Date(start.getTime() + index * minutesApart * 60_000);
    if ("contactId" in shopper) {
      ids.push(
        await storeEvent(
          workspaceId,
          shopper.contactId,
          "Product Viewed",
          { product_id: productId },
          at,
        ),
      );
    } else {
      const event = await db().event.create({
        data: {
          workspaceId,
          anonymousId: shopper.anonymousId,
          name: "Product Viewed",
          properties: { product_id: productId },
          occurredAt: at,
          messageId: `view-${shopper.anonymousId}-${at.getTime()}-${productId}-${Math.random()}`,
        },
      });
      ids.push(String(event.id));
    }
  }
  return ids;
}

/** Runs the reactions of stored events in order, as the worker's process_event does. */
export async function react(eventIds: string[]) {
  for (const id of eventIds) await reactToEvent(id, { now: testNow });
}

/** A pair's count in a graph, or 0. */
export async function pairCount(
  workspaceId: string,
  graph: "PURCHASE" | "VIEW",
  a: string,
  b: string,
): Promise<number> {
  const row = await db().recommendationPair.findUnique({
    where: {
      workspaceId_graph_productId_otherId: { workspaceId, graph, productId: a, otherId: b },
    },
  });
  return row?.count ?? 0;
}

/** A product's count in a graph, or 0. */
export async function productCount(
  workspaceId: string,
  graph: "PURCHASE" | "VIEW",
  productId: string,
): Promise<number> {
  const row = await db().recommendationProductCount.findUnique({
    where: { workspaceId_graph_productId: { workspaceId, graph, productId } },
  });
  return row?.count ?? 0;
}

/** The shop ids of a recommendation result, in order. */
export const idsOf = (result: { items: { product: { shopProductId: string } }[] }) =>
  result.items.map((item) => item.product.shopProductId);
