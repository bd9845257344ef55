import type { Transaction } from "../../db.ts";
import { eventCurrency, eventId, eventLink, eventText } from "../shared/event-values.ts";
import { maxMinorUnits, toMinorUnits } from "../shared/money.ts";
import { normalizeCategory } from "./product-input.ts";

/** Events whose products become stubs when the catalog does not know them yet. */
export const stubEventNames = ["Product Viewed", "Product Added", "Order Completed"] as const;

/** A product as one event describes it (price in minor units of `currency`). */
export interface EventProduct {
  shop_product_id: string;
  sku: string | null;
  title: string | null;
  url: string | null;
  image_url: string | null;
  currency: string;
  price: number | null;
  category: string | null;
  brand: string | null;
}

type Properties = Record<string, unknown>;

/**
 * The products an event names, in the Segment e-commerce spec's shape: the event's own
 * properties for `Product Viewed` / `Product Added`, its `products` list for `Order Completed`.
 * A product is named by `product_id`, else `sku`; prices are decimal major units in the
 * event's `currency` (else `defaultCurrency`). Unsafe links are dropped.
 *
 * @example productsFromEvent("Product Viewed", { product_id: "p1", name: "Shirt", price: 49 }, "EUR")
 */
export function productsFromEvent(
  name: string,
  properties: Properties,
  defaultCurrency: string,
): EventProduct[] {
  const currency = eventCurrency(properties.currency, defaultCurrency);
  const described =
    name === "Order Completed"
      ? Array.isArray(properties.products)
        ? properties.products.filter(
            (item): item is Properties => typeof item === "object" && item !== null,
          )
        : []
      : name === "Product Viewed" || name === "Product Added"
        ? [properties]
        : [];
  const byId = new Map<string, EventProduct>();
  for (const product of described) {
    const productId = eventId(product.product_id) ?? eventId(product.sku);
    if (!productId || byId.has(productId)) continue;
    const price = toMinorUnits(product.price, currency);
    const category = eventText(product.category, 500);
    byId.set(productId, {
      shop_product_id: productId,
      sku: eventText(product.sku, 255),
      title: eventText(product.name, 500),
      url: eventLink(product.url),
      image_url: eventLink(product.image_url),
      currency,
      price: price !== null && price >= 0 && price <= maxMinorUnits ? price : null,
      category: category ? normalizeCategory(category) || null : null,
      brand: eventText(product.brand, 200),
    });
  }
  return [...byId.values()];
}

/**
 * Makes a stub for each product the catalog does not know yet, and fills the gaps of existing
 * stubs (a field the stub lacks and this event has). Never changes a catalog product, and
 * never overwrites what a stub already holds. Takes no lock on products it leaves alone, so
 * the events of a popular product do not queue behind each other. One statement.
 *
 * @example await recordProductStubs(tx, workspaceId, productsFromEvent(name, properties, "EUR"))
 */
export async function recordProductStubs(
  tx: Transaction,
  workspaceId: string,
  products: EventProduct[],
): Promise<{ created: number; filled: number }> {
  if (products.length === 0) return { created: 0, filled: 0 };
  const [counts] = await tx.$queryRawUnsafe<{ created: number; filled: number }[]>(
    recordStubsSql,
    workspaceId,
    JSON.stringify(products),
  );
  return counts ?? { created: 0, filled: 0 };
}

const gap = (column: string) => `(p.${column} IS NULL AND i.${column} IS NOT NULL)`;

const recordStubsSql = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(shop_product_id text, sku text, title text,
      url text, image_url text, currency text, price bigint, category text, brand text)
  ), inserted AS (
    INSERT INTO products (workspace_id, shop_product_id, sku, title, url, image_url, currency,
                          price, category, brand, stub)
    SELECT $1::uuid, i.shop_product_id, i.sku, i.title, i.url, i.image_url, i.currency, i.price,
           i.category, i.brand, true
      FROM input i ORDER BY i.shop_product_id
    ON CONFLICT (workspace_id, shop_product_id) DO NOTHING
    RETURNING 1
  ), filled AS (
    UPDATE products p SET
      sku = coalesce(p.sku, i.sku), title = coalesce(p.title, i.title), url = coalesce(p.url, i.url),
      image_url = coalesce(p.image_url, i.image_url), category = coalesce(p.category, i.category),
      brand = coalesce(p.brand, i.brand),
      currency = CASE WHEN p.price IS NULL AND i.price IS NOT NULL THEN i.currency ELSE p.currency END,
      price = coalesce(p.price, i.price), updated_at = now()
      FROM input i
     WHERE p.workspace_id = $1::uuid AND p.shop_product_id = i.shop_product_id AND p.stub
       AND (${["sku", "title", "url", "image_url", "category", "brand", "price"].map(gap).join(" OR ")})
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM inserted)::int AS created, (SELECT count(*) FROM filled)::int AS filled`;
