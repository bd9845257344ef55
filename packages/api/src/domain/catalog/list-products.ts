import { z } from "zod";
import { db } from "../../db.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { InvalidInputError } from "../shared/errors.ts";
import { exactMinorUnits } from "../shared/money.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { normalizeCategory, productStatuses } from "./product-input.ts";

export const productFilter = z
  .object({
    search: z.string().trim().min(1).max(200),
    category: z.string().trim().min(1).max(500).transform(normalizeCategory),
    inStock: z.boolean(),
    priceRange: z.object({
      min: z.number().finite().nonnegative().nullable().optional(),
      max: z.number().finite().nonnegative().nullable().optional(),
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR")
        .nullable()
        .optional(),
    }),
    status: z.array(z.enum(productStatuses)).min(1),
    stub: z.boolean(),
  })
  .partial();
export type ProductFilter = z.input<typeof productFilter>;

/**
 * A product filter as a Prisma `where`, always confined to `workspaceId`:
 * - `search`: the title or brand contains it (any case), or the SKU or shop id is it;
 * - `category`: the category or one under it (`"Women"` matches `"Women > Shirts"`, not
 *   `"Womenswear"`);
 * - `priceRange`: `min`/`max` in major units of `currency` (default: the workspace's), and
 *   only products priced in that currency;
 * - `inStock`, `status` (any of), `stub`.
 */
export async function productWhere(
  workspaceId: string,
  rawFilter: ProductFilter | undefined,
): Promise<Prisma.ProductWhereInput> {
  const filter = parseInput(productFilter, rawFilter ?? {}, ["filter"]);
  const and: Prisma.ProductWhereInput[] = [{ workspaceId }];
  if (filter.search) {
    const search = filter.search;
    and.push({
      OR: [
        { title: { contains: search, mode: "insensitive" } },
        { brand: { contains: search, mode: "insensitive" } },
        { sku: search },
        { shopProductId: search },
      ],
    });
  }
  if (filter.category) {
    and.push({
      OR: [{ category: filter.category }, { category: { startsWith: `${filter.category} > ` } }],
    });
  }
  if (filter.inStock !== undefined) and.push({ inStock: filter.inStock });
  if (filter.status) and.push({ status: { in: filter.status } });
  if (filter.stub !== undefined) and.push({ stub: filter.stub });
  if (filter.priceRange) {
    const currency = filter.priceRange.currency ?? (await loadWorkspaceCurrency(db(), workspaceId));
    const bound = (value: number | null | undefined, field: "min" | "max") => {
      if (value === null || value === undefined) return undefined;
      const result = exactMinorUnits(value, currency);
      if ("problem" in result) {
        throw InvalidInputError.field(["filter", "priceRange", field], result.problem);
      }
      return BigInt(result.minor);
    };
    const min = bound(filter.priceRange.min, "min");
    const max = bound(filter.priceRange.max, "max");
    and.push({
      currency,
      price: {
        not: null,
        ...(min !== undefined && { gte: min }),
        ...(max !== undefined && { lte: max }),
      },
    });
  }
  return { AND: and };
}

/**
 * Lists a workspace's products, oldest first (those created by one batch by product id). `query` carries Pothos's selection and
 * pagination (take/skip/cursor), so nested fields load in the same query.
 */
export async function listProducts<Q extends { take?: number; skip?: number }>(
  workspaceId: string,
  options: { filter?: ProductFilter | undefined; query: Q },
) {
  return db().product.findMany({
    ...options.query,
    where: await productWhere(workspaceId, options.filter),
    orderBy: [{ createdAt: "asc" }, { shopProductId: "asc" }, { id: "asc" }],
  });
}

export async function countProducts(workspaceId: string, filter?: ProductFilter): Promise<number> {
  return db().product.count({ where: await productWhere(workspaceId, filter) });
}

/** One product of the workspace by the shop's product id, shaped by Pothos's selection, or null. */
export function loadProductByShopId<Q extends object>(
  workspaceId: string,
  shopProductId: string,
  query: Q,
) {
  return db().product.findUnique({
    ...query,
    where: { workspaceId_shopProductId: { workspaceId, shopProductId } },
  });
}

/** One product of the workspace by its row id, shaped by Pothos's selection, or null. */
export function loadProduct<Q extends object>(workspaceId: string, productId: string, query: Q) {
  if (!isUuid(productId)) return Promise.resolve(null);
  return db().product.findFirst({ ...query, where: { id: productId, workspaceId } });
}

/** The workspace's products named by these shop product ids (those it knows), in one query. */
export function loadProductsByShopIds(workspaceId: string, shopProductIds: readonly string[]) {
  return db().product.findMany({
    where: { workspaceId, shopProductId: { in: [...new Set(shopProductIds)] } },
  });
}
