import { z } from "zod";
import { blueprint, percentCoupon } from "./blueprint.ts";

export const reviewRequestOptions = z.object({
  /** Days after the order's `Order Shipped`, about when it has arrived and been tried. */
  daysAfterShipping: z.number().int().min(1).max(90).default(7),
  /** The review page; left out, each product's button leads to its own page. */
  reviewUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  /** A thank-you code in the mail; left out, the mail asks without a reward. */
  discountCode: z.string().trim().min(1).max(100).optional(),
  percent: z.number().int().min(1).max(90).default(10),
});

export const reviewRequest = blueprint({
  name: "review_request",
  title: "Review request",
  description:
    "Some days after an order ships, asks for a review of its products, with an optional thank-you code. A review, or the order being cancelled or refunded, ends it.",
  templateKeys: ["review-request"],
  options: reviewRequestOptions,
  build: (options, templates) => {
    const data = {
      ...(options.reviewUrl && { review_url: options.reviewUrl }),
      ...(options.discountCode && { coupon: percentCoupon(options.discountCode, options.percent) }),
    };
    return {
      version: 1,
      trigger: { kind: "event", event: "Order Shipped" },
      entityKey: "order_id",
      entry: { rule: "once_per_entity" },
      exits: [
        { name: "Reviewed", event: "Product Reviewed" },
        { name: "Order cancelled", event: "Order Cancelled", sameEntity: true },
        { name: "Order refunded", event: "Order Refunded", sameEntity: true },
      ],
      start: "wait",
      nodes: [
        { id: "wait", kind: "delay", duration: { days: options.daysAfterShipping }, next: "ask" },
        {
          id: "ask",
          kind: "send_email",
          templateId: templates["review-request"],
          ...(Object.keys(data).length > 0 && { data }),
        },
      ],
    };
  },
});
