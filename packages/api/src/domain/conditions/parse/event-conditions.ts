import { z } from "zod";
import { type OrderMetric, orderMetrics } from "../filter.ts";
import { comparison } from "./comparison.ts";
import { propertyCondition } from "./contact-conditions.ts";
import { dayCount, dropNulls, fields, isRecord, text, wholeNumber } from "./primitives.ts";

/** Property conditions on an event (`where`), at most 20. */
export const propertyConditions = z.preprocess(
  (raw) => raw ?? [],
  z
    .array(propertyCondition, { error: "must be a list of property conditions" })
    .max(20, "at most 20 property conditions"),
);

/** Leaves `where` out when it is empty. */
const withoutEmptyWhere = <T extends { where?: unknown[] }>({ where, ...rest }: T) =>
  (where?.length ? { ...rest, where } : rest) as T;

const counts = ["atLeast", "atMost", "exactly"] as const;

/** "Did `name` at least / at most / exactly N times in the last `withinDays` days". */
export const eventCondition = fields({
  name: text(200).optional(),
  atLeast: wholeNumber(1).optional(),
  atMost: wholeNumber(0).optional(),
  exactly: wholeNumber(0).optional(),
  withinDays: dayCount().optional(),
  where: propertyConditions,
})
  .superRefine((event, ctx) => {
    if (counts.filter((key) => event[key] !== undefined).length > 1) {
      ctx.addIssue({ code: "custom", message: "set at most one of atLeast, atMost, exactly" });
    }
  })
  .transform(withoutEmptyWhere);

/** "The first / last time `name` happened", compared as a date. */
export const eventTimeCondition = z
  .preprocess(
    dropNulls,
    comparison("DATE", {
      name: text(200),
      which: z.enum(["FIRST", "LAST"], { error: "must be FIRST or LAST" }),
      where: propertyConditions,
    }),
  )
  .transform(withoutEmptyWhere);

const metricNames = Object.keys(orderMetrics) as OrderMetric[];

/** A shopping fact (`COUNT`, `TOTAL_SPENT`…) compared as its type. */
export const ordersCondition = z.preprocess(
  dropNulls,
  z.discriminatedUnion(
    "metric",
    metricNames.map((metric) =>
      comparison(orderMetrics[metric], {
        metric: z.literal(metric),
        withinDays: dayCount().optional(),
      }),
    ) as never,
    {
      error: (issue) =>
        !isRecord(issue.input)
          ? "must be an object"
          : `unknown metric; use one of ${metricNames.join(", ")}`,
    },
  ),
);

/** Bought a product or from a category. */
export const purchasedCondition = fields({
  productId: text(200).optional(),
  category: text(200).optional(),
  withinDays: dayCount().optional(),
}).superRefine((purchased, ctx) => {
  if (purchased.productId === undefined && purchased.category === undefined) {
    ctx.addIssue({ code: "custom", message: "set productId, category or both" });
  }
});
