import type { Executor } from "../../db.ts";
import { InvalidInputError, NotFoundError } from "../shared/errors.ts";
import { findCartProducts } from "./cart-products.ts";
import { droppedOrderStatuses } from "./graph-settings.ts";
import { anchorsOf, type ParsedRecommendationRequest } from "./recommendation-request.ts";

const dayMs = 86_400_000;
/** A signal loses half its weight every 14 days (for you, cross-sell from a contact). */
const halfLifeDays = 14;
/** How far back personal signals reach. */
const personalWindowDays = 90;

/** What a request is about: weighted anchor products, and the products it must leave out. */
export interface Anchors {
  /** Shop product ids with their weight (1 for a product or cart item; decayed for history). */
  products: { productId: string; weight: number }[];
  /** Whose purchases are left out (the contact, the order's or the cart's). */
  contactId: string | null;
  /** Never recommended: the anchors, the cart's items, what the contact owns (cross-sell). */
  excluded: Set<string>;
  /**
   * For you: products the contact viewed or put in a cart and did not buy, which may be shown
   * again, with their decayed signal weight.
   */
  revisits: { productId: string; weight: number }[];
}

/**
 * Resolves a request's anchor: its product ids (each must be in the catalog), its cart's
 * items, its order's lines or the contact's history, as its strategy uses them. Throws
 * `InvalidInputError` when the strategy's anchor is missing and `NotFoundError` for an id the
 * workspace does not have.
 *
 * @example const anchors = await resolveAnchors(tx, workspaceId, request, now)
 */
