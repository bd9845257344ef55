import { z } from "zod";
import { blueprint, percentCoupon } from "./blueprint.ts";

export const winBackOptions = z.object({
  /** Days after the contact's last order before the first mail. */
  days: z.number().int().min(7).max(365).default(90),
  /** Days after the first mail before the coupon, if the contact still has not ordered. */
  couponAfterDays: z.number().int().min(1).max(90).default(14),
  discountCode: z.string().trim().min(1).max(100).default("COMEBACK15"),
  percent: z.number().int().min(1).max(90).default(15),
});

export const winBack = blueprint({
  name: "win_back",
  title: "Win-back",
  description:
    "Some days after the last order with no new one, a we-miss-you mail with picks for the contact, then a coupon. Any new order ends it and starts the count again.",
  templateKeys: ["win-back"],
  options: winBackOptions,
  build: (options, templates) => ({
    version: 1,
    trigger: { kind: "event", event: "Order Completed" },
    entry: { rule: "every_time" },
    exits: [{ name: "Ordered again", event: "Order Completed" }],
    start: "wait",
    nodes: [
      { id: "wait", kind: "delay", duration: { days: options.days }, next: "miss-you" },
      {
        id: "miss-you",
        kind: "send_email",
        templateId: templates["win-back"],
        recommendations: [{ block: "for_you", strategy: "for_you", limit: 4 }],
        next: "wait-coupon",
      },
      {
        id: "wait-coupon",
        kind: "delay",
        duration: { days: options.couponAfterDays },
        next: "coupon",
      },
      {
        id: "coupon",
        kind: "send_email",
        templateId: templates["win-back"],
        data: { coupon: percentCoupon(options.discountCode, options.percent) },
      },
    ],
  }),
});
