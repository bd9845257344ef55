import { z } from "zod";
import { isUuid } from "../../shared/validation.ts";
import { blueprint, percentCoupon } from "./blueprint.ts";

export const vipRewardOptions = z.object({
  /** The VIP segment; left out, the playbook's "VIP customers" (vip_welcome's, installed once). */
  segmentId: z.string().refine(isUuid, "is not a segment id").optional(),
  /** With the playbook segment, when it is first installed: the total spent that makes a VIP. */
  vipMinimumSpend: z.number().positive().default(500),
  /**
   * The tag vip_welcome gives a new VIP. Only tagged members are thanked, so the order that made
   * them a VIP gets the welcome and not a reward as well.
   */
  tag: z.string().trim().min(1).max(100).default("VIP"),
  /** What is thanked: each `order` (Order Completed) or each `review` (Product Reviewed). */
  rewardFor: z.enum(["order", "review"]).default("order"),
  /** At most one thank-you per contact in this many hours: several orders in a day, one mail. */
  cooldownHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24),
  /** A reward code in the mail; left out, the mail has none. */
  discountCode: z.string().trim().min(1).max(100).optional(),
  percent: z.number().int().min(1).max(90).default(10),
});

const triggerEvents = { order: "Order Completed", review: "Product Reviewed" } as const;

export const vipReward = blueprint({
  name: "vip_reward",
  title: "VIP reward",
  description:
    "After each further order (or, with rewardFor: review, each review) of a VIP, a member of the VIP segment already welcomed with the VIP tag: a thank-you with picks and an optional reward code, at most once per cooldown.",
  templateKeys: ["vip-thanks"],
  tags: (options) => [options.tag],
  segment: (options) => ({
    segmentId: options.segmentId,
    playbook: { key: "vip-customers", vipMinimumSpend: options.vipMinimumSpend },
  }),
  options: vipRewardOptions,
  build: (options, templates, { segmentId }) => ({
    version: 1,
    trigger: { kind: "event", event: triggerEvents[options.rewardFor] },
    entry: { rule: "every_time", cooldown: { hours: options.cooldownHours } },
    audience: {
      and: [
        { inSegment: { segmentId, isMember: true } },
        { tag: { name: options.tag, has: true } },
      ],
    },
    start: "thanks",
    nodes: [
      {
        id: "thanks",
        kind: "send_email",
        templateId: templates["vip-thanks"],
        recommendations: [{ block: "for_you", strategy: "for_you", limit: 2 }],
        ...(options.discountCode && {
          data: { coupon: percentCoupon(options.discountCode, options.percent) },
        }),
      },
    ],
  }),
});
