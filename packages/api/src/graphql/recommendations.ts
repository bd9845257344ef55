import { recommendProducts } from "../domain/recommendations/recommend-products.ts";
import {
  defaultPopularityWeight,
  maxRecommendations,
  type Strategy,
  strategies,
} from "../domain/recommendations/recommendation-request.ts";
import { InvalidInputError, NotFoundError } from "../domain/shared/errors.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { PriceRange, Product } from "./catalog.ts";
import { decodeId } from "./ids.ts";
import { withoutNulls } from "./input.ts";

const strategyDescriptions: Record<Strategy, string> = {
  frequently_bought_together:
    "Complements: bought in the same orders as the products, the cart or the order (which are left out).",
  viewed_also_viewed: "Substitutes: viewed in the same sessions as the products, cart or order.",
  upsell:
    "A pricier alternative: a substitute in the anchor's category at 1.1–2× its price (`priceBand`), never a complement.",
  cross_sell:
    "After a purchase: complements of the order, or of the contact's recent purchases, never what the contact owns.",
  for_you:
    "Personal: neighbours of the contact's recent views, cart adds and purchases, the recent weighing more.",
  bestsellers:
    "Most ordered, then most viewed (overall, or in `filter.category`); the fallback that fills every other strategy.",
};

export const RecommendationStrategy = builder.enumType("RecommendationStrategy", {
  description: "How recommendations are chosen.",
  values: Object.fromEntries(
    strategies.map((strategy) => [
      strategy.toUpperCase(),
      { value: strategy, description: strategyDescriptions[strategy] },
    ]),
  ) as Record<Uppercase<Strategy>, { value: Strategy; description: string }>,
});

interface RecommendationShape {
  product: Awaited<ReturnType<typeof recommendProducts>>["items"][number]["product"];
  strategy: Strategy;
  score: number;
}

const Recommendation = builder.objectRef<RecommendationShape>("Recommendation").implement({
  description: "One recommended product and what produced it.",
  fields: (t) => ({
    product: t.field({ type: Product, nullable: false, resolve: (item) => item.product }),
    strategy: t.field({
      type: RecommendationStrategy,
      description:
        "The strategy that chose it: the one asked for, or BESTSELLERS for a product filled up from the fallback.",
      resolve: (item) => item.strategy,
    }),
    score: t.exposeFloat("score", {
      description:
        "The evidence behind the product, higher is stronger: for its strategy the sum of anchor weight × cosine similarity; for bestsellers, orders (plus a fraction for views). The list is ordered by this signal blended with popularity (`popularityWeight`).",
    }),
  }),
});

const Recommendations = builder
  .objectRef<{ strategy: Strategy; items: RecommendationShape[] }>("Recommendations")
  .implement({
    fields: (t) => ({
      strategy: t.field({ type: RecommendationStrategy, resolve: (result) => result.strategy }),
      items: t.field({
        type: [Recommendation],
        description: "Best first; never empty while the catalog has an eligible product.",
        resolve: (result) => result.items,
      }),
    }),
  });

const RecommendationFilter = builder.inputType("RecommendationFilter", {
  description: "Only products matching every field given.",
  fields: (t) => ({
    category: t.string({
      description: 'This category or one under it: "Camping" matches "Camping > Tents".',
    }),
    priceRange: t.field({ type: PriceRange, description: "Only priced products within it." }),
  }),
});

const PriceBand = builder.inputType("PriceBand", {
  description: "Upsell prices as multiples of the anchor's price.",
  fields: (t) => ({
    min: t.float({ required: true, description: "At least 1; default 1.1." }),
    max: t.float({ required: true, description: "At most 100; default 2." }),
  }),
});

builder.queryField("recommendations", (t) =>
  t.field({
    type: Recommendations,
    description:
      "Products to recommend by a strategy (the key needs recommendations:read, and catalog:read for the products). Archived, draft and out-of-stock products, the anchors, the cart's items and what the contact bought recently never appear; a short list is filled up from bestsellers.",
    authScopes: { scope: "recommendations:read" },
    errors: { types: [InvalidInputError, NotFoundError] },
    args: {
      strategy: t.arg({ type: RecommendationStrategy, required: true }),
      productIds: t.arg.stringList({
        description: "The shop's product ids (a product page, or items in a cart).",
      }),
      contactId: t.arg.id({
        description: "A Contact: personalises, and leaves out what they bought.",
      }),
      cartId: t.arg.string({ description: "The shop's cart id: its items are the anchor." }),
      orderId: t.arg.string({ description: "The shop's order id: its lines are the anchor." }),
      limit: t.arg.int({ defaultValue: 4, description: `1–${maxRecommendations}.` }),
      filter: t.arg({ type: RecommendationFilter }),
      excludeBoughtWithinDays: t.arg.int({
        description:
          "Leave out what the contact bought within this many days (0: keep). Default 30.",
      }),
      priceBand: t.arg({ type: PriceBand, description: "Upsell only. Default 1.1–2." }),
      popularityWeight: t.arg.float({
        description: `How much sales count against the strategy's signal, 0–1 (default ${defaultPopularityWeight}): a product ranks by its signal relative to the strongest candidate's plus this × its orders relative to the shop's top seller, so a strong bestseller can outrank a weak neighbour. 0 ranks by the signal alone.`,
      }),
    },
    resolve: (_root, args, context) => {
      const { filter, priceBand, contactId, ...rest } = withoutNulls(args);
      return recommendProducts(workspaceOf(context.principal), {
        ...rest,
        strategy: args.strategy,
        ...(contactId && { contactId: decodeId(contactId, "Contact", ["contactId"]) }),
        ...(priceBand && { priceBand }),
        ...(filter && {
          filter: {
            ...withoutNulls(filter),
            ...(filter.priceRange && { priceRange: withoutNulls(filter.priceRange) }),
          },
        }),
      });
    },
  }),
);
