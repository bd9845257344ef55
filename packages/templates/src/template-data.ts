/**
 * The variable contract every Cartwheel email template renders against.
 *
 * Money amounts are integers in minor units (cents), currencies are ISO 4217 codes,
 * timestamps are ISO 8601 strings, locales are BCP 47 tags and time zones IANA names.
 * Optional fields may be absent; templates guard them with `{% if %}` or `| default`.
 *
 * @example
 * const data: TemplateData = {
 *   shop: { name: "Acme", url: "https://acme.test", currency: "EUR", locale: "de-DE", … },
 *   contact: { email: "ada@example.com", first_name: "Ada", timezone: "Europe/Berlin" },
 *   unsubscribe_url: "https://acme.test/u/abc",
 *   preferences_url: "https://acme.test/p/abc",
 * };
 */
export interface TemplateData {
  shop: ShopData;
  contact: ContactData;
  unsubscribe_url: string;
  preferences_url: string;
  /** The event that triggered the flow, e.g. `{ name: "Checkout Started", properties: {…} }`. */
  event?: EventData;
  cart?: CartData;
  order?: OrderData;
  /** Products the flow is about (viewed, bought, running low). */
  products?: ProductData[];
  /**
   * Products suggested by the recommendations engine, by block name: a scenario's send node
   * asks for blocks (`{ block: "cross_sell", strategy: "cross_sell", limit: 3 }`) and the
   * template shows `recommendations.cross_sell`.
   */
  recommendations?: Record<string, RecommendedProductData[]>;
  /** Flow-specific extras (coupon codes, reward tiers…), free-form. */
  [extra: string]: unknown;
}

export interface ShopData {
  name: string;
  /** Storefront root URL; `product_url` resolves relative handles against it. */
  url: string;
  logo_url?: string | null;
  /** Default currency for the `money` filter, e.g. `"EUR"`. */
  currency: string;
  /** Default locale for `money` and `date`, e.g. `"de-DE"`. */
  locale: string;
  /** Shown in every footer (required by anti-spam laws), one line per entry or a single string. */
  postal_address: string | string[];
  support_email: string;
  /** Default time zone when the contact has none, e.g. `"Europe/Berlin"`. Defaults to UTC. */
  timezone?: string;
  /** Default UTM source for the `utm` filter. Defaults to `"cartwheel"`. */
  utm_source?: string;
}

export interface ContactData {
  email: string;
  first_name?: string | null;
  last_name?: string | null;
  locale?: string | null;
  /** IANA time zone used by the `date` filter, e.g. `"America/New_York"`. */
  timezone?: string | null;
  /** Custom profile properties (birthday, loyalty tier…). */
  properties?: Record<string, unknown>;
}

export interface EventData {
  name: string;
  /** ISO 8601 timestamp. */
  occurred_at: string;
  properties?: Record<string, unknown>;
}

export interface LineItemData {
  product_id: string;
  sku?: string | null;
  name: string;
  /** Unit price in minor units. */
  price: number;
  quantity: number;
  image_url?: string | null;
  url?: string | null;
  variant?: string | null;
}

/**
 * A cart line as Cartwheel fills it from the cart's rows: the catalog's current name, price,
 * image, link and stock (of the line's variant when the catalog has it), else what the shopper
 * saw. The product card says "Out of stock" when `in_stock` is false.
 */
export interface CartItemData extends LineItemData {
  /** The catalog's price before a discount, in minor units; shown struck through when set. */
  compare_at_price?: number | null;
  /** False when the catalog has it out of stock or archived. */
  in_stock?: boolean;
}

export interface CartData {
  id: string;
  items: CartItemData[];
  /** Cart total in minor units, at the items' (current) prices. */
  total: number;
  currency: string;
  /** Where to finish checking out; `""` when the shop's events gave no link. */
  checkout_url: string;
  /** `ACTIVE`, `CHECKOUT_STARTED`, `CONVERTED` or `ABANDONED`. */
  status?: "ACTIVE" | "CHECKOUT_STARTED" | "CONVERTED" | "ABANDONED";
}

export interface AddressData {
  name?: string | null;
  line1: string;
  line2?: string | null;
  city: string;
  postal_code: string;
  region?: string | null;
  country: string;
}

export interface OrderData {
  id: string;
  /** The number shown to customers, e.g. `"#1042"`. */
  number: string;
  /** ISO 8601 timestamp. */
  created_at: string;
  items: LineItemData[];
  subtotal: number;
  shipping: number;
  tax: number;
  discount?: number;
  total: number;
  currency: string;
  shipping_address?: AddressData | null;
  status_url?: string | null;
  tracking_url?: string | null;
  tracking_number?: string | null;
  carrier?: string | null;
  /** ISO 8601 date of the expected delivery. */
  estimated_delivery?: string | null;
  coupon?: string | null;
  /** e.g. `PAID`, `SHIPPED`, `PARTIALLY_REFUNDED` (Cartwheel's order statuses). */
  status?: string;
  /** The refunds' sum in minor units, and the total less it. */
  refunded?: number;
  net_total?: number;
  refunds?: { amount: number; refunded_at: string; reason?: string | null }[];
}

export interface ProductData {
  id: string;
  name: string;
  /** Price in minor units. */
  price: number;
  /** Price before a discount, in minor units; shown struck through when set. */
  compare_at_price?: number | null;
  currency?: string | null;
  image_url?: string | null;
  /** Absolute URL, or a handle resolved by `product_url` against `shop.url`. */
  url?: string | null;
  handle?: string | null;
  description?: string | null;
}

/**
 * A recommended product: which block showed it and which strategy chose it travel on its link
 * (`cw_block`, `cw_strategy`, added by `product_url`), so clicks and revenue can be attributed
 * per strategy.
 */
export interface RecommendedProductData extends ProductData {
  /** The block's name in `recommendations`, e.g. `"cross_sell"`. */
  block: string;
  /** The strategy that chose it, e.g. `"frequently_bought_together"` or `"bestsellers"`. */
  strategy: string;
  /** Higher is better within the strategy. */
  score?: number;
}
