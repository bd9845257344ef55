import { z } from "zod";
import { blueprint } from "./blueprint.ts";

export const replenishmentOptions = z.object({
  /** Days after the order before the reminder: about when the product runs out. */
  days: z.number().int().min(1).max(365).default(30),
  /** Only orders of this product (the shop's product id)… */
  productId: z.string().trim().min(1).max(200).optional(),
  /** …or of a product in this category (or one under it). */
  category: z.string().trim().min(1).max(500).optional(),
});

export const replenishment = blueprint({
  name: "replenishment",
  title: "Replenishment reminder",
  description:
    "Some days after an order (of a chosen product or category, or any), a reminder to reorder its products. Skipped if the contact orders again first.",
  templateKeys: ["replenishment-reminder"],
  options: replenishmentOptions,
  build: (options, templates) => {
    const product = {
      ...(options.productId && { productId: options.productId }),
      ...(options.category && { category: options.category }),
    };
    return {
      version: 1,
      trigger: { kind: "event", event: "Order Completed" },
      entityKey: "order_id",
      entry: { rule: "once_per_entity" },
      // The order is written before triggers are checked, so it counts as bought in the last day.
      ...(Object.keys(product).length > 0 && {
        audience: { purchased: { ...product, withinDays: 1 } },
      }),
      exits: [{ name: "Ordered again", event: "Order Completed" }],
      start: "wait",
      nodes: [
        { id: "wait", kind: "delay", duration: { days: options.days }, next: "reminder" },
        {
          id: "reminder",
          kind: "send_email",
          templateId: templates["replenishment-reminder"],
          data: { days_since_purchase: options.days },
        },
      ],
    };
  },
});
