import { z } from "zod";
import { isUuid } from "../../shared/validation.ts";
import { blueprint, percentCoupon } from "./blueprint.ts";

export const vipWelcomeOptions = z.object({
  /** The segment whose new members are welcomed; left out, the playbook's "VIP customers". */
  segmentId: z.string().refine(isUuid, "is not a segment id").optional(),
  /** With the playbook segment, when it is first installed: the total spent that makes a VIP. */
  vipMinimumSpend: z.number().positive().default(500),
  /** The tag the new VIP gets. */
  tag: z.string().trim().min(1).max(100).default("VIP"),
  /** A thank-you code in the mail; left out, the mail has none. */
  discountCode: z.string().trim().min(1).max(100).optional(),
  percent: z.number().int().min(1).max(90).default(10),
});

export const vipWelcome = blueprint({
  name: "vip_welcome",
  title: "VIP welcome",
  description:
    "Once per contact, on entering the VIP segment: a VIP tag and a welcome to the VIP club, with picks for them and an optional thank-you code.",
  templateKeys: ["vip-welcome"],
  tags: (options) => [options.tag],
  segment: (options) => ({
    segmentId: options.segmentId,
    playbook: { key: "vip-customers", vipMinimumSpend: options.vipMinimumSpend },
  }),
  options: vipWelcomeOptions,
  build: (options, templates, { segmentId }) => ({
    version: 1,
    trigger: { kind: "segment_entered", segmentId },
    entry: { rule: "once" },
    start: "tag",
    nodes: [
      { id: "tag", kind: "add_tag", tag: options.tag, next: "welcome" },
      {
        id: "welcome",
        kind: "send_email",
        templateId: templates["vip-welcome"],
        recommendations: [{ block: "for_you", strategy: "for_you", limit: 2 }],
        ...(options.discountCode && {
          data: { coupon: percentCoupon(options.discountCode, options.percent) },
        }),
      },
    ],
  }),
});
