import { z } from "zod";
import { db } from "../../db.ts";
import type { Segment } from "../../generated/prisma/client.ts";
import type { SegmentFilter } from "../conditions/filter.ts";
import { parseInput } from "../shared/validation.ts";
import { createSegment } from "./segments.ts";

export interface TemplateSettings {
  /** Total spent from which a customer is a VIP. Default 500. */
  vipMinimumSpend: number;
  /** Lead score from which a prospect is ready to buy. Default 50. */
  readyToBuyMinimumScore: number;
  /** Days without a human open or a click that make a subscriber unengaged. Default 90. */
  unengagedDays: number;
}

interface SegmentTemplate {
  name: string;
  description: string;
  filter: (settings: TemplateSettings) => SegmentFilter;
}

/** The ready-made segments of the marketing playbooks, by key. */
export const segmentTemplates = {
  "engaged-subscribers": {
    name: "Engaged subscribers",
    description: "Subscribed, and opened or clicked an email in the last 30 days.",
    filter: () => ({
      and: [
        { consent: { statuses: ["SUBSCRIBED"] } },
        {
          or: [
            { event: { name: "Email Opened", withinDays: 30 } },
            { event: { name: "Email Clicked", withinDays: 30 } },
          ],
        },
      ],
    }),
  },
  "unengaged-subscribers": {
    name: "Unengaged subscribers",
    description:
      "Subscribed for a while, and no human open (Apple's privacy pre-fetches do not count) and no click in that long.",
    filter: ({ unengagedDays }) => ({
      and: [
        { consent: { statuses: ["SUBSCRIBED"] } },
        { field: { name: "CREATED_AT", op: "MORE_THAN_DAYS_AGO", days: unengagedDays } },
        {
          event: {
            name: "Email Opened",
            where: [{ key: "machine_open", type: "BOOLEAN", op: "EQUALS", value: false }],
            atMost: 0,
            withinDays: unengagedDays,
          },
        },
        { event: { name: "Email Clicked", atMost: 0, withinDays: unengagedDays } },
      ],
    }),
  },
  "vip-customers": {
    name: "VIP customers",
    description: "Top spenders: total spent at or above the VIP threshold.",
    filter: ({ vipMinimumSpend }) => ({
      orders: { metric: "TOTAL_SPENT", op: "AT_LEAST", value: vipMinimumSpend },
    }),
  },
  "ready-to-buy": {
    name: "Prospects ready to buy",
    description: "A high lead score and no order yet.",
    filter: ({ readyToBuyMinimumScore }) => ({
      and: [
        { score: { min: readyToBuyMinimumScore } },
        { orders: { metric: "COUNT", op: "EQUALS", value: 0 } },
      ],
    }),
  },
  "one-time-buyers": {
    name: "One-time buyers",
    description: "Exactly one order so far: the second order is the one to win.",
    filter: () => ({ orders: { metric: "COUNT", op: "EQUALS", value: 1 } }),
  },
  "lapsed-customers": {
    name: "Lapsed customers",
    description: "Ordered before, but no activity at all in the last 90 days.",
    filter: () => ({
      and: [
        { orders: { metric: "COUNT", op: "GREATER_THAN", value: 0 } },
        { event: { atMost: 0, withinDays: 90 } },
      ],
    }),
  },
  "cart-abandoners": {
    name: "Cart abandoners (last 7 days)",
    description:
      "Added a product to the cart in the last 7 days without completing an order since.",
    filter: () => ({
      and: [
        { event: { name: "Product Added", withinDays: 7 } },
        { event: { name: "Order Completed", atMost: 0, withinDays: 7 } },
      ],
    }),
  },
} as const satisfies Record<string, SegmentTemplate>;

export type SegmentTemplateKey = keyof typeof segmentTemplates;
export const segmentTemplateKeys = Object.keys(segmentTemplates) as SegmentTemplateKey[];

const installInput = z.object({
  templates: z
    .array(z.enum(segmentTemplateKeys as [SegmentTemplateKey, ...SegmentTemplateKey[]]))
    .optional(),
  vipMinimumSpend: z.number().positive().default(500),
  readyToBuyMinimumScore: z.number().int().default(50),
  unengagedDays: z.number().int().min(1).max(3650).default(90),
});

/**
 * Installs ready-made segments (all of them by default). A template already installed in the
 * workspace is left as it is and returned, so installing twice is harmless.
 *
 * @example await installSegmentTemplates(workspaceId, { templates: ["vip-customers"], vipMinimumSpend: 1000 })
 */
export async function installSegmentTemplates(
  workspaceId: string,
  input: z.input<typeof installInput> = {},
): Promise<Segment[]> {
  const { templates, ...settings } = parseInput(installInput, input);
  const keys = [...new Set(templates ?? segmentTemplateKeys)];
  const installed: Segment[] = [];
  for (const key of keys) {
    const existing = await db().segment.findFirst({ where: { workspaceId, templateKey: key } });
    if (existing) {
      installed.push(existing);
      continue;
    }
    const template: SegmentTemplate = segmentTemplates[key];
    installed.push(
      await createSegment(
        workspaceId,
        {
          name: template.name,
          description: template.description,
          filter: template.filter(settings),
        },
        { templateKey: key },
      ),
    );
  }
  return installed;
}
