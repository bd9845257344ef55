import type { FieldProblem } from "../shared/errors.ts";
import { exactMinorUnits } from "../shared/money.ts";
import type { ProductInput, ProductStatusName, VariantInput } from "./product-input.ts";

/** A product's columns as the batch statement writes them (amounts in minor units). */
export interface ProductRow {
  shop_product_id: string;
  sku: string | null;
  title: string | null;
  url: string | null;
  image_url: string | null;
  currency: string;
  price: number | null;
  compare_at_price: number | null;
  category: string | null;
  brand: string | null;
  tags: string[];
  inventory_quantity: number | null;
  in_stock: boolean;
  status: ProductStatusName;
  replenishment_days: number | null;
  properties: Record<string, unknown>;
}

export interface VariantRow {
  shop_variant_id: string;
  sku: string | null;
  title: string | null;
  price: number | null;
  compare_at_price: number | null;
  inventory_quantity: number | null;
  in_stock: boolean;
  position: number;
}

/** The stored product a row updates, as `upsertProducts` reads it (locked). */
export type StoredProduct = ProductRow & { id: string; stub: boolean };

/**
 * The full row a product input leads to: each field given replaces the stored one (null
 * clears it), each field left out keeps it, and a new product gets the defaults (the workspace
 * currency, in stock, ACTIVE). Without `inStock` / `inventoryQuantity`, listed variants decide
 * them (in stock if any variant is; the sum of their known quantities). Problems name the
 * field under `path` (an amount with more decimals than the currency has, a new product with
 * no title).
 */
export function productRow(
  input: ProductInput,
  stored: StoredProduct | undefined,
  workspaceCurrency: string,
  path: string[],
): { row: ProductRow; variants: VariantRow[] | null } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const currency = input.currency ?? stored?.currency ?? workspaceCurrency;
  const minor = (amount: number | null | undefined, at: string[]) => {
    if (amount === null || amount === undefined) return amount;
    const result = exactMinorUnits(amount, currency);
    if ("minor" in result) return result.minor;
    problems.push({ path: [...path, ...at], message: result.problem });
    return null;
  };
  const keep = <T>(given: T | undefined, current: T | undefined, fallback: T): T =>
    given !== undefined ? given : current !== undefined ? current : fallback;

  const variants =
    input.variants?.map(
      (variant: VariantInput, index): VariantRow => ({
        shop_variant_id: variant.variantId,
        sku: variant.sku ?? null,
        title: variant.title ?? null,
        price: minor(variant.price, ["variants", String(index), "price"]) ?? null,
        compare_at_price:
          minor(variant.compareAtPrice, ["variants", String(index), "compareAtPrice"]) ?? null,
        inventory_quantity: variant.inventoryQuantity ?? null,
        in_stock: variant.inStock ?? (variant.inventoryQuantity ?? 1) > 0,
        position: index,
      }),
    ) ?? null;
  const known = variants?.filter((variant) => variant.inventory_quantity !== null) ?? [];
  const variantStock =
    variants && variants.length > 0 ? variants.some((v) => v.in_stock) : undefined;
  const variantQuantity =
    known.length > 0 ? known.reduce((sum, v) => sum + (v.inventory_quantity ?? 0), 0) : undefined;

  const row: ProductRow = {
    shop_product_id: input.productId,
    sku: keep(input.sku, stored?.sku, null),
    title: keep(input.title, stored?.title, null),
    url: keep(input.url, stored?.url, null),
    image_url: keep(input.imageUrl, stored?.image_url, null),
    currency,
    price: keep(minor(input.price, ["price"]), stored?.price, null),
    compare_at_price: keep(
      minor(input.compareAtPrice, ["compareAtPrice"]),
      stored?.compare_at_price,
      null,
    ),
    category: keep(input.category, stored?.category, null),
    brand: keep(input.brand, stored?.brand, null),
    tags: keep(input.tags, stored?.tags, []),
    inventory_quantity: keep(
      input.inventoryQuantity ?? variantQuantity,
      stored?.inventory_quantity,
      null,
    ),
    in_stock: keep(input.inStock ?? variantStock, stored?.in_stock, true),
    status: keep(input.status, stored?.status, "ACTIVE"),
    replenishment_days: keep(input.replenishmentDays, stored?.replenishment_days, null),
    properties: mergeProperties(stored?.properties ?? {}, input.properties),
  };
  if (row.title === null) {
    problems.push({
      path: [...path, "title"],
      message: stored && !stored.stub ? "a product keeps a title" : "a new product needs a title",
    });
  }
  return problems.length > 0 ? { problems } : { row, variants };
}

/** Properties merged key by key; a key set to null is removed. */
function mergeProperties(
  stored: Record<string, unknown>,
  given: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (!given) return stored;
  const merged: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(given)) {
    if (value === null || value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
