import { z } from "zod";
import { canonicalEventName } from "../../shared/standard-event-names.ts";
import { type EventWindow, filterLimits, type OrderMetric, orderMetrics } from "../filter.ts";
import { type WindowField, windowFields, windowUnits } from "../window.ts";
import { comparison } from "./comparison.ts";
import { propertyCondition } from "./contact-conditions.ts";
import { dropNulls, fields, isRecord, missingOr, text, wholeNumber } from "./primitives.ts";

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

const unitNames: Record<WindowField, { unit: string; one: string; finer?: WindowField }> = {
  withinDays: { unit: "day", one: "a day", finer: "withinHours" },
  withinHours: { unit: "hour", one: "an hour", finer: "withinMinutes" },
  withinMinutes: { unit: "minute", one: "a minute" },
};

/** A window in whole units of `field`, from 1 unit up to the 3,650-day limit. */
function windowCount(field: WindowField) {
  const { unit, one, finer } = unitNames[field];
  const whole = `must be a whole number of ${unit}s`;
  const max = (filterLimits.days * windowUnits.withinDays) / windowUnits[field];
  const limit =
    field === "withinDays" ? `${max} days` : `${max} ${unit}s (${filterLimits.days} days)`;
  return z
    .number({ error: missingOr(whole) })
    .int(finer ? `${whole}; for part of ${one}, use ${finer}` : whole)
    .min(1, `a window of zero ${unit}s matches nothing; use at least 1 ${unit}`)
    .max(max, `must be at most ${limit}`)
    .optional();
}

/** `withinDays`, `withinHours`, `withinMinutes`: the window fields, each optional. */
const windowShape = Object.fromEntries(windowFields.map((f) => [f, windowCount(f)])) as Record<
  WindowField,
  ReturnType<typeof windowCount>
>;

/** At most one window field; each extra one is named at its own path. */
const oneWindow = z.superRefine<EventWindow>((window, ctx) => {
  const given = windowFields.filter((field) => window[field] !== undefined);
  for (const field of given.slice(1)) {
    ctx.addIssue({
      code: "custom",
      path: [field],
      message: `set at most one of ${windowFields.join(", ")} (${given[0]} is set too)`,
    });
  }
});

const counts = ["atLeast", "atMost", "exactly"] as const;

/** "Did `name` at least / at most / exactly N times in the window (or ever)". */
export const eventCondition = fields({
  name: text(200).transform(canonicalEventName).optional(),
  atLeast: wholeNumber(1).optional(),
  atMost: wholeNumber(0).optional(),
  exactly: wholeNumber(0).optional(),
  ...windowShape,
  where: propertyConditions,
})
  .superRefine((event, ctx) => {
    if (counts.filter((key) => event[key] !== undefined).length > 1) {
      ctx.addIssue({ code: "custom", message: "set at most one of atLeast, atMost, exactly" });
    }
  })
  .check(oneWindow)
  .transform(withoutEmptyWhere);

/** "The first / last time `name` happened", compared as a date. */
export const eventTimeCondition = z
  .preprocess(
    dropNulls,
    comparison("DATE", {
      name: text(200).transform(canonicalEventName),
      which: z.enum(["FIRST", "LAST"], { error: "must be FIRST or LAST" }),
      where: propertyConditions,
    }),
  )
  .transform(withoutEmptyWhere);

const metricNames = Object.keys(orderMetrics) as OrderMetric[];

/** A shopping fact (`COUNT`, `TOTAL_SPENT`…) of the window's orders, compared as its type. */
export const ordersCondition = z
  .preprocess(
    dropNulls,
    z.discriminatedUnion(
      "metric",
      metricNames.map((metric) =>
        comparison(orderMetrics[metric], { metric: z.literal(metric), ...windowShape }),
      ) as never,
      {
        error: (issue) =>
          !isRecord(issue.input)
            ? "must be an object"
            : `unknown metric; use one of ${metricNames.join(", ")}`,
      },
    ),
  )
  .check(oneWindow);

/** Bought a product or from a category, in the window or ever. */
export const purchasedCondition = fields({
  productId: text(200).optional(),
  category: text(200).optional(),
  ...windowShape,
})
  .superRefine((purchased, ctx) => {
    if (purchased.productId === undefined && purchased.category === undefined) {
      ctx.addIssue({ code: "custom", message: "set productId, category or both" });
    }
  })
  .check(oneWindow);
