/** UTM parameters the `utm` filter adds; empty values are left out. */
export interface UtmParameters {
  utm_source?: string | null;
  utm_medium?: string | null;
  utm_campaign?: string | null;
  utm_content?: string | null;
}

/**
 * Adds UTM parameters to an http(s) URL, keeping its existing query string, any UTM values
 * already present, and its fragment untouched. Other URLs (`mailto:`, relative) are returned as is.
 *
 * @example addUtmParameters("https://shop.test/cart?x=1#top", { utm_source: "cartwheel" })
 * // "https://shop.test/cart?x=1&utm_source=cartwheel#top"
 */
export function addUtmParameters(href: string, parameters: UtmParameters): string {
  return addQueryParameters(href, { ...parameters });
}

/**
 * Adds query parameters to an http(s) URL as `addUtmParameters` does: existing ones win,
 * empty values are left out, the fragment stays last.
 *
 * @example addQueryParameters("https://shop.test/p/1", { cw_block: "cross_sell" }) // "https://shop.test/p/1?cw_block=cross_sell"
 */
export function addQueryParameters(
  href: string,
  parameters: Record<string, string | null | undefined>,
): string {
  if (!/^https?:\/\//i.test(href)) return href;
  const hashIndex = href.indexOf("#");
  const base = hashIndex === -1 ? href : href.slice(0, hashIndex);
  const fragment = hashIndex === -1 ? "" : href.slice(hashIndex);
  const existing = parseSearchParams(base);
  if (!existing) return href;
  const additions = Object.entries(parameters)
    .filter(([key, value]) => value && !existing.has(key))
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`);
  if (additions.length === 0) return href;
  const separator = !base.includes("?") ? "?" : /[?&]$/.test(base) ? "" : "&";
  return `${base}${separator}${additions.join("&")}${fragment}`;
}

function parseSearchParams(url: string): URLSearchParams | null {
  try {
    return new URL(url).searchParams;
  } catch {
    return null;
  }
}

/**
 * Asks the image CDN for a resized image by setting `width` (and `height` for `"WxH"`) query
 * parameters, which Shopify's CDN, imgix-style and most image proxies understand.
 *
 * @example resizeImageUrl("https://cdn.test/a.jpg", "300x200") // "https://cdn.test/a.jpg?width=300&height=200"
 */
export function resizeImageUrl(url: string, size: string | number | null | undefined): string {
  if (size === null || size === undefined || size === "") return url;
  const match = /^(\d+)(?:x(\d+))?$/.exec(String(size));
  if (!match) return url;
  const [, width, height] = match;
  try {
    const resized = new URL(url);
    resized.searchParams.set("width", width ?? "");
    if (height) resized.searchParams.set("height", height);
    return resized.toString();
  } catch {
    return url;
  }
}

/** What `product_url` accepts: a product or line item, or a URL / handle string. */
export type ProductLink =
  | string
  | { url?: unknown; handle?: unknown; block?: unknown; strategy?: unknown }
  | null
  | undefined;

/**
 * Resolves a product's absolute URL: its `url` (absolute, or relative to the shop), else
 * `<shop url>/products/<handle>`; a bare string is treated as a URL or a handle. A
 * recommended product's link carries its `block` and `strategy` as `cw_block` and
 * `cw_strategy`, so its clicks can be attributed to them.
 *
 * @example productUrl({ handle: "red-shoe" }, "https://shop.test") // "https://shop.test/products/red-shoe"
 * @example productUrl({ url: "/p/mug", block: "cross_sell", strategy: "bestsellers" }, "https://shop.test")
 * // "https://shop.test/p/mug?cw_block=cross_sell&cw_strategy=bestsellers"
 */
export function productUrl(product: ProductLink, shopUrl: string): string {
  if (product === null || product === undefined) return shopUrl;
  if (typeof product === "string") return resolveAgainst(product, shopUrl, true);
  const url = productPageUrl(product, shopUrl);
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);
  const block = text(product.block);
  const strategy = text(product.strategy);
  if (!block && !strategy) return url;
  return addQueryParameters(url, { cw_block: block, cw_strategy: strategy });
}

function productPageUrl(product: { url?: unknown; handle?: unknown }, shopUrl: string): string {
  if (typeof product.url === "string" && product.url) {
    return resolveAgainst(product.url, shopUrl, false);
  }
  if (typeof product.handle === "string" && product.handle) {
    return resolveAgainst(product.handle, shopUrl, true);
  }
  return shopUrl;
}

function resolveAgainst(target: string, shopUrl: string, bareIsHandle: boolean): string {
  if (/^https?:\/\//i.test(target)) return target;
  const path =
    bareIsHandle && !target.includes("/") ? `products/${encodeURIComponent(target)}` : target;
  try {
    return new URL(path, shopUrl.endsWith("/") ? shopUrl : `${shopUrl}/`).toString();
  } catch {
    return target;
  }
}
