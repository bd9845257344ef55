import type { Comparison, PropertyCondition, PropertyType, ScalarValue } from "./filter.ts";
import { isoDatePattern } from "./iso-date.ts";

const dayMs = 86_400_000;
const sqlTypes: Record<PropertyType, string> = {
  STRING: "text",
  NUMBER: "numeric",
  BOOLEAN: "boolean",
  DATE: "timestamptz",
};
// A constant of ours, not user input (and free of quotes): only ISO-looking strings reach the
// date parser.
const isoDateSql = `'${isoDatePattern.source}'`;

/** Collects a query's parameters; `add` returns the typed placeholder, e.g. `$3::text`. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

/** The instant `days` days before `now`. */
export function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * dayMs);
}

/**
 * The month-days (`MM-DD`) from today to `days` days ahead in UTC. In a year without 29
 * February, a 28 February in the window also stands for 29 February birthdays.
 */
export function anniversaryDays(now: Date, days: number): string[] {
  const result: string[] = [];
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let offset = 0; offset <= days; offset++) {
    const day = new Date(start + offset * dayMs);
    const monthDay = day.toISOString().slice(5, 10);
    result.push(monthDay);
    const year = day.getUTCFullYear();
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    if (monthDay === "02-28" && !leap) result.push("02-29");
  }
  return [...new Set(result)];
}

/**
 * SQL for a JSON property of `base` (`c.properties`, `e.properties`) read as `type`: NULL when
 * missing or of another JSON type, so it then counts as missing.
 */
export function propertyValueSql(base: string, keyParam: string, type: PropertyType): string {
  const json = `(${base} -> ${keyParam})`;
  switch (type) {
    case "STRING":
      return `(CASE WHEN jsonb_typeof(${json}) = 'string' THEN ${base} ->> ${keyParam} END)`;
    case "NUMBER":
      return `(CASE WHEN jsonb_typeof(${json}) = 'number' THEN ${json}::numeric END)`;
    case "BOOLEAN":
      return `(CASE WHEN jsonb_typeof(${json}) = 'boolean' THEN ${json}::boolean END)`;
    case "DATE":
      return `(CASE WHEN jsonb_typeof(${json}) = 'string' AND (${base} ->> ${keyParam}) ~ ${isoDateSql} THEN cartwheel_try_timestamptz(${base} ->> ${keyParam}) END)`;
  }
}

/**
 * How a predicate may treat missing values. `twoValued` predicates are never NULL, as a
 * predicate under NOT must be. Elsewhere NULL may stand for false (a filter without NOT above
 * a condition is monotone, so NULL and false exclude the same contacts), which keeps
 * `coalesce(…)` off the plain comparisons the planner estimates well.
 */
export type Polarity = { twoValued: boolean };
const twoValued: Polarity = { twoValued: true };

/** A SQL predicate for a property condition on `base`. */
export function propertyPredicate(
  base: string,
  condition: PropertyCondition,
  params: SqlParams,
  now: Date,
  polarity: Polarity = twoValued,
): string {
  const key = params.add(condition.key, "text");
  const json = `(${base} -> ${key})`;
  const known = (sql: string) => (polarity.twoValued ? `coalesce(${sql}, false)` : `(${sql})`);
  // Equality on the JSON value itself is exact per type and avoids the CASE; same meaning.
  if (condition.type !== "DATE" && (condition.op === "EQUALS" || condition.op === "NOT_EQUALS")) {
    const value = params.add(JSON.stringify(condition.value), "jsonb");
    return condition.op === "EQUALS"
      ? known(`${json} = ${value}`)
      : `NOT coalesce(${json} = ${value}, false)`;
  }
  if (condition.type !== "DATE" && condition.op === "IN") {
    const list = params.add(JSON.stringify(condition.values), "jsonb");
    return known(`${json} IN (SELECT jsonb_array_elements(${list}))`);
  }
  return comparisonPredicate(
    propertyValueSql(base, key, condition.type),
    condition.type,
    condition,
    params,
    now,
    polarity,
  );
}

/**
 * A SQL predicate comparing the SQL expression `value` (NULL when missing) of `type` as
 * `comparison` says; see Polarity for when it may be NULL.
 */
export function comparisonPredicate(
  value: string,
  type: PropertyType,
  comparison: Comparison,
  params: SqlParams,
  now: Date,
  polarity: Polarity = twoValued,
): string {
  const cast = sqlTypes[type];
  const param = (scalar: ScalarValue | undefined) => params.add(scalar, cast);
  const known = (sql: string) => (polarity.twoValued ? `coalesce(${sql}, false)` : `(${sql})`);
  switch (comparison.op) {
    case "EQUALS":
      return known(`${value} = ${param(comparison.value)}`);
    case "NOT_EQUALS":
      return `NOT coalesce(${value} = ${param(comparison.value)}, false)`;
    case "CONTAINS":
      return known(`strpos(${value}, ${param(comparison.value)}) > 0`);
    case "STARTS_WITH":
      return known(`starts_with(${value}, ${param(comparison.value)})`);
    case "GREATER_THAN":
      return known(`${value} > ${param(comparison.value)}`);
    case "LESS_THAN":
      return known(`${value} < ${param(comparison.value)}`);
    case "AT_LEAST":
      return known(`${value} >= ${param(comparison.value)}`);
    case "AT_MOST":
      return known(`${value} <= ${param(comparison.value)}`);
    case "BETWEEN":
      return known(`${value} BETWEEN ${param(comparison.min)} AND ${param(comparison.max)}`);
    case "IN":
      return known(`${value} = ANY(${params.add(comparison.values, `${cast}[]`)})`);
    case "EXISTS":
      return `(${value} IS NOT NULL)`;
    case "NOT_EXISTS":
      return `(${value} IS NULL)`;
    case "IN_LAST_DAYS":
      return known(
        `${value} BETWEEN ${params.add(daysBefore(now, comparison.days ?? 0), "timestamptz")} AND ${params.add(now, "timestamptz")}`,
      );
    case "MORE_THAN_DAYS_AGO":
      return known(
        `${value} < ${params.add(daysBefore(now, comparison.days ?? 0), "timestamptz")}`,
      );
    case "ANNIVERSARY_WITHIN_DAYS":
      return known(
        `to_char(${value} AT TIME ZONE 'UTC', 'MM-DD') = ANY(${params.add(anniversaryDays(now, comparison.days ?? 0), "text[]")})`,
      );
  }
}

/**
 * Whether a constant satisfies a comparison: used for aggregates, where contacts with no
 * matching events have a known value (0 orders, 0 spent, no last order: null).
 */
export function constantSatisfies(comparison: Comparison, value: number | null): boolean {
  if (comparison.op === "NOT_EXISTS") return value === null;
  if (comparison.op === "EXISTS") return value !== null;
  if (comparison.op === "NOT_EQUALS") return value === null || value !== comparison.value;
  if (value === null) return false;
  switch (comparison.op) {
    case "EQUALS":
      return value === comparison.value;
    case "GREATER_THAN":
      return value > Number(comparison.value);
    case "LESS_THAN":
      return value < Number(comparison.value);
    case "AT_LEAST":
      return value >= Number(comparison.value);
    case "AT_MOST":
      return value <= Number(comparison.value);
    case "BETWEEN":
      return value >= Number(comparison.min) && value <= Number(comparison.max);
    case "IN":
      return (comparison.values ?? []).includes(value);
    default:
      return false;
  }
}
