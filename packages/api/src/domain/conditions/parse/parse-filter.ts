import { z } from "zod";
import { type FieldProblem, InvalidInputError } from "../../shared/errors.ts";
import { filterLimits, type PropertyCondition, type SegmentFilter } from "../filter.ts";
import {
  consentCondition,
  fieldCondition,
  propertyCondition,
  scoreCondition,
  tagCondition,
} from "./contact-conditions.ts";
import {
  eventCondition,
  eventTimeCondition,
  ordersCondition,
  propertyConditions,
  purchasedCondition,
} from "./event-conditions.ts";
import { dropNulls, isRecord } from "./primitives.ts";
import { inSegmentCondition } from "./segment-conditions.ts";

/** Each condition kind's schema, by the key that names it. */
const leaves = {
  field: fieldCondition,
  property: propertyCondition,
  tag: tagCondition,
  score: scoreCondition,
  consent: consentCondition,
  event: eventCondition,
  eventTime: eventTimeCondition,
  orders: ordersCondition,
  purchased: purchasedCondition,
  inSegment: inSegmentCondition,
} as const satisfies Record<string, z.ZodType>;

const nodeKinds = ["and", "or", "not", ...Object.keys(leaves)];

/** A node `depth` levels down: one key naming its kind, its value that kind's schema. */
const nodes: z.ZodType<SegmentFilter>[] = [];
function nodeAt(depth: number): z.ZodType<SegmentFilter> {
  const cached = nodes[depth];
  if (cached) return cached;
  const list = z
    .array(
      z.lazy(() => nodeAt(depth + 1)),
      { error: "must be a list of filters" },
    )
    .max(filterLimits.listItems, `at most ${filterLimits.listItems} filters`);
  const kinds: Record<string, z.ZodType> = {
    and: list,
    or: list,
    not: z.lazy(() => nodeAt(depth + 1)),
    ...leaves,
  };
  const node = z.unknown().transform((raw, ctx): SegmentFilter => {
    const fail = (message: string) => {
      ctx.issues.push({ code: "custom", message, input: raw });
      return z.NEVER;
    };
    if (depth > filterLimits.depth) {
      return fail(`filters nest at most ${filterLimits.depth} levels deep`);
    }
    const given = dropNulls(raw);
    if (!isRecord(given)) {
      return fail("must be an object");
    }
    const keys = Object.keys(given);
    const kind = keys[0];
    if (keys.length !== 1 || kind === undefined || !nodeKinds.includes(kind)) {
      return fail(
        `set exactly one of ${nodeKinds.join(", ")}${keys.length ? ` (got ${keys.join(", ")})` : ""}`,
      );
    }
    const parsed = (kinds[kind] as z.ZodType).safeParse((given as Record<string, unknown>)[kind]);
    if (parsed.success) return { [kind]: parsed.data } as SegmentFilter;
    for (const issue of parsed.error.issues) {
      ctx.issues.push({
        code: "custom",
        message: issue.message,
        path: [kind, ...issue.path],
        input: raw,
      });
    }
    return z.NEVER;
  });
  nodes[depth] = node;
  return node;
}

/**
 * Validates a filter (JSON, or GraphQL input where absent fields are null) and returns it
 * normalised: values coerced to their declared type, dates as ISO strings, defaults filled.
 * Throws an InvalidInputError naming every problem by path, e.g.
 * `filter.and.1.property.type: unknown property type "COLOR"`.
 *
 * @example parseSegmentFilter({ tag: { name: "vip" } }) // { tag: { name: "vip", has: true } }
 */
export function parseSegmentFilter(raw: unknown, basePath: string[] = ["filter"]): SegmentFilter {
  const parsed = nodeAt(0).safeParse(raw);
  if (!parsed.success) throw invalidFilter(problemsOf(parsed.error, basePath));
  const tooMany = conditionPaths(parsed.data, basePath)[filterLimits.conditions];
  if (tooMany) {
    throw invalidFilter([
      { path: tooMany, message: `a filter holds at most ${filterLimits.conditions} conditions` },
    ]);
  }
  return parsed.data;
}

/**
 * Validates the property conditions of a scoring rule or a scenario trigger (the language of
 * a segment event's `where`).
 *
 * @example parsePropertyConditions([{ key: "path", type: "STRING", op: "STARTS_WITH", value: "/pricing" }], ["conditions"])
 */
export function parsePropertyConditions(raw: unknown, basePath: string[]): PropertyCondition[] {
  const parsed = propertyConditions.safeParse(raw);
  if (!parsed.success) throw invalidFilter(problemsOf(parsed.error, basePath));
  return parsed.data as PropertyCondition[];
}

function problemsOf(error: z.ZodError, basePath: string[]): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: [...basePath, ...issue.path.map(String)],
    message: issue.message,
  }));
}

function invalidFilter(problems: FieldProblem[]): InvalidInputError {
  const first = problems[0];
  const summary = first ? `${first.path.join(".")}: ${first.message}` : "invalid filter";
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return new InvalidInputError(summary + more, problems);
}

/** The path of every condition (leaf) of a parsed filter, in order. */
function conditionPaths(filter: SegmentFilter, path: string[]): string[][] {
  if ("and" in filter)
    return filter.and.flatMap((f, i) => conditionPaths(f, [...path, "and", String(i)]));
  if ("or" in filter)
    return filter.or.flatMap((f, i) => conditionPaths(f, [...path, "or", String(i)]));
  if ("not" in filter) return conditionPaths(filter.not, [...path, "not"]);
  return [path];
}
