import { z } from "zod";
import { blueprint } from "./blueprint.ts";

export const postPurchaseCrossSellOptions = z.object({
  /** Days after the order before the mail (2–3 weeks suits most shops). */
  days: z.number().int().min(1).max(90).default(14),
  /** How many frequently-bought-together products the mail shows. */
  limit: z.number().int().min(1).max(12).default(3),
});

export const postPurchaseCrossSell = blueprint({
  name: "post_purchase_cross_sell",
  title: "Post-purchase cross-sell",
  description:
    "Some days after an order, products frequently bought together with it. Ends early if the contact orders again.",
  templateKeys: ["post-purchase-cross-sell"],
  options: postPurchaseCrossSellOptions,
  build: (options, templates) => ({
    version: 1,
    trigger: { kind: "event", event: "Order Completed" },
    entityKey: "order_id",
    entry: { rule: "once_per_entity" },
    exits: [{ name: "Ordered again", event: "Order Completed" }],
    start: "wait",
    nodes: [
      { id: "wait", kind: "delay", duration: { days: options.days }, next: "cross-sell" },
      {
        id: "cross-sell",
        kind: "send_email",
        templateId: templates["post-purchase-cross-sell"],
        recommendations: [
          { block: "cross_sell", strategy: "frequently_bought_together", limit: options.limit },
        ],
      },
    ],
  }),
});
