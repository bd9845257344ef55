import { z } from "zod";
import { blueprint, percentCoupon } from "./blueprint.ts";

export const exitIntentOptions = z.object({
  /** Minutes after the exit intent without a page view before the offer goes out. */
  afterMinutes: z.number().int().min(15).max(1440).default(60),
  /** Days after the shopper comes back in which a new exit intent still counts for this cart. */
  watchDays: z.number().int().min(1).max(30).default(7),
  /** A code in the mail; left out, the mail shows the cart only. */
  discountCode: z.string().trim().min(1).max(100).optional(),
  percent: z.number().int().min(1).max(90).default(10),
});

export const exitIntent = blueprint({
  name: "exit_intent",
  title: "Exit intent",
  description:
    "A known shopper with a cart shows exit intent (the browser SDK's Exit Intent) and does not come back within an hour: an offer mail with the cart's items and, with a code, the code. At most one mail per cart; it ends when the cart converts or the shopper orders.",
  templateKeys: ["exit-intent"],
  options: exitIntentOptions,
  build: (options, templates) => ({
    version: 1,
    trigger: {
      kind: "event",
      event: "Exit Intent",
      where: [{ key: "cart_id", type: "STRING", op: "EXISTS" }],
    },
    entityKey: "cart_id",
    entry: { rule: "once_per_entity" },
    audience: { field: { name: "EMAIL", op: "EXISTS" } },
    goals: [{ name: "Bought the cart", event: "Order Completed", sameEntity: true }],
    exits: [{ name: "Ordered", event: "Order Completed" }],
    start: "gone",
    nodes: [
      {
        id: "gone",
        kind: "wait_for_event",
        event: "Page Viewed",
        timeout: { minutes: options.afterMinutes },
        matched: "came-back",
        timedOut: "still-in-cart",
      },
      {
        id: "came-back",
        kind: "wait_for_event",
        event: "Exit Intent",
        sameEntity: true,
        timeout: { days: options.watchDays },
        matched: "gone",
        timedOut: "stayed",
      },
      { id: "stayed", kind: "exit", reason: "came back and did not leave again" },
      { id: "still-in-cart", kind: "condition", fact: { kind: "cart_has_items" }, yes: "offer" },
      {
        id: "offer",
        kind: "send_email",
        templateId: templates["exit-intent"],
        ...(options.discountCode && {
          data: { coupon: percentCoupon(options.discountCode, options.percent) },
        }),
      },
    ],
  }),
});
