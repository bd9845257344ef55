import { type CatalogProduct, CURRENCY, catalog, findProduct } from "./catalog";
import type { RecommendedProduct } from "./recommendations";

/** What every page needs to start the Cartwheel SDK. */
export interface SdkSettings {
  apiUrl: string;
  writeKey: string;
  /** Extra `init` options, e.g. `{ botUserAgentPattern: null }` for headless browser tests. */
  options?: Record<string, unknown>;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** JSON safe to place inside a <script> element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c");

export const formatPrice = (amount: number): string =>
  new Intl.NumberFormat("en-IE", { style: "currency", currency: CURRENCY }).format(amount);

/** An API money field ("49.00" in major units) in its own currency. */
export const formatMoney = (money: { amount: string; currency: string }): string =>
  new Intl.NumberFormat("en-IE", { style: "currency", currency: money.currency }).format(
    Number(money.amount),
  );

function loaderSnippet(sdk: SdkSettings): string {
  const init = { ...sdk.options, writeKey: sdk.writeKey, apiUrl: sdk.apiUrl };
  return `<script>
  (function (w, d, src) {
    var c = (w.cartwheel = w.cartwheel || []);
    if (!Array.isArray(c)) return;
    "init page track identify reset grantConsent revokeConsent on flush productViewed productAdded productRemoved cartViewed checkoutStarted orderCompleted"
      .split(" ")
      .forEach(function (m) {
        c[m] = function () {
          c.push([m, Array.prototype.slice.call(arguments)]);
          return c;
        };
      });
    var s = d.createElement("script");
    s.async = true;
    s.src = src;
    d.head.appendChild(s);
  })(window, document, "/cartwheel.iife.js");
  cartwheel.init(${scriptJson(init)});
</script>`;
}

function layout(sdk: SdkSettings, page: string, title: string, main: string, data = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Cartwheel Outfitters</title>
<link rel="stylesheet" href="/styles.css">
${loaderSnippet(sdk)}
<script id="page-data" type="application/json">${scriptJson({ currency: CURRENCY, ...data })}</script>
<script src="/app.js" defer></script>
</head>
<body data-page="${page}">
<header class="site-header">
  <a class="brand" href="/" data-testid="home-link">Cartwheel Outfitters</a>
  <a class="cart-link" id="cart-link" href="/cart" data-testid="cart-link">Cart (<span id="cart-count" data-testid="cart-count">0</span>)</a>
</header>
<main>${main}</main>
<aside class="exit-offer" id="exit-offer" data-testid="exit-offer" hidden>
  <p><strong>Leaving already?</strong> Take 10% off your order with code <code>STAY10</code>.</p>
  <button type="button" id="exit-offer-close" data-testid="exit-offer-close">No thanks</button>
</aside>
<footer class="site-footer">A demo shop for the Cartwheel SDK.</footer>
</body>
</html>`;
}

function picture(product: CatalogProduct, size: "small" | "large"): string {
  return `<div class="picture picture-${size}" style="background:${product.color}">${escapeHtml(product.name.charAt(0))}</div>`;
}

export function productListPage(sdk: SdkSettings): string {
  const cards = catalog
    .map(
      (product) => `<li class="card">
  <a href="/products/${product.product_id}" data-testid="product-link-${product.product_id}">
    ${picture(product, "small")}
    <span class="name">${escapeHtml(product.name)}</span>
  </a>
  <span class="price">${formatPrice(product.price)}</span>
  <button type="button" class="add-to-cart" data-product-id="${product.product_id}" data-testid="add-to-cart-${product.product_id}">Add to cart</button>
</li>`,
    )
    .join("\n");
  return layout(
    sdk,
    "products",
    "Shop",
    `<h1>New this season</h1><ul class="grid" data-testid="product-list">${cards}</ul>`,
    { products: catalog },
  );
}

/** A recommended product with the catalogue's property names, for the cart and `productAdded`. */
export const specOf = (product: RecommendedProduct) => ({
  product_id: product.productId,
  sku: product.sku ?? undefined,
  name: product.title,
  price: product.price ? Number(product.price.amount) : 0,
  category: product.category ?? undefined,
  brand: product.brand ?? undefined,
});

function recommendedPicture(product: RecommendedProduct): string {
  if (product.imageUrl) {
    return `<img class="picture picture-small" src="${escapeHtml(product.imageUrl)}" alt="${escapeHtml(product.title)}">`;
  }
  const color = findProduct(product.productId)?.color ?? "#8d99ae";
  return `<div class="picture picture-small" style="background:${color}">${escapeHtml(product.title.charAt(0))}</div>`;
}

/** The "Frequently bought together" block, or nothing when there is nothing to show. */
export function recommendationBlock(products: readonly RecommendedProduct[]): string {
  if (products.length === 0) return "";
  const cards = products
    .map((product) => {
      const id = escapeHtml(product.productId);
      return `<li class="card" data-testid="recommended-${id}" data-strategy="${escapeHtml(product.strategy)}">
  <a href="${escapeHtml(product.href)}" data-testid="recommended-link-${id}">
    ${recommendedPicture(product)}
    <span class="name">${escapeHtml(product.title)}</span>
  </a>
  <span class="price">${product.price ? formatMoney(product.price) : ""}</span>
  <button type="button" class="add-to-cart" data-product-id="${id}" data-testid="recommended-add-${id}">Add to cart</button>
</li>`;
    })
    .join("\n");
  return `<section class="recommendations" id="frequently-bought-together" data-testid="frequently-bought-together">
  <h2>Frequently bought together</h2>
  <ul class="grid">${cards}</ul>
</section>`;
}

export function productPage(
  sdk: SdkSettings,
  product: CatalogProduct,
  recommended: readonly RecommendedProduct[] = [],
): string {
  return layout(
    sdk,
    "product",
    product.name,
    `<article class="product" data-testid="product-${product.product_id}">
  ${picture(product, "large")}
  <div class="details">
    <p class="brand-name">${escapeHtml(product.brand)}</p>
    <h1>${escapeHtml(product.name)}</h1>
    <p class="price">${formatPrice(product.price)}</p>
    <p>${escapeHtml(product.description)}</p>
    <label>Quantity <input id="quantity" data-testid="quantity" type="number" min="1" max="10" value="1"></label>
    <button type="button" class="add-to-cart primary" id="add-to-cart" data-product-id="${product.product_id}" data-testid="add-to-cart">Add to cart</button>
  </div>
</article>
${recommendationBlock(recommended)}`,
    { product, products: catalog, recommended: recommended.map(specOf) },
  );
}

export function cartPage(sdk: SdkSettings): string {
  return layout(
    sdk,
    "cart",
    "Your cart",
    `<h1>Your cart</h1>
<ul class="cart-items" id="cart-items" data-testid="cart-items"></ul>
<p class="empty" id="cart-empty" data-testid="cart-empty" hidden>Your cart is empty. <a href="/">Keep shopping</a></p>
<p class="total">Total: <strong id="cart-total" data-testid="cart-total"></strong></p>
<a class="button primary" id="checkout-link" href="/checkout" data-testid="checkout-link">Checkout</a>
<div id="cart-recommendations"></div>`,
    { products: catalog },
  );
}

export function checkoutPage(sdk: SdkSettings): string {
  return layout(
    sdk,
    "checkout",
    "Checkout",
    `<h1>Checkout</h1>
<form id="checkout-form" class="checkout" data-testid="checkout-form">
  <label>Email <input id="checkout-email" data-testid="checkout-email" type="email" name="email" required autocomplete="email"></label>
  <p>Total: <strong id="checkout-total" data-testid="checkout-total"></strong></p>
  <button type="submit" class="primary" id="checkout-submit" data-testid="checkout-submit">Place order</button>
</form>`,
    { products: catalog },
  );
}

export function orderCompletePage(sdk: SdkSettings): string {
  return layout(
    sdk,
    "order-complete",
    "Thank you",
    `<h1>Thank you!</h1>
<p id="order-confirmation" data-testid="order-confirmation">Your order <strong id="order-id" data-testid="order-id"></strong> is on its way.</p>
<a class="button" href="/">Back to the shop</a>`,
  );
}
