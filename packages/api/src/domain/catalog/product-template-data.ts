import type { ProductData } from "@cartwheel/templates";
import type { Executor } from "../../db.ts";
import { productsFromEvent } from "./product-stubs.ts";

interface CatalogRow {
  shop_product_id: string;
  title: string | null;
  price: number | null;
  compare_at_price: number | null;
  currency: string;
  image_url: string | null;
  url: string | null;
}

/**
 * The products an event is about, as templates show them (`products`, prices in minor units):
 * the viewed or added product of a `Product Viewed` / `Product Added`, the lines of an
 * `Order Completed`, in the event's order. The catalog's current name, price, image and link
 * win; what the event said fills the gaps (a price in another currency than the catalog's is
 * the event's). Other events name no products: `[]`.
 *
 * @example await loadEventProductTemplateData(tx, workspaceId, "Product Viewed", { product_id: "mug", name: "Mug", price: 12 }, "EUR")
 * // → [{ id: "mug", name: "Mug", price: 1200, currency: "EUR", … }]
 */
export async function loadEventProductTemplateData(
  executor: Executor,
  workspaceId: string,
  eventName: string,
  properties: Record<string, unknown>,
  defaultCurrency: string,
): Promise<ProductData[]> {
  const described = productsFromEvent(eventName, properties, defaultCurrency);
  if (described.length === 0) return [];
  const rows = await executor.$queryRaw<CatalogRow[]>`
    SELECT shop_product_id, title, price::float8 AS price,
           compare_at_price::float8 AS compare_at_price, currency, image_url, url
      FROM products
     WHERE workspace_id = ${workspaceId}::uuid
       AND shop_product_id = ANY(${described.map((product) => product.shop_product_id)}::text[])`;
  const catalog = new Map(rows.map((row) => [row.shop_product_id, row]));
  return described.map((seen): ProductData => {
    const row = catalog.get(seen.shop_product_id);
    const catalogPrice = row?.price ?? null;
    const samePrice =
      catalogPrice !== null && (seen.price === null || row?.currency === seen.currency);
    return {
      id: seen.shop_product_id,
      name: row?.title ?? seen.title ?? seen.shop_product_id,
      price: (samePrice ? catalogPrice : seen.price) ?? 0,
      compare_at_price: samePrice ? (row?.compare_at_price ?? null) : null,
      currency: samePrice ? (row?.currency ?? seen.currency) : seen.currency,
      image_url: row?.image_url ?? seen.image_url,
      url: row?.url ?? seen.url,
    };
  });
}
