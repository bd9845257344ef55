/** Path segments after which a storefront URL names a product category. */
const categoryPaths = new Set(["collections", "collection", "category", "categories"]);
/** Catch-all collections that say nothing about what the shopper likes. */
const notCategories = new Set(["all", "frontpage", "vendors", "types"]);
const handlePattern = /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,59}$/u;

/**
 * The product category a clicked link leads to, as a lowercase handle, or null. In order: the
 * link's `cw_category` parameter (for links whose path says nothing), else the segment after
 * `/collections/`, `/collection/`, `/category/` or `/categories/` in its path (Shopify's
 * `/collections/<handle>`, most other shops' `/category/<handle>`). Shopify's catch-all
 * collections (`all`, `frontpage`, `vendors`, `types`) are not categories.
 *
 * @example linkCategory("https://shop.example/collections/Summer-Dresses?utm_source=x") // "summer-dresses"
 * @example linkCategory("https://shop.example/sale?cw_category=lamps") // "lamps"
 * @example linkCategory("https://shop.example/products/lamp") // null
 */
export function linkCategory(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const given = parsed.searchParams.get("cw_category");
  if (given !== null) return handleOf(given);
  const segments = parsed.pathname.split("/").filter(Boolean);
  const at = segments.findIndex((segment) => categoryPaths.has(segment.toLowerCase()));
  const segment = at === -1 ? undefined : segments[at + 1];
  if (segment === undefined) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return null;
  }
  return handleOf(decoded);
}

function handleOf(raw: string): string | null {
  const handle = raw.trim().toLowerCase().replace(/\s+/g, "-");
  return handlePattern.test(handle) && !notCategories.has(handle) ? handle : null;
}
