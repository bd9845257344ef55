import { z } from "zod";
import { blueprint } from "./blueprint.ts";

export const orderUpdatesOptions = z.object({
  /** Days to wait for the order's `Order Shipped` before the run ends without a shipping mail. */
  shippingWithinDays: z.number().int().min(1).max(120).default(30),
});

export const orderUpdates = blueprint({
  name: "order_updates",
  title: "Order updates",
  description:
    "Transactional, per order: the confirmation with its items and totals at once, then the shipping update with the carrier and tracking link when the order's Order Shipped arrives. Never held out; a cancelled order gets nothing more.",
  templateKeys: ["order-confirmation", "shipping-update"],
  options: orderUpdatesOptions,
  build: (options, templates) => ({
    version: 1,
    trigger: { kind: "event", event: "Order Completed" },
    entityKey: "order_id",
    entry: { rule: "once_per_entity" },
    exits: [{ name: "Order cancelled", event: "Order Cancelled", sameEntity: true }],
    start: "confirmation",
    nodes: [
      {
        id: "confirmation",
        kind: "send_email",
        templateId: templates["order-confirmation"],
        next: "wait-shipped",
      },
      {
        id: "wait-shipped",
        kind: "wait_for_event",
        event: "Order Shipped",
        sameEntity: true,
        timeout: { days: options.shippingWithinDays },
        matched: "shipped",
      },
      { id: "shipped", kind: "send_email", templateId: templates["shipping-update"] },
    ],
  }),
});
