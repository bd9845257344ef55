import { z } from "zod";
import { productFilter } from "../catalog/list-products.ts";

/** Every strategy, by the name GraphQL, scenarios and template links use. */
export const strategies = [
  "frequently_bought_together",
  "viewed_also_viewed",
  "upsell",
  "cross_sell",
  "for_you",
  "bestsellers",
] as const;
export type Strategy = (typeof strategies)[number];

export const maxRecommendations = 50;

/** See `popularityWeight`; chosen on the offline evaluation (bench/eval), README "Recommendations". */
export const defaultPopularityWeight = 0.3;

/** What a strategy is asked for: its anchor, how many, and which products may appear. */
export const recommendationRequest = z.object({
  strategy: z.enum(strategies),
  /** The shop's product ids: the products on the page, or the items of a cart. */
  productIds: z.array(z.string().trim().min(1).max(200)).min(1).max(100).optional(),
  /** A contact row id: whose views, carts and orders personalise, and whose purchases are left out. */
  contactId: z.uuid().optional(),
  /** The shop's cart id: the cart's items are the anchor and are left out. */
  cartId: z.string().trim().min(1).max(200).optional(),
  /** The shop's order id: its lines are the anchor; its contact's purchases are left out. */
  orderId: z.string().trim().min(1).max(200).optional(),
  /** 1–50, default 4. */
  limit: z.number().int().min(1).max(maxRecommendations).default(4),
  filter: productFilter.pick({ category: true, priceRange: true }).optional(),
  /** Products the contact bought within this many days are left out (0: none). Default 30. */
  excludeBoughtWithinDays: z.number().int().min(0).max(3650).default(30),
  /** Upsell: the alternative costs between `min` and `max` times the anchor. Default 1.1–2. */
  priceBand: z
    .object({ min: z.number().min(1).max(100), max: z.number().min(1).max(100) })
    .refine((band) => band.min <= band.max, "min must not exceed max")
    .default({ min: 1.1, max: 2 }),
  /**
   * How much a product's sales count against the strategy's signal (0–1): a product's rank is
   * its signal relative to the strongest candidate's plus this × its orders relative to the
   * shop's top seller. 0 ranks by the signal alone. Default `defaultPopularityWeight`.
   */
  popularityWeight: z.number().min(0).max(1).default(defaultPopularityWeight),
});
export type RecommendationRequest = z.input<typeof recommendationRequest>;
export type ParsedRecommendationRequest = z.output<typeof recommendationRequest>;

/** The anchors each strategy can start from; it needs at least one of them. */
export const anchorsOf: Record<
  Strategy,
  readonly ("productIds" | "cartId" | "orderId" | "contactId")[]
> = {
  frequently_bought_together: ["productIds", "cartId", "orderId"],
  viewed_also_viewed: ["productIds", "cartId", "orderId"],
  upsell: ["productIds", "cartId", "orderId"],
  cross_sell: ["orderId", "contactId"],
  for_you: ["contactId"],
  bestsellers: [],
};
