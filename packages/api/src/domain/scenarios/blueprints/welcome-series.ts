import { z } from "zod";
import { blueprint, percentCoupon } from "./blueprint.ts";

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
const label = z.string().trim().min(1).max(100);

export const welcomeSeriesOptions = z
  .object({
    /** The event that welcomes a contact. */
    event: z.string().trim().min(1).max(200).default("Signed Up"),
    /** The blog the welcome mail links to; left out, no blog line. */
    blogUrl: httpUrl.optional(),
    /** The shop's social pages, e.g. `{ name: "Instagram", url: "https://instagram.com/shop" }`. */
    socialLinks: z
      .array(z.object({ name: label, url: httpUrl }))
      .max(10)
      .default([]),
    /** The best articles for the articles mail; left out, that mail is skipped. */
    articles: z
      .array(z.object({ title: label, url: httpUrl }))
      .max(10)
      .default([]),
    /** The sale page of the last mail; with neither it nor a code, that mail is skipped. */
    saleUrl: httpUrl.optional(),
    discountCode: z.string().trim().min(1).max(100).optional(),
    percent: z.number().int().min(1).max(90).default(10),
    /** How many products the bestsellers and the picks-for-you mails show. */
    limit: z.number().int().min(1).max(12).default(4),
    /** Days after the welcome of each later mail. */
    bestsellersAfterDays: z.number().int().min(1).max(90).default(3),
    articlesAfterDays: z.number().int().min(1).max(90).default(7),
    recommendationsAfterDays: z.number().int().min(1).max(90).default(10),
    saleAfterDays: z.number().int().min(1).max(90).default(20),
  })
  .refine(
    (options) =>
      options.bestsellersAfterDays < options.articlesAfterDays &&
      options.articlesAfterDays < options.recommendationsAfterDays &&
      options.recommendationsAfterDays < options.saleAfterDays,
    {
      path: ["saleAfterDays"],
      message:
        "the days must grow: bestsellersAfterDays < articlesAfterDays < recommendationsAfterDays < saleAfterDays",
    },
  );

type Step = { id: string; day: number; node: Record<string, unknown> };

export const welcomeSeries = blueprint({
  name: "welcome_series",
  title: "Welcome series",
  description:
    "A welcome mail with the blog and social links, bestsellers three days later, the best articles after a week, picks for the contact after ten days and the sale after twenty. An unsubscribe ends it; an order before the sale skips the sale mail.",
  templateKeys: ["welcome-series"],
  options: welcomeSeriesOptions,
  build: (options, templates) => {
    const templateId = templates["welcome-series"];
    const mail = (step: string, extra: Record<string, unknown> = {}) => ({
      kind: "send_email",
      templateId,
      data: { step, ...extra },
    });
    const recommendations = (block: string, strategy: string) => [
      { block, strategy, limit: options.limit },
    ];
    const steps: Step[] = [
      {
        id: "bestsellers",
        day: options.bestsellersAfterDays,
        node: {
          ...mail("bestsellers"),
          recommendations: recommendations("bestsellers", "bestsellers"),
        },
      },
      ...(options.articles.length > 0
        ? [
            {
              id: "articles",
              day: options.articlesAfterDays,
              node: mail("articles", { articles: options.articles }),
            },
          ]
        : []),
      {
        id: "for-you",
        day: options.recommendationsAfterDays,
        node: { ...mail("for_you"), recommendations: recommendations("for_you", "for_you") },
      },
    ];
    const sale = options.saleUrl !== undefined || options.discountCode !== undefined;
    if (sale) {
      steps.push({
        id: "ordered",
        day: options.saleAfterDays,
        node: {
          kind: "condition",
          filter: { event: { name: "Order Completed", withinDays: options.saleAfterDays } },
          yes: "bought",
          no: "sale",
        },
      });
    }
    const nodes: Record<string, unknown>[] = [
      {
        id: "welcome",
        ...mail("welcome", {
          ...(options.blogUrl && { blog_url: options.blogUrl }),
          social_links: options.socialLinks,
        }),
        next: "wait-bestsellers",
      },
    ];
    steps.forEach((step, index) => {
      const previous = steps[index - 1];
      const next = steps[index + 1];
      nodes.push({
        id: `wait-${step.id}`,
        kind: "delay",
        duration: { days: step.day - (previous?.day ?? 0) },
        next: step.id,
      });
      nodes.push({ id: step.id, ...step.node, ...(next && { next: `wait-${next.id}` }) });
    });
    if (sale) {
      nodes.push(
        { id: "bought", kind: "exit", reason: "ordered before the sale" },
        {
          id: "sale",
          ...mail("sale", {
            ...(options.saleUrl && { sale_url: options.saleUrl }),
            ...(options.discountCode && {
              coupon: percentCoupon(options.discountCode, options.percent),
            }),
          }),
        },
      );
    }
    return {
      version: 1,
      trigger: { kind: "event", event: options.event },
      entry: { rule: "once" },
      exits: [{ name: "Unsubscribed", event: "Unsubscribed" }],
      start: "welcome",
      nodes,
    };
  },
});
