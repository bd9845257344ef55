import type { FilterImplOptions, Liquid } from "liquidjs";
import { filters as builtInFilters } from "liquidjs";
import { formatDateStyle, isNamedDateStyle, toDate } from "./dates.ts";
import { formatMoney } from "./money.ts";
import type { TemplateData } from "./template-data.ts";
import { addUtmParameters, type ProductLink, productUrl, resizeImageUrl } from "./urls.ts";

type FilterHandler = Extract<FilterImplOptions, (...args: never[]) => unknown>;
type FilterThis = ThisParameterType<FilterHandler>;

const strftimeDate = builtInFilters.date as FilterHandler;

/** The render data; the engine passes it as Liquid globals so partials see it too. */
function renderData(filter: FilterThis): Partial<TemplateData> {
  return filter.context.globals as Partial<TemplateData>;
}

function isBlank(value: unknown): value is null | undefined | "" {
  return value === null || value === undefined || value === "";
}

/**
 * `{{ 1999 | money }}`, `{{ 1999 | money: "EUR", "de-DE" }}` → `19,99 €`.
 * Amounts are minor units; currency and locale default to `shop.currency` and `shop.locale`.
 */
function money(this: FilterThis, amount: unknown, currency?: unknown, locale?: unknown): string {
  if (isBlank(amount)) return "";
  const value = Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  const { shop } = renderData(this);
  return formatMoney(
    value,
    String(isBlank(currency) ? (shop?.currency ?? "USD") : currency),
    String(isBlank(locale) ? (shop?.locale ?? "en-US") : locale),
  );
}

/**
 * `{{ order.created_at | date: "long" }}` (Intl style: short, medium, long, full; in the
 * contact's locale) or `{{ order.created_at | date: "%d.%m.%Y %H:%M" }}` (strftime). Both use
 * `contact.timezone`, else `shop.timezone`, else UTC; a third argument overrides the zone. A
 * calendar day without a time (`2025-03-31`) shows as that day in every zone.
 */
function date(this: FilterThis, value: unknown, format?: unknown, timeZone?: unknown): unknown {
  if (isBlank(value)) return "";
  const { contact, shop } = renderData(this);
  // A calendar day ("2025-03-31", a birthday or an expiry date) is that day everywhere.
  const calendarDay = typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value);
  const zone = calendarDay
    ? "UTC"
    : String(
        [timeZone, contact?.timezone, shop?.timezone].find((candidate) => !isBlank(candidate)) ??
          "UTC",
      );
  const pattern = isBlank(format) ? "medium" : String(format);
  if (isNamedDateStyle(pattern)) {
    const parsed = toDate(value);
    if (!parsed) return value;
    const locale = String(contact?.locale || shop?.locale || "en-US");
    return formatDateStyle(parsed, pattern, locale, zone);
  }
  return strftimeDate.call(this, value, pattern, zone);
}

/** `{{ count | pluralize: "item", "items" }}` → `item` when count is 1, else `items`. */
function pluralize(count: unknown, singular: unknown, plural: unknown): string {
  return Number(count) === 1 ? String(singular ?? "") : String(plural ?? "");
}

/** `{{ product.image_url | image_url: 300 }}` or `image_url: "300x200"`; accepts a product too. */
function imageUrl(value: unknown, size?: unknown): string {
  const url = typeof value === "object" && value !== null ? Reflect.get(value, "image_url") : value;
  if (isBlank(url)) return "";
  return resizeImageUrl(String(url), isBlank(size) ? null : String(size));
}

/** `{{ product | product_url }}` → absolute URL from `url`, or `shop.url/products/<handle>`. */
function productUrlFilter(this: FilterThis, product: unknown): string {
  const shopUrl = renderData(this).shop?.url ?? "";
  return productUrl(product as ProductLink, shopUrl);
}

/**
 * `{{ cart.checkout_url | utm: "abandoned-cart", "button" }}` adds utm_source (`shop.utm_source`
 * or "cartwheel"), utm_medium ("email" unless given as third argument), utm_campaign and utm_content.
 */
function utm(
  this: FilterThis,
  url: unknown,
  campaign?: unknown,
  content?: unknown,
  medium?: unknown,
) {
  if (isBlank(url)) return "";
  const { shop } = renderData(this);
  return addUtmParameters(String(url), {
    utm_source: shop?.utm_source ?? "cartwheel",
    utm_medium: isBlank(medium) ? "email" : String(medium),
    utm_campaign: isBlank(campaign) ? null : String(campaign),
    utm_content: isBlank(content) ? null : String(content),
  });
}

/** Registers Cartwheel's e-commerce filters on a Liquid instance. */
export function registerCommerceFilters(liquid: Liquid): void {
  liquid.registerFilter("money", money);
  liquid.registerFilter("date", date);
  liquid.registerFilter("pluralize", pluralize);
  liquid.registerFilter("image_url", imageUrl);
  liquid.registerFilter("product_url", productUrlFilter);
  liquid.registerFilter("utm", utm);
}
