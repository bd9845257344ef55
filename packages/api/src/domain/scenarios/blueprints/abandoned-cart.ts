import { z } from "zod";
import { blueprint, percentCoupon } from "./blueprint.ts";

export const abandonedCartOptions = z.object({
  /** Hours after the last cart activity before the first reminder. */
  reminderAfterHours: z.number().int().min(1).max(72).default(1),
  /** The code offered 24 h later to shoppers who opened the reminder but did not buy. */
  discountCode: z.string().trim().min(1).max(100).default("COMEBACK10"),
  percent: z.number().int().min(1).max(90).default(10),
});

export const abandonedCart = blueprint({
  name: "abandoned_cart",
  title: "Abandoned cart",
  description:
    "One run per cart: a reminder with the cart's items, then 24 h later a discount to shoppers who opened it but did not buy. Ends when the cart's order completes.",
  templateKeys: ["abandoned-cart"],
  options: abandonedCartOptions,
  build: (options, templates) => ({
    version: 1,
    trigger: { kind: "event", event: "Product Added" },
    entityKey: "cart_id",
    entry: { rule: "once_per_entity" },
    goals: [{ name: "Bought the cart", event: "Order Completed", sameEntity: true }],
    start: "wait",
    nodes: [
      {
        id: "wait",
        kind: "delay",
        duration: { hours: options.reminderAfterHours },
        next: "still-in-cart",
      },
      { id: "still-in-cart", kind: "condition", fact: { kind: "cart_has_items" }, yes: "reminder" },
      {
        id: "reminder",
        kind: "send_email",
        templateId: templates["abandoned-cart"],
        next: "wait-24h",
      },
      { id: "wait-24h", kind: "delay", duration: { hours: 24 }, next: "opened" },
      {
        id: "opened",
        kind: "condition",
        fact: { kind: "email_opened", node: "reminder" },
        yes: "discount",
      },
      {
        id: "discount",
        kind: "send_email",
        templateId: templates["abandoned-cart"],
        data: { coupon: percentCoupon(options.discountCode, options.percent) },
      },
    ],
  }),
});
