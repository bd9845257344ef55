import { db } from "../../db.ts";

/** One product a contact touched, and when. */
export interface ProductFact {
  /** The shop's product id. */
  productId: string;
  at: Date;
}

/** What a contact last did with products. */
export interface ProductFacts {
  /** The latest `Product Viewed`. */
  lastViewed: ProductFact | null;
  /** The latest `Product Added` (whether or not it is still in a cart). */
  lastAddedToCart: ProductFact | null;
  /** The first line of the contact's latest order that was not cancelled. */
  lastBought: ProductFact | null;
}

interface FactRow {
  kind: keyof ProductFacts;
  product_id: string | null;
  at: Date;
}

/**
 * The contact's product facts in one statement: the last product viewed and added to a cart
 * (from the contact's events, newest first by their own time) and the last bought (from its
 * orders, by order time). A fact the contact has none of is null. Confined to `workspaceId`.
 *
 * @example await loadProductFacts(workspaceId, contactId) // { lastViewed: { productId: "mug", at }, lastAddedToCart: null, lastBought: … }
 */
export async function loadProductFacts(
  workspaceId: string,
  contactId: string,
): Promise<ProductFacts> {
  const rows = await db().$queryRaw<FactRow[]>`
    (SELECT 'lastViewed' AS kind, coalesce(properties->>'product_id', properties->>'sku') AS product_id,
            occurred_at AS at
       FROM events
      WHERE workspace_id = ${workspaceId}::uuid AND contact_id = ${contactId}::uuid
        AND name = 'Product Viewed'
        AND coalesce(properties->>'product_id', properties->>'sku') IS NOT NULL
      ORDER BY occurred_at DESC, id DESC LIMIT 1)
    UNION ALL
    (SELECT 'lastAddedToCart', coalesce(properties->>'product_id', properties->>'sku'), occurred_at
       FROM events
      WHERE workspace_id = ${workspaceId}::uuid AND contact_id = ${contactId}::uuid
        AND name = 'Product Added'
        AND coalesce(properties->>'product_id', properties->>'sku') IS NOT NULL
      ORDER BY occurred_at DESC, id DESC LIMIT 1)
    UNION ALL
    (SELECT 'lastBought', l.shop_product_id, o.ordered_at
       FROM orders o JOIN order_lines l ON l.order_id = o.id
      WHERE o.workspace_id = ${workspaceId}::uuid AND o.contact_id = ${contactId}::uuid
        AND o.status <> 'CANCELLED'
      ORDER BY o.ordered_at DESC, o.id DESC, l.position LIMIT 1)`;
  const facts: ProductFacts = { lastViewed: null, lastAddedToCart: null, lastBought: null };
  for (const row of rows) {
    if (row.product_id) facts[row.kind] = { productId: row.product_id, at: row.at };
  }
  return facts;
}
