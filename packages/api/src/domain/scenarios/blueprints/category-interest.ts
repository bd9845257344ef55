import { z } from "zod";
import { blueprint } from "./blueprint.ts";

export const categoryInterestOptions = z.object({
  /** What goes before the category handle in the tag's name. */
  tagPrefix: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .regex(/^[^{}]+$/, "must not contain { or }")
    .default("interest:"),
});

export const categoryInterest = blueprint({
  name: "category_interest",
  title: "Category interest",
  description:
    "A click in a mail on a link to a product category (/collections/<handle>, /category/<handle>, or a cw_category link parameter) tags the contact with that category, such as interest:lamps, so later mails can target them.",
  templateKeys: [],
  options: categoryInterestOptions,
  build: (options) => ({
    version: 1,
    trigger: {
      kind: "event",
      event: "Email Clicked",
      where: [{ key: "category", type: "STRING", op: "EXISTS" }],
    },
    start: "tag",
    nodes: [{ id: "tag", kind: "add_tag", tag: `${options.tagPrefix}{{ event.category }}` }],
  }),
});
