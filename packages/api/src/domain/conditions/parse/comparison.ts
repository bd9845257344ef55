import { z } from "zod";
import {
  type ComparisonOperator,
  comparisonOperators,
  dayOperators,
  filterLimits,
  operatorsByType,
  type PropertyType,
} from "../filter.ts";
import { parseIsoDate } from "../iso-date.ts";
import { dayCount, isRecord, missingOr } from "./primitives.ts";

const valueOperators: readonly ComparisonOperator[] = [
  "EQUALS",
  "NOT_EQUALS",
  "CONTAINS",
  "STARTS_WITH",
  "GREATER_THAN",
  "LESS_THAN",
  "AT_LEAST",
  "AT_MOST",
];

const numberText = /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/;
const isoHint = "is not an ISO 8601 date, e.g. 2026-05-01 or 2026-05-01T12:00:00Z";

/**
 * One value of a declared type, coerced the forgiving way GraphQL and JSON inputs need:
 * numbers may come as numeric strings, booleans as "true"/"false", dates as ISO 8601 strings
 * (normalised to UTC ISO form; a date without offset is UTC).
 */
export const scalar = {
  STRING: z
    .string({ error: missingOr("must be a string") })
    .max(1000, "must be at most 1000 characters"),
  NUMBER: z.preprocess(
    (raw) => (typeof raw === "string" && numberText.test(raw) ? Number(raw) : raw),
    z.number({ error: missingOr("is not a number") }),
  ),
  BOOLEAN: z.preprocess(
    (raw) => (raw === "true" ? true : raw === "false" ? false : raw),
    z.boolean({ error: missingOr("is not true or false") }),
  ),
  DATE: z.preprocess(
    (raw) => (raw instanceof Date ? raw.toISOString() : raw),
    z.string({ error: missingOr(isoHint) }).transform((value, ctx) => {
      const date = parseIsoDate(value);
      if (date) return date.toISOString();
      ctx.issues.push({ code: "custom", message: isoHint, input: value });
      return z.NEVER;
    }),
  ),
} as const satisfies Record<PropertyType, z.ZodType>;

/** The fields an operator takes, for values of `type`. */
function operands(type: PropertyType, op: ComparisonOperator): z.ZodRawShape {
  const value = scalar[type];
  if (valueOperators.includes(op)) return { value };
  if (op === "BETWEEN") return { min: value, max: value };
  if (op === "IN") {
    const size = `name 1 to ${filterLimits.listItems} values`;
    return {
      values: z.array(value, { error: size }).min(1, size).max(filterLimits.listItems, size),
    };
  }
  if (dayOperators.includes(op)) {
    return { days: op === "ANNIVERSARY_WITHIN_DAYS" ? dayCount(366, "") : dayCount() };
  }
  return {};
}

/**
 * A comparison of a `type` value (`op` with its operands) in an object that also holds
 * `shape` (the condition's own fields, such as `key` and `type`, or `name`). One branch per
 * operator the type accepts, so an operator's operands are checked exactly, and an operator
 * of another type is named as such.
 *
 * @example comparison("NUMBER", { key: text(200) }).parse({ key: "age", op: "AT_LEAST", value: "18" }) // { key: "age", op: "AT_LEAST", value: 18 }
 */
export function comparison<S extends z.ZodRawShape>(type: PropertyType, shape: S) {
  const allowed = operatorsByType[type];
  const [first, ...rest] = allowed.map((op) => {
    const branch = z.object({ ...shape, op: z.literal(op), ...operands(type, op) });
    return op === "BETWEEN"
      ? branch.refine(
          (b) => {
            const { min, max } = b as unknown as { min: string | number; max: string | number };
            return min <= max;
          },
          {
            path: ["max"],
            message: "must not be below min",
          },
        )
      : branch;
  });
  if (!first) throw new Error(`no operators for ${type}`);
  return z.discriminatedUnion("op", [first, ...rest], {
    error: (issue) => {
      if (!isRecord(issue.input)) return "must be an object";
      const op = (issue.input as { op?: unknown } | undefined)?.op;
      const known =
        typeof op === "string" && (comparisonOperators as readonly string[]).includes(op);
      return known
        ? `${op} does not apply to ${type} values; use one of ${allowed.join(", ")}`
        : `unknown operator; use one of ${allowed.join(", ")}`;
    },
  });
}
