import { z } from "zod";
import { blueprint } from "./blueprint.ts";

export const browseAbandonmentOptions = z.object({
  /** Hours after the view before the reminder, unless the contact added to a cart or ordered. */
  afterHours: z.number().int().min(1).max(72).default(4),
  /** Days after a reminder's run started before a view can start another. */
  cooldownDays: z.number().int().min(1).max(90).default(7),
});

export const browseAbandonment = blueprint({
  name: "browse_abandonment",
  title: "Browse abandonment",
  description:
    "Some hours after a product view, a reminder with the viewed product and similar ones, unless the contact added something to a cart or ordered meanwhile. At most one a week by default.",
  templateKeys: ["browse-abandonment"],
  options: browseAbandonmentOptions,
  build: (options, templates) => ({
    version: 1,
    trigger: { kind: "event", event: "Product Viewed" },
    entry: { rule: "every_time", cooldown: { days: options.cooldownDays } },
    exits: [
      { name: "Added to a cart", event: "Product Added" },
      { name: "Ordered", event: "Order Completed" },
    ],
    start: "wait",
    nodes: [
      { id: "wait", kind: "delay", duration: { hours: options.afterHours }, next: "reminder" },
      {
        id: "reminder",
        kind: "send_email",
        templateId: templates["browse-abandonment"],
        recommendations: [
          { block: "viewed_also_viewed", strategy: "viewed_also_viewed", limit: 2 },
        ],
      },
    ],
  }),
});
