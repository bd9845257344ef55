import type { RecommendedProductData } from "@cartwheel/templates";
import {
  type RecommendationBlock,
  recommendationBlocks,
} from "../../recommendations/template-blocks.ts";
import type { RunTrigger, StepContext } from "./run-types.ts";

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);

/**
 * A send node's recommendation blocks for its run, anchored on what the run is about: its
 * cart (`entityKey: "cart_id"`), its order (`order_id` runs, or an `Order Completed` trigger),
 * the trigger's products (`product_id`, or its `products` list) and the contact.
 *
 * @example data.recommendations = await runRecommendations(node.recommendations, context)
 */
export function runRecommendations(
  blocks: RecommendationBlock[],
  context: StepContext,
): Promise<Record<string, RecommendedProductData[]>> {
  const trigger = context.run.trigger as unknown as RunTrigger;
  const key = context.definition.entityKey;
  const properties = trigger.properties ?? {};
  const listed = Array.isArray(properties.products)
    ? (properties.products as Record<string, unknown>[]).map((product) => text(product?.product_id))
    : [];
  const productIds = [text(properties.product_id), ...listed].filter((id): id is string => !!id);
  return recommendationBlocks(
    context.tx,
    context.scenario.workspaceId,
    {
      contactId: context.contact.id,
      cartId: key === "cart_id" ? context.run.entityKey : text(properties.cart_id),
      orderId: key === "order_id" ? context.run.entityKey : text(properties.order_id),
      productIds: [...new Set(productIds)],
    },
    blocks,
    context.now,
  );
}
