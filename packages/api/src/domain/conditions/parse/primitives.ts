import { z } from "zod";
import { filterLimits } from "../filter.ts";

/** GraphQL input sends absent fields as null: they mean "left out" here. */
export function dropNulls(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value != null));
}

/**
 * An object of `shape` (nulls read as absent); anything else "must be an object". A field
 * the shape does not know is refused by name, so a misspelt `withinHour` cannot silently widen
 * a condition to all time.
 */
export function fields<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess(
    dropNulls,
    z.strictObject(shape, {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown field ${issue.keys.map((key) => `"${key}"`).join(", ")}; use ${Object.keys(shape).join(", ")}`
          : "must be an object",
    }),
  );
}

/** A message for a value that is missing (`required`) or of the wrong type (`wrong`). */
export const missingOr =
  (wrong: string, required = "is required by this operator") =>
  (issue: { input?: unknown }) =>
    issue.input === undefined ? required : wrong;

export const text = (max: number, min = 1) =>
  z
    .string({ error: missingOr("must be a string", "is required") })
    .min(min, "must not be empty")
    .max(max, `must be at most ${max} characters`);

export const wholeNumber = (min: number) =>
  z
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`);

export const flag = (fallback: boolean) =>
  z.boolean({ error: "must be true or false" }).default(fallback);

/** A window of whole days, 1 to `max` (3,650 by default). */
export const dayCount = (max: number = filterLimits.days, unit = " days") =>
  z
    .number({ error: missingOr("must be a whole number of days") })
    .int("must be a whole number of days")
    .min(1, "a window of zero days matches nothing; use at least 1 day")
    .max(max, `must be at most ${max}${unit}`);

/** Whether `value` is a plain object (not null, not a list). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
