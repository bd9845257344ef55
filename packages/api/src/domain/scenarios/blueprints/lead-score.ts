import { z } from "zod";
import { webhookUrlProblem } from "../runs/webhook.ts";
import { blueprint } from "./blueprint.ts";

export const leadScoreOptions = z.object({
  /** The lead score that makes a prospect sales-ready, crossed upward. */
  threshold: z.number().int().min(1).max(1_000_000).default(50),
  /** The tag the prospect gets. */
  tag: z.string().trim().min(1).max(100).default("Sales-ready"),
  /** The shop's CRM or sales inbox hook (https, public); left out, only the tag. */
  webhookUrl: z
    .string()
    .superRefine((url, ctx) => {
      const problem = webhookUrlProblem(url);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional(),
});

export const leadScore = blueprint({
  name: "lead_score",
  title: "Lead score threshold",
  description:
    "When a contact's lead score crosses the threshold, once: the sales-ready tag, and a signed webhook to the shop's CRM with the contact and the score.",
  templateKeys: [],
  tags: (options) => [options.tag],
  options: leadScoreOptions,
  build: (options) => ({
    version: 1,
    trigger: { kind: "score_crossed", threshold: options.threshold },
    entry: { rule: "once" },
    start: "tag",
    nodes: [
      {
        id: "tag",
        kind: "add_tag",
        tag: options.tag,
        ...(options.webhookUrl && { next: "notify-crm" }),
      },
      ...(options.webhookUrl
        ? [
            {
              id: "notify-crm",
              kind: "webhook",
              url: options.webhookUrl,
              body: {
                reason: "lead_score_crossed",
                threshold: options.threshold,
                tag: options.tag,
              },
              failed: "crm-down",
            },
            { id: "crm-down", kind: "exit", reason: "the CRM did not take the webhook" },
          ]
        : []),
    ],
  }),
});
