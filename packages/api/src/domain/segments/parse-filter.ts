import { consentStatuses } from "../contacts/contact-input.ts";
import { type FieldProblem, InvalidInputError } from "../shared/errors.ts";
import { isUuid } from "../shared/validation.ts";
import {
  type Comparison,
  type ComparisonOperator,
  comparisonOperators,
  dayOperators,
  filterLimits,
  operatorsByType,
  orderMetrics,
  type PropertyCondition,
  type PropertyType,
  propertyTypes,
  type ScalarValue,
  type SegmentFilter,
  segmentContactFields,
} from "./filter.ts";
import { parseIsoDate } from "./iso-date.ts";

const nodeKinds = [
  "and",
  "or",
  "not",
  "field",
  "property",
  "tag",
  "score",
  "consent",
  "event",
  "eventTime",
  "orders",
  "purchased",
  "inSegment",
] as const;

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

type Raw = Record<string, unknown>;

/**
 * Validates a filter (JSON, or GraphQL input where absent fields are null) and returns it
 * normalised: values coerced to their declared type, dates as ISO strings, defaults filled.
 * Throws an InvalidInputError naming every problem by path, e.g.
 * `filter.and.1.property.type: unknown property type "COLOR"`.
 */
export function parseSegmentFilter(raw: unknown, basePath: string[] = ["filter"]): SegmentFilter {
  const parser = new FilterParser();
  const filter = parser.node(raw, basePath, 0);
  if (parser.problems.length > 0 || !filter) throw invalidFilter(parser.problems);
  return filter;
}

/** Validates the property conditions of a scoring rule (same language as segment `where`). */
export function parsePropertyConditions(raw: unknown, basePath: string[]): PropertyCondition[] {
  const parser = new FilterParser();
  const conditions = parser.propertyList(raw, basePath);
  if (parser.problems.length > 0 || !conditions) throw invalidFilter(parser.problems);
  return conditions;
}

function invalidFilter(problems: FieldProblem[]): InvalidInputError {
  const first = problems[0];
  const summary = first ? `${first.path.join(".")}: ${first.message}` : "invalid filter";
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return new InvalidInputError(summary + more, problems);
}

class FilterParser {
  readonly problems: FieldProblem[] = [];
  private conditions = 0;

  private fail(path: string[], message: string): undefined {
    this.problems.push({ path, message });
    return undefined;
  }

