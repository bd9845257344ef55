/**
 * A deterministic synthetic shop for the recommendation evaluation and benchmark: products in
 * categories, planted complements (each product has one partner in the next category, bought
 * with it in most orders, and otherwise often in a later order: the cross-sell signal) and
 * planted substitutes (clusters of four similar products in a category, viewed together before
 * a purchase), popularity skewed as shops are.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { seededRandom } from "./segment-data.ts";

export interface ShopSizes {
  products: number;
  customers: number;
  /** Orders per customer, between 1 and this (at least 2 for the evaluation's holdout). */
  maxOrders: number;
  /**
   * How far back the first orders go (180 days unless given); the gaps between a customer's
   * orders shrink in proportion. The evaluation keeps its history inside the view graph's
   * 90-day window, so the sessions it planted substitutes in are the ones the graph reads.
   */
  historyDays?: number;
}

export interface SyntheticOrder {
  customer: number;
  at: Date;
  products: number[];
  /** Products viewed in the session before the order, in order. */
  views: number[];
  /** Held out of the data (the evaluation's test order): its views are written, it is not. */
  heldOut?: boolean;
}

const categories = 10;
const clusterSize = 4;
const dayMs = 86_400_000;

export const productId = (index: number) => `p${String(index).padStart(5, "0")}`;
export const categoryOf = (index: number) => `Cat ${index % categories}`;
/** The planted complement: the same position in the next category. */
export const complementOf = (index: number, products: number) => (index + 1) % products;
/** The planted substitutes: the other products of its cluster (same category, by position). */
export function substitutesOf(index: number, products: number): number[] {
  const slot = Math.floor(index / categories);
  const cluster = Math.floor(slot / clusterSize);
  const others: number[] = [];
  for (let k = 0; k < clusterSize; k++) {
    const candidate = (cluster * clusterSize + k) * categories + (index % categories);
    if (candidate !== index && candidate < products) others.push(candidate);
  }
  return others;
}

/** Every order of the shop, each customer's in time order, from `seed`. */
export function generateOrders(sizes: ShopSizes, end: Date, seed = 7): SyntheticOrder[] {
  const random = seededRandom(seed);
  // Popularity ~ 1/rank^0.8 over a shuffled catalog.
  const weights = Array.from({ length: sizes.products }, (_, i) => 1 / (1 + i) ** 0.8);
  const order = Array.from({ length: sizes.products }, (_, i) => i).sort(() => random() - 0.5);
  const cumulative: number[] = [];
  let total = 0;
  for (const i of order) {
    total += weights[i] ?? 0;
    cumulative.push(total);
  }
  const popular = () => {
    const target = random() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((cumulative[mid] ?? 0) < target) low = mid + 1;
      else high = mid;
    }
    return order[low] ?? 0;
  };
  const orders: SyntheticOrder[] = [];
  const historyDays = sizes.historyDays ?? 180;
  const stretch = historyDays / 180;
  for (let customer = 0; customer < sizes.customers; customer++) {
    const count = 2 + Math.floor(random() * (sizes.maxOrders - 1));
    let at = end.getTime() - historyDays * dayMs + random() * 30 * stretch * dayMs;
    /** Complements of what they bought without them: half their later orders come back for one. */
    const missing: number[] = [];
    const bought = new Set<number>();
    for (let n = 0; n < count; n++) {
      at += (1 + random() * 25) * stretch * dayMs;
      const open = missing.filter((p) => !bought.has(p));
      const anchor =
        open.length > 0 && random() < 0.5
          ? (open[Math.floor(random() * open.length)] ?? 0)
          : popular();
      const substitutes = substitutesOf(anchor, sizes.products);
      const views = [...substitutes.filter(() => random() < 0.6), anchor].sort(
        () => random() - 0.5,
      );
      const products = new Set([anchor]);
      if (random() < 0.7) products.add(complementOf(anchor, sizes.products));
      if (random() < 0.25) products.add(popular());
      for (const p of products) bought.add(p);
      const complement = complementOf(anchor, sizes.products);
      if (!products.has(complement)) missing.push(complement);
      orders.push({
        customer,
        at: new Date(Math.min(at, end.getTime() - 60_000)),
        products: [...products],
        views,
      });
    }
  }
  return orders;
}

