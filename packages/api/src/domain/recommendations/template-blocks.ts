import type { RecommendedProductData } from "@cartwheel/templates";
import { z } from "zod";
import type { Executor } from "../../db.ts";
import { NotFoundError } from "../shared/errors.ts";
import { recommendProducts } from "./recommend-products.ts";
import { anchorsOf, strategies } from "./recommendation-request.ts";

/** One block of recommendations a template shows as `recommendations.<block>`. */
export const recommendationBlock = z.object({
  /** The name the template reads, e.g. `cross_sell` for `recommendations.cross_sell`. */
  block: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, "must be lower case letters, digits and _, e.g. cross_sell"),
  strategy: z.enum(strategies),
  /** 1–12, default 4. */
  limit: z.number().int().min(1).max(12).default(4),
  /** Only this category or one under it. */
  category: z.string().trim().min(1).max(500).optional(),
});
export type RecommendationBlock = z.output<typeof recommendationBlock>;

/** The blocks of one send: up to 5, each with its own name. */
export const recommendationBlockList = z
  .array(recommendationBlock)
  .max(5)
  .refine(
    (blocks) => new Set(blocks.map((block) => block.block)).size === blocks.length,
    "each block needs its own name",
  );

const anchorOfEntity: Record<string, "cartId" | "orderId" | "productIds"> = {
  Cart: "cartId",
  Order: "orderId",
  Product: "productIds",
};

/** What a send knows that blocks can start from. */
export interface BlockAnchors {
  contactId: string;
  cartId?: string | null;
  /** The shop's order id. */
  orderId?: string | null;
  productIds?: string[] | null;
}

/**
 * The `recommendations` template variable for a send: each block's products as product cards
 * (`id`, `name`, `price` in minor units, `compare_at_price`, `currency`, `image_url`, `url`),
 * each with its `block` and the `strategy` that chose it, which `product_url` puts on the link
 * (`cw_block`, `cw_strategy`). A block starts from what its strategy can use of the send's
 * cart, order, products and contact, leaving out those not known (yet); when none is left it
 * shows bestsellers (still leaving out what the contact bought), so a block is never empty
 * while the catalog has products.
 *
 * @example await recommendationBlocks(tx, workspaceId, { contactId, orderId: "1042" }, [{ block: "cross_sell", strategy: "cross_sell", limit: 3 }])
 * // → { cross_sell: [{ id: "sleeping-bag", name: "Sleeping bag", price: 8000, block: "cross_sell", strategy: "cross_sell", … }] }
 */
export async function recommendationBlocks(
  executor: Executor,
  workspaceId: string,
  anchors: BlockAnchors,
  blocks: RecommendationBlock[],
  now: Date,
): Promise<Record<string, RecommendedProductData[]>> {
  const data: Record<string, RecommendedProductData[]> = {};
  for (const block of blocks) {
    const available = {
      contactId: anchors.contactId,
      cartId: anchors.cartId ?? undefined,
      orderId: anchors.orderId ?? undefined,
      productIds: anchors.productIds?.length ? anchors.productIds : undefined,
    };
    const common = {
      contactId: anchors.contactId,
      limit: block.limit,
      ...(block.category && { filter: { category: block.category } }),
    };
    const needsAnchor = anchorsOf[block.strategy].length > 0;
    let usable = anchorsOf[block.strategy].filter((field) => available[field] !== undefined);
    let result: Awaited<ReturnType<typeof recommendProducts>> | null = null;
    while (!result) {
      const asked =
        usable.length > 0 || !needsAnchor
          ? {
              ...common,
              strategy: block.strategy,
              ...Object.fromEntries(usable.map((field) => [field, available[field]])),
            }
          : { ...common, strategy: "bestsellers" as const };
      try {
        result = await recommendProducts(workspaceId, asked, { now, executor });
      } catch (error) {
        // An anchor not known (yet): an order still being written, a product not synced.
        const missing = error instanceof NotFoundError ? anchorOfEntity[error.entity] : undefined;
        if (!missing || !usable.includes(missing)) throw error;
        usable = usable.filter((field) => field !== missing);
      }
    }
    data[block.block] = result.items.map(({ product, strategy, score }) => ({
      id: product.shopProductId,
      name: product.title ?? product.shopProductId,
      price: Number(product.price ?? 0),
      compare_at_price: product.compareAtPrice === null ? null : Number(product.compareAtPrice),
      currency: product.currency,
      image_url: product.imageUrl,
      url: product.url,
      block: block.block,
      strategy,
      score,
    }));
  }
  return data;
}