  private object(raw: unknown, path: string[]): Raw | undefined {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      return this.fail(path, "must be an object");
    }
    return Object.fromEntries(Object.entries(raw).filter(([, value]) => value != null));
  }

  node(raw: unknown, path: string[], depth: number): SegmentFilter | undefined {
    if (depth > filterLimits.depth) {
      return this.fail(path, `filters nest at most ${filterLimits.depth} levels deep`);
    }
    const fields = this.object(raw, path);
    if (!fields) return undefined;
    const kinds = Object.keys(fields);
    const kind = kinds[0];
    if (kinds.length !== 1 || !kind || !(nodeKinds as readonly string[]).includes(kind)) {
      return this.fail(
        path,
        `set exactly one of ${nodeKinds.join(", ")}${kinds.length ? ` (got ${kinds.join(", ")})` : ""}`,
      );
    }
    const value = fields[kind];
    const at = [...path, kind];
    if (kind === "and" || kind === "or") return this.group(kind, value, at, depth);
    if (kind === "not") {
      const inner = this.node(value, at, depth + 1);
      return inner && { not: inner };
    }
    this.conditions += 1;
    if (this.conditions === filterLimits.conditions + 1) {
      this.fail(path, `a filter holds at most ${filterLimits.conditions} conditions`);
    }
    return this.leaf(kind, value, at);
  }

  private group(kind: "and" | "or", raw: unknown, path: string[], depth: number) {
    if (!Array.isArray(raw)) return this.fail(path, "must be a list of filters");
    if (raw.length > filterLimits.listItems) {
      return this.fail(path, `at most ${filterLimits.listItems} filters`);
    }
    const children = raw.map((child, index) =>
      this.node(child, [...path, String(index)], depth + 1),
    );
    if (children.some((child) => child === undefined)) return undefined;
    const list = children as SegmentFilter[];
    return kind === "and" ? { and: list } : { or: list };
  }

  private leaf(kind: string, raw: unknown, path: string[]): SegmentFilter | undefined {
    const fields = this.object(raw, path);
    if (!fields) return undefined;
    switch (kind) {
      case "field": {
        const name = fields.name;
        if (typeof name !== "string" || !(name in segmentContactFields)) {
          return this.fail(
            [...path, "name"],
            `unknown contact field; use one of ${Object.keys(segmentContactFields).join(", ")}`,
          );
        }
        const field = segmentContactFields[name as keyof typeof segmentContactFields];
        const comparison = this.comparison(fields, field.type, path);
        return (
          comparison && {
            field: { name: name as keyof typeof segmentContactFields, ...comparison },
          }
        );
      }
      case "property": {
        const condition = this.property(fields, path);
        return condition && { property: condition };
      }
      case "tag": {
        const name = this.text(fields.name, [...path, "name"], 100);
        const has = this.boolean(fields.has, [...path, "has"], true);
        return name !== undefined && has !== undefined ? { tag: { name, has } } : undefined;
      }
      case "score": {
        const min = this.integer(fields.min, [...path, "min"], -1e9);
        const max = this.integer(fields.max, [...path, "max"], -1e9);
        if (fields.min === undefined && fields.max === undefined) {
          return this.fail(path, "set min, max or both");
        }
        if (min !== undefined && max !== undefined && min > max) {
          return this.fail([...path, "max"], "must not be below min");
        }
        return { score: { ...(min !== undefined && { min }), ...(max !== undefined && { max }) } };
      }
      case "consent": {
        const statuses = fields.statuses;
        if (!Array.isArray(statuses) || statuses.length === 0) {
          return this.fail([...path, "statuses"], "name at least one consent status");
        }
        const bad = statuses.find((s) => !(consentStatuses as readonly unknown[]).includes(s));
        if (bad !== undefined)
          return this.fail([...path, "statuses"], `unknown consent status ${JSON.stringify(bad)}`);
        return {
          consent: { statuses: [...new Set(statuses)] as (typeof consentStatuses)[number][] },
        };
      }
      case "event":
        return this.event(fields, path);
      case "eventTime": {
        const name = this.text(fields.name, [...path, "name"], 200);
        const which = fields.which;
        if (which !== "FIRST" && which !== "LAST") {
          return this.fail([...path, "which"], "must be FIRST or LAST");
        }
        const where = this.propertyList(fields.where, [...path, "where"]);
        const comparison = this.comparison(fields, "DATE", path);
        if (name === undefined || !comparison || where === undefined) return undefined;
        return { eventTime: { name, which, ...(where.length > 0 && { where }), ...comparison } };
      }
      case "orders": {
        const metric = fields.metric;
        if (typeof metric !== "string" || !(metric in orderMetrics)) {
          return this.fail(
            [...path, "metric"],
            `unknown metric; use one of ${Object.keys(orderMetrics).join(", ")}`,
          );
        }
        const type = orderMetrics[metric as keyof typeof orderMetrics];
        const withinDays = this.days(fields.withinDays, [...path, "withinDays"], false);
        const comparison = this.comparison(fields, type, path);
        if (!comparison || withinDays === null) return undefined;
        return {
          orders: {
            metric: metric as keyof typeof orderMetrics,
            ...(withinDays !== undefined && { withinDays }),
            ...comparison,
          },
        };
      }
      case "purchased": {
        const productId =
          fields.productId === undefined
            ? undefined
            : this.text(fields.productId, [...path, "productId"], 200);
        const category =
          fields.category === undefined
            ? undefined
            : this.text(fields.category, [...path, "category"], 200);
        if (fields.productId === undefined && fields.category === undefined) {
          return this.fail(path, "set productId, category or both");
        }
        const withinDays = this.days(fields.withinDays, [...path, "withinDays"], false);
        if (withinDays === null || (fields.productId !== undefined && productId === undefined))
          return undefined;
        if (fields.category !== undefined && category === undefined) return undefined;
        return {
          purchased: {
            ...(productId !== undefined && { productId }),
            ...(category !== undefined && { category }),
            ...(withinDays !== undefined && { withinDays }),
          },
        };
      }
      case "inSegment": {
        const segmentId = fields.segmentId;
        if (typeof segmentId !== "string" || !isUuid(segmentId)) {
          return this.fail([...path, "segmentId"], "is not a segment id");
        }
        const isMember = this.boolean(fields.isMember, [...path, "isMember"], true);
        return isMember === undefined
          ? undefined
          : { inSegment: { segmentId: segmentId.toLowerCase(), isMember } };
      }
    }
    return undefined;
  }

  private event(fields: Raw, path: string[]): SegmentFilter | undefined {
    const name =
      fields.name === undefined ? undefined : this.text(fields.name, [...path, "name"], 200);
    if (fields.name !== undefined && name === undefined) return undefined;
    const counts = (["atLeast", "atMost", "exactly"] as const).filter(
      (key) => fields[key] !== undefined,
    );
    if (counts.length > 1) return this.fail(path, "set at most one of atLeast, atMost, exactly");
    const countKey = counts[0];
    let count: number | undefined;
    if (countKey) {
      count = this.integer(fields[countKey], [...path, countKey], countKey === "atLeast" ? 1 : 0);
      if (count === undefined) return undefined;
    }
    const withinDays = this.days(fields.withinDays, [...path, "withinDays"], false);
    const where = this.propertyList(fields.where, [...path, "where"]);
    if (withinDays === null || where === undefined) return undefined;
    return {
      event: {
        ...(name !== undefined && { name }),
        ...(countKey && { [countKey]: count }),
        ...(withinDays !== undefined && { withinDays }),
        ...(where.length > 0 && { where }),
      },
    };
  }

  propertyList(raw: unknown, path: string[]): PropertyCondition[] | undefined {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) return this.fail(path, "must be a list of property conditions");
    if (raw.length > 20) return this.fail(path, "at most 20 property conditions");
    const list = raw.map((item, index) => {
      const at = [...path, String(index)];
      const fields = this.object(item, at);
      return fields && this.property(fields, at);
    });
    return list.every((item) => item !== undefined) ? (list as PropertyCondition[]) : undefined;
  }

  private property(fields: Raw, path: string[]): PropertyCondition | undefined {
    const key = this.text(fields.key, [...path, "key"], 200);
    const type = fields.type;
    if (typeof type !== "string" || !(propertyTypes as readonly string[]).includes(type)) {
      return this.fail(
        [...path, "type"],
        `unknown property type ${JSON.stringify(type ?? null)}; use one of ${propertyTypes.join(", ")}`,
      );
    }
    const comparison = this.comparison(fields, type as PropertyType, path);
    return key !== undefined && comparison
      ? { key, type: type as PropertyType, ...comparison }
      : undefined;
  }

  private comparison(fields: Raw, type: PropertyType, path: string[]): Comparison | undefined {
    const op = fields.op;
    if (typeof op !== "string" || !(comparisonOperators as readonly string[]).includes(op)) {
      return this.fail(
        [...path, "op"],
        `unknown operator; use one of ${operatorsByType[type].join(", ")}`,
      );
    }
    const operator = op as ComparisonOperator;
    if (!operatorsByType[type].includes(operator)) {
      return this.fail(
        [...path, "op"],
        `${operator} does not apply to ${type} values; use one of ${operatorsByType[type].join(", ")}`,
      );
    }
    if (valueOperators.includes(operator)) {
      const value = this.scalar(fields.value, type, [...path, "value"]);
      return value === undefined ? undefined : { op: operator, value };
    }
    if (operator === "BETWEEN") {
      const min = this.scalar(fields.min, type, [...path, "min"]);
      const max = this.scalar(fields.max, type, [...path, "max"]);
      if (min === undefined || max === undefined) return undefined;
      if (min > max) return this.fail([...path, "max"], "must not be below min");
      return { op: operator, min, max };
    }
    if (operator === "IN") {
      const values = fields.values;
      if (!Array.isArray(values) || values.length === 0 || values.length > filterLimits.listItems) {
        return this.fail([...path, "values"], `name 1 to ${filterLimits.listItems} values`);
      }
      const parsed = values.map((value, index) =>
        this.scalar(value, type, [...path, "values", String(index)]),
      );
      return parsed.every((value) => value !== undefined)
        ? { op: operator, values: parsed as ScalarValue[] }
        : undefined;
    }
    if (dayOperators.includes(operator)) {
      const days = this.days(fields.days, [...path, "days"], true);
      if (days === null || days === undefined) return undefined;
      if (operator === "ANNIVERSARY_WITHIN_DAYS" && days > 366) {
        return this.fail([...path, "days"], "must be at most 366");
      }
      return { op: operator, days };
    }
    return { op: operator };
  }

  private scalar(raw: unknown, type: PropertyType, path: string[]): ScalarValue | undefined {
    if (raw === undefined) return this.fail(path, "is required by this operator");
    switch (type) {
      case "STRING":
        return this.text(raw, path, 1000, 0);
      case "NUMBER": {
        const number =
          typeof raw === "string" && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(raw)
            ? Number(raw)
            : raw;
        if (typeof number !== "number" || !Number.isFinite(number))
          return this.fail(path, "is not a number");
        return number;
      }
      case "BOOLEAN":
        if (raw === true || raw === "true") return true;
        if (raw === false || raw === "false") return false;
        return this.fail(path, "is not true or false");
      case "DATE": {
        const text = raw instanceof Date ? raw.toISOString() : raw;
        const date = typeof text === "string" ? parseIsoDate(text) : undefined;
        if (!date)
          return this.fail(
            path,
            "is not an ISO 8601 date, e.g. 2026-05-01 or 2026-05-01T12:00:00Z",
          );
        return date.toISOString();
      }
    }
  }

  private text(raw: unknown, path: string[], max: number, min = 1): string | undefined {
    if (typeof raw !== "string") return this.fail(path, "must be a string");
    if (raw.length < min) return this.fail(path, "must not be empty");
    if (raw.length > max) return this.fail(path, `must be at most ${max} characters`);
    return raw;
  }

  private boolean(raw: unknown, path: string[], fallback: boolean): boolean | undefined {
    if (raw === undefined) return fallback;
    return typeof raw === "boolean" ? raw : this.fail(path, "must be true or false");
  }

  private integer(raw: unknown, path: string[], min: number): number | undefined {
    if (raw === undefined) return undefined;
    if (typeof raw !== "number" || !Number.isInteger(raw))
      return this.fail(path, "must be a whole number");
    if (raw < min) return this.fail(path, `must be at least ${min}`);
    return raw;
  }

  /** A day window: undefined when absent (and allowed), null when invalid. */
  private days(raw: unknown, path: string[], required: boolean): number | undefined | null {
    if (raw === undefined) {
      if (!required) return undefined;
      this.fail(path, "is required by this operator");
      return null;
    }
    if (typeof raw !== "number" || !Number.isInteger(raw)) {
      this.fail(path, "must be a whole number of days");
      return null;
    }
    if (raw < 1) {
      this.fail(path, "a window of zero days matches nothing; use at least 1 day");
      return null;
    }
    if (raw > filterLimits.days) {
      this.fail(path, `must be at most ${filterLimits.days} days`);
      return null;
    }
    return raw;
  }
}