/** A product's price in cents: it rises with the position in the cluster (so upsell has room). */
export const priceOf = (index: number) =>
  1000 + (Math.floor(index / categories) % clusterSize) * 500 + (index % 7) * 100;

/** Writes the catalog. */
export async function insertProducts(client: pg.Client, workspaceId: string, products: number) {
  for (let start = 0; start < products; start += 5_000) {
    const ids = Array.from({ length: Math.min(5_000, products - start) }, (_, i) => start + i);
    await client.query(
      `INSERT INTO products (workspace_id, shop_product_id, title, currency, price, category, url)
       SELECT $1, 'p' || lpad(i::text, 5, '0'), 'Product ' || i, 'EUR', price,
              'Cat ' || (i % ${categories}), 'https://shop.example/p/' || i
         FROM unnest($2::int[], $3::bigint[]) p(i, price)`,
      [workspaceId, ids, ids.map(priceOf)],
    );
  }
}

/**
 * Writes orders (with a contact per customer) and their sessions' `Product Viewed` events;
 * returns the contact ids by customer and the order row ids in input order.
 */
export async function insertOrders(
  client: pg.Client,
  workspaceId: string,
  customers: number,
  orders: SyntheticOrder[],
): Promise<{ contactIds: string[]; orderIds: string[] }> {
  const contactIds = Array.from({ length: customers }, () => randomUUID());
  for (let start = 0; start < customers; start += 10_000) {
    const ids = contactIds.slice(start, start + 10_000);
    await client.query(
      `INSERT INTO contacts (id, workspace_id, email)
       SELECT id, $1, id::text || '@example.com' FROM unnest($2::uuid[]) id`,
      [workspaceId, ids],
    );
  }
  const orderIds = orders.map(() => randomUUID());
  for (let start = 0; start < orders.length; start += 5_000) {
    const batch = orders.slice(start, start + 5_000);
    const ids = orderIds.slice(start, start + 5_000);
    const placed = batch.flatMap((o, i) => (o.heldOut ? [] : [{ o, id: ids[i] ?? "" }]));
    await client.query(
      `INSERT INTO orders (id, workspace_id, shop_order_id, contact_id, currency, total, ordered_at, status_at, source, data_at)
       SELECT id, $1, id::text, contact, 'EUR', 1000, at, at, 'API', at
         FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[]) o(id, contact, at)`,
      [
        workspaceId,
        placed.map((p) => p.id),
        placed.map((p) => contactIds[p.o.customer]),
        placed.map((p) => p.o.at),
      ],
    );
    const lineOrders: string[] = [];
    const lineProducts: string[] = [];
    const linePositions: number[] = [];
    const viewContacts: string[] = [];
    const viewProducts: string[] = [];
    const viewTimes: Date[] = [];
    batch.forEach((o, i) => {
      if (!o.heldOut)
        o.products.forEach((p, position) => {
          lineOrders.push(ids[i] ?? "");
          lineProducts.push(productId(p));
          linePositions.push(position);
        });
      o.views.forEach((p, k) => {
        viewContacts.push(contactIds[o.customer] ?? "");
        viewProducts.push(productId(p));
        viewTimes.push(new Date(o.at.getTime() - (o.views.length - k) * 120_000));
      });
    });
    await client.query(
      `INSERT INTO order_lines (order_id, workspace_id, position, shop_product_id, price, quantity)
       SELECT o, $1, pos, p, 1000, 1 FROM unnest($2::uuid[], $3::text[], $4::int[]) l(o, p, pos)`,
      [workspaceId, lineOrders, lineProducts, linePositions],
    );
    await client.query(
      `INSERT INTO events (workspace_id, contact_id, name, properties, occurred_at, message_id)
       SELECT $1, c, 'Product Viewed', jsonb_build_object('product_id', p), at, gen_random_uuid()::text
         FROM unnest($2::uuid[], $3::text[], $4::timestamptz[]) v(c, p, at)`,
      [workspaceId, viewContacts, viewProducts, viewTimes],
    );
  }
  return { contactIds, orderIds };
}