export async function resolveAnchors(
  executor: Executor,
  workspaceId: string,
  request: ParsedRecommendationRequest,
  now: Date,
): Promise<Anchors> {
  const accepted = anchorsOf[request.strategy];
  if (accepted.length > 0 && !accepted.some((field) => request[field] !== undefined)) {
    throw InvalidInputError.field(
      [accepted[0] ?? "productIds"],
      `${request.strategy} needs ${accepted.join(" or ")}`,
    );
  }
  const anchors: Anchors = { products: [], contactId: null, excluded: new Set(), revisits: [] };
  const add = (productId: string, weight: number) => {
    anchors.products.push({ productId, weight });
    anchors.excluded.add(productId);
  };
  if (request.contactId) {
    const [contact] = await executor.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM contacts
       WHERE id = ${request.contactId}::uuid AND workspace_id = ${workspaceId}::uuid`;
    if (!contact) throw new NotFoundError("Contact", request.contactId);
    anchors.contactId = contact.id;
  }
  if (request.productIds) {
    const ids = [...new Set(request.productIds)];
    const known = await executor.$queryRaw<{ productId: string }[]>`
      SELECT shop_product_id AS "productId" FROM products
       WHERE workspace_id = ${workspaceId}::uuid AND shop_product_id = ANY(${ids}::text[])`;
    const found = new Set(known.map((row) => row.productId));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw new NotFoundError("Product", missing);
    for (const id of ids) add(id, 1);
  }
  if (request.cartId) {
    const cart = await findCartProducts(executor, workspaceId, request.cartId);
    anchors.contactId ??= cart.contactId;
    for (const id of cart.productIds) add(id, 1);
  }
  if (request.orderId) {
    const [order] = await executor.$queryRaw<{ contactId: string | null; productIds: string[] }[]>`
      SELECT o.contact_id::text AS "contactId",
             ARRAY(SELECT DISTINCT shop_product_id FROM order_lines WHERE order_id = o.id) AS "productIds"
        FROM orders o WHERE o.workspace_id = ${workspaceId}::uuid AND o.shop_order_id = ${request.orderId}`;
    if (!order) throw new NotFoundError("Order", request.orderId);
    anchors.contactId ??= order.contactId;
    for (const id of order.productIds) add(id, 1);
  }
  const personal =
    request.strategy === "for_you" || (request.strategy === "cross_sell" && !request.orderId);
  if (personal && anchors.contactId) {
    const history = await listContactSignals(
      executor,
      workspaceId,
      anchors.contactId,
      request.strategy === "for_you" ? ["view", "cart", "order"] : ["order"],
      now,
    );
    for (const signal of history) {
      anchors.products.push({ productId: signal.productId, weight: signal.weight });
      // What they looked at and did not buy is still a pick for them; what they bought is not.
      if (request.strategy === "for_you" && !signal.bought) {
        anchors.revisits.push({ productId: signal.productId, weight: signal.weight });
      } else {
        anchors.excluded.add(signal.productId);
      }
    }
  }
  if (request.strategy === "cross_sell" && anchors.contactId) {
    for (const id of await listBoughtProducts(executor, workspaceId, anchors.contactId, null)) {
      anchors.excluded.add(id);
    }
  }
  return anchors;
}

/**
 * The contact's recent products with a time-decayed weight: views count 1, cart adds 2,
 * purchases 3, each halved every 14 days, over the last 90 days; the 50 heaviest, each saying
 * whether it was bought in that time.
 */
async function listContactSignals(
  executor: Executor,
  workspaceId: string,
  contactId: string,
  kinds: ("view" | "cart" | "order")[],
  now: Date,
): Promise<{ productId: string; weight: number; bought: boolean }[]> {
  const since = new Date(now.getTime() - personalWindowDays * dayMs);
  const names = [
    ...(kinds.includes("view") ? ["Product Viewed"] : []),
    ...(kinds.includes("cart") ? ["Product Added"] : []),
  ];
  return executor.$queryRaw<{ productId: string; weight: number; bought: boolean }[]>`
    SELECT product_id AS "productId",
           sum(weight * power(0.5, extract(epoch FROM (${now}::timestamptz - at)) / ${halfLifeDays * 86_400}))::float8 AS weight,
           bool_or(bought) AS bought
      FROM (
        SELECT properties->>'product_id' AS product_id,
               CASE name WHEN 'Product Added' THEN 2 ELSE 1 END AS weight, occurred_at AS at, false AS bought
          FROM events
         WHERE workspace_id = ${workspaceId}::uuid AND contact_id = ${contactId}::uuid
           AND name = ANY(${names}::text[]) AND occurred_at >= ${since}::timestamptz
           AND occurred_at <= ${now}::timestamptz
        UNION ALL
        SELECT l.shop_product_id, 3, o.ordered_at, true
          FROM orders o JOIN order_lines l ON l.order_id = o.id
         WHERE ${kinds.includes("order")} AND o.workspace_id = ${workspaceId}::uuid
           AND o.contact_id = ${contactId}::uuid AND o.ordered_at >= ${since}::timestamptz
           AND o.ordered_at <= ${now}::timestamptz
           AND o.status::text <> ALL(${[...droppedOrderStatuses]}::text[])
      ) signals
     WHERE product_id IS NOT NULL
     GROUP BY product_id ORDER BY weight DESC, product_id LIMIT 50`;
}

/**
 * The shop product ids a contact bought since `since` (null: ever), cancelled and refunded
 * orders aside.
 *
 * @example await listBoughtProducts(tx, workspaceId, contactId, new Date(Date.now() - 30 * 86_400_000))
 */
export async function listBoughtProducts(
  executor: Executor,
  workspaceId: string,
  contactId: string,
  since: Date | null,
): Promise<string[]> {
  const rows = await executor.$queryRaw<{ productId: string }[]>`
    SELECT DISTINCT l.shop_product_id AS "productId"
      FROM orders o JOIN order_lines l ON l.order_id = o.id
     WHERE o.workspace_id = ${workspaceId}::uuid AND o.contact_id = ${contactId}::uuid
       AND (${since}::timestamptz IS NULL OR o.ordered_at >= ${since}::timestamptz)
       AND o.status::text <> ALL(${[...droppedOrderStatuses]}::text[])`;
  return rows.map((row) => row.productId);
}

/**
 * The ranked complements (purchase-graph neighbours) of the anchors: an upsell never shows one.
 *
 * @example await listComplements(tx, workspaceId, anchors) // → ["sleeping-bag"]
 */
export async function listComplements(
  executor: Executor,
  workspaceId: string,
  anchors: Anchors,
): Promise<string[]> {
  const rows = await executor.$queryRaw<{ productId: string }[]>`
    SELECT DISTINCT neighbour_id AS "productId" FROM recommendation_neighbours
     WHERE workspace_id = ${workspaceId}::uuid AND graph = 'PURCHASE'
       AND product_id = ANY(${anchors.products.map((a) => a.productId)}::text[])`;
  return rows.map((row) => row.productId);
}
