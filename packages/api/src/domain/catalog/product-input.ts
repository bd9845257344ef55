import { z } from "zod";

export const productStatuses = ["ACTIVE", "DRAFT", "ARCHIVED"] as const;
export type ProductStatusName = (typeof productStatuses)[number];

/** The most products (and product ids) one `upsertProducts` / `archiveProducts` call takes. */
export const maxProductBatch = 1000;
/** The most variants one product may list. */
export const maxVariantsPerProduct = 250;

const maxPropertiesBytes = 16 * 1024;

/**
 * A category path in one spelling: segments trimmed and joined by " > ", empty ones dropped.
 *
 * @example normalizeCategory(" Women >Shirts > ") // "Women > Shirts"
 */
export function normalizeCategory(path: string): string {
  return path
    .split(">")
    .map((segment) => segment.trim())
    .filter((segment) => segment !== "")
    .join(" > ");
}

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max);
const optionalText = (max: number) => text(max).nullable().optional();
const httpUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .max(2000)
  .nullable()
  .optional();
/** An amount in major units (`49.9` is 49.90 in the currency), as events carry it. */
const majorAmount = z.number().finite().nonnegative("must not be negative").nullable().optional();
const quantity = z.number().int("must be a whole number").min(-1_000_000_000).max(1_000_000_000);

export const variantInput = z.object({
  variantId: text(255),
  sku: optionalText(255),
  title: optionalText(500),
  price: majorAmount,
  compareAtPrice: majorAmount,
  inventoryQuantity: quantity.nullable().optional(),
  inStock: z.boolean().optional(),
});
export type VariantInput = z.output<typeof variantInput>;

/**
 * One product as `upsertProducts` takes it, named by the shop's `productId`. A field left out
 * keeps the stored value; `null` clears it. Amounts are major units of `currency` (default: the
 * product's currency, else the workspace's). `tags` and `variants`, when given, replace the
 * stored ones; `properties` merge key by key (a key set to null is removed).
 */
export const productInput = z.object({
  productId: text(255),
  sku: optionalText(255),
  title: optionalText(500),
  url: httpUrl,
  imageUrl: httpUrl,
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR")
    .optional(),
  price: majorAmount,
  compareAtPrice: majorAmount,
  category: z
    .string()
    .max(500)
    .transform(normalizeCategory)
    .refine((path) => path !== "", "must name at least one category")
    .nullable()
    .optional(),
  brand: optionalText(200),
  tags: z
    .array(text(100))
    .max(100)
    .transform((tags) => [...new Set(tags)])
    .optional(),
  inventoryQuantity: quantity.nullable().optional(),
  inStock: z.boolean().optional(),
  status: z.enum(productStatuses).optional(),
  replenishmentDays: z.number().int().min(1).max(3650).nullable().optional(),
  properties: z
    .record(z.string().min(1).max(100), z.json().optional())
    .refine((value) => JSON.stringify(value).length <= maxPropertiesBytes, "is larger than 16 KB")
    .optional(),
  variants: z
    .array(variantInput)
    .max(maxVariantsPerProduct)
    .superRefine((variants, context) => {
      const seen = new Map<string, number>();
      variants.forEach((variant, index) => {
        const earlier = seen.get(variant.variantId);
        if (earlier !== undefined) {
          context.addIssue({
            code: "custom",
            path: [index, "variantId"],
            message: `repeats variant ${earlier}`,
          });
        }
        seen.set(variant.variantId, index);
      });
    })
    .optional(),
});
export type ProductInput = z.output<typeof productInput>;
