import { orderCompleted, segmentEventNames } from "../events/event-names.ts";
import {
  comparisonPredicate,
  constantSatisfies,
  type Polarity,
  propertyPredicate,
  SqlParams,
} from "./compile-comparison.ts";
import {
  type Comparison,
  type EventCondition,
  type EventWindow,
  orderMetrics,
  type PropertyCondition,
  type PropertyType,
  type PurchasedCondition,
  type SegmentFilter,
  segmentContactFields,
} from "./filter.ts";
import { windowStart } from "./window.ts";

export interface CompileOptions {
  workspaceId: string;
  /** The instant relative windows count back from. */
  now: Date;
  /** Evaluate only these contacts (the incremental path); every contact when left out. */
  contactIds?: readonly string[];
  /** The workspace's segment filters by id, inlined where a filter says `inSegment`. */
  segments: ReadonlyMap<string, SegmentFilter>;
}

export interface SqlQuery {
  text: string;
  values: unknown[];
}

/** A leaf condition: everything that is not `and`, `or` or `not`. */
export type LeafFilter = Exclude<
  SegmentFilter,
  { and: unknown } | { or: unknown } | { not: unknown }
>;

const orderValueSql = `coalesce(
  CASE WHEN jsonb_typeof(e.properties -> 'total') = 'number' THEN (e.properties -> 'total')::numeric END,
  CASE WHEN jsonb_typeof(e.properties -> 'revenue') = 'number' THEN (e.properties -> 'revenue')::numeric END,
  0)`;
export const orderAggregates = {
  COUNT: { sql: "count(*)", zero: 0 },
  TOTAL_SPENT: { sql: `sum(${orderValueSql})`, zero: 0 },
  AVERAGE_ORDER_VALUE: { sql: `avg(${orderValueSql})`, zero: null },
  FIRST_ORDER_AT: { sql: "min(e.occurred_at)", zero: null },
  LAST_ORDER_AT: { sql: "max(e.occurred_at)", zero: null },
} as const;

/**
 * Compiles a segment filter to one parameterised query returning the member contacts' ids:
 * `SELECT c.id FROM contacts c WHERE c.workspace_id = $1 AND …`. With `contactIds` it is the
 * per-contact variant (`AND c.id = ANY($n)`, and every event subquery narrowed the same way).
 *
 * @example const { text, values } = compileSegmentQuery(filter, { workspaceId, now: new Date(), segments })
 */
export function compileSegmentQuery(filter: SegmentFilter, options: CompileOptions): SqlQuery {
  const compiler = new SegmentCompiler(options);
  const predicate = compiler.predicate(filter);
  return {
    text: `SELECT c.id FROM contacts c WHERE ${compiler.scope} AND ${predicate}`,
    values: compiler.params.values,
  };
}

/**
 * Builds the SQL of one query. `scope` confines contacts to the workspace (and to
 * `contactIds`); `predicate` and `leaf…` helpers add their parameters to `params`.
 */
export class SegmentCompiler {
  readonly params = new SqlParams();
  readonly scope: string;
  private readonly workspace: string;
  private readonly contacts: string | undefined;
  private readonly inlining: string[] = [];
  /** How many NOTs enclose the node being compiled; under any, leaves must be two-valued. */
  private negations = 0;

  constructor(private readonly options: CompileOptions) {
    this.workspace = this.params.add(options.workspaceId, "uuid");
    this.contacts = options.contactIds ? this.params.add(options.contactIds, "uuid[]") : undefined;
    this.scope = `c.workspace_id = ${this.workspace}${this.contacts ? ` AND c.id = ANY(${this.contacts})` : ""}`;
  }

  /** A two-valued SQL predicate over `contacts c`. */
  predicate(filter: SegmentFilter): string {
    if ("and" in filter) {
      return filter.and.length === 0
        ? "TRUE"
        : `(${filter.and.map((f) => this.predicate(f)).join(" AND ")})`;
    }
    if ("or" in filter) {
      return filter.or.length === 0
        ? "FALSE"
        : `(${filter.or.map((f) => this.predicate(f)).join(" OR ")})`;
    }
    if ("not" in filter) return `(NOT ${this.negated(() => this.predicate(filter.not))})`;
    return this.leaf(filter);
  }

  leaf(filter: LeafFilter): string {
    const { params, options } = this;
    if ("field" in filter) {
      const field = segmentContactFields[filter.field.name];
      return comparisonPredicate(
        fieldSql(filter.field.name),
        field.type,
        filter.field,
        params,
        options.now,
        this.polarity,
      );
    }
    if ("property" in filter) {
      return propertyPredicate("c.properties", filter.property, params, options.now, this.polarity);
    }
    if ("tag" in filter) {
      const exists = `EXISTS (SELECT 1 FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id
        WHERE ct.contact_id = c.id AND t.workspace_id = ${this.workspace} AND t.name = ${params.add(filter.tag.name, "text")})`;
      return filter.tag.has === false ? `(NOT ${exists})` : exists;
    }
    if ("score" in filter) {
      const bounds = [
        filter.score.min !== undefined ? `c.score >= ${params.add(filter.score.min, "int")}` : "",
        filter.score.max !== undefined ? `c.score <= ${params.add(filter.score.max, "int")}` : "",
      ].filter(Boolean);
      return `(${bounds.join(" AND ") || "TRUE"})`;
    }
    if ("consent" in filter) {
      return `(c.consent_status::text = ANY(${params.add(filter.consent.statuses, "text[]")}))`;
    }
    if ("event" in filter) return this.eventCount(filter.event);
    if ("eventTime" in filter) {
      const { eventTime } = filter;
      const rows = this.eventRows(eventTime.name, undefined, eventTime.where);
      const aggregate = eventTime.which === "FIRST" ? "min(e.occurred_at)" : "max(e.occurred_at)";
      return this.aggregate(rows, aggregate, "DATE", eventTime, null);
    }
    if ("orders" in filter) {
      const { orders } = filter;
      const rows = this.eventRows(orderCompleted, orders, undefined);
      const aggregate = orderAggregates[orders.metric];
      return this.aggregate(
        rows,
        aggregate.sql,
        orderMetrics[orders.metric],
        orders,
        aggregate.zero,
      );
    }
    if ("purchased" in filter) {
      return this.exists(this.purchasedRows(filter.purchased));
    }
    return this.inSegment(filter.inSegment.segmentId, filter.inSegment.isMember !== false);
  }

  /**
   * The WHERE clause (over `events e`) of the events a leaf counts: named `name` (any tracked
   * event when undefined), since the window's start before `now` (ever when `window` sets
   * none), and meeting `where`.
   */
  eventRows(
    name: string | undefined,
    window: EventWindow | undefined,
    where: PropertyCondition[] | undefined,
  ): string {
    const { params, options } = this;
    const conditions = [`e.workspace_id = ${this.workspace}`, "e.contact_id IS NOT NULL"];
    conditions.push(
      name === undefined
        ? `e.name <> ALL(${params.add(segmentEventNames, "text[]")})`
        : `e.name = ${params.add(name, "text")}`,
    );
    if (this.contacts) conditions.push(`e.contact_id = ANY(${this.contacts})`);
    const since = window && windowStart(options.now, window);
    if (since !== undefined) {
      conditions.push(`e.occurred_at >= ${params.add(since, "timestamptz")}`);
    }
    for (const condition of where ?? []) {
      // ANDed into the subquery's WHERE, whatever encloses it: NULL may stand for false.
      conditions.push(
        propertyPredicate("e.properties", condition, params, options.now, { twoValued: false }),
      );
    }
    return conditions.join(" AND ");
  }

  purchasedRows(purchased: PurchasedCondition): string {
    const product = {
      ...(purchased.productId !== undefined && { product_id: purchased.productId }),
      ...(purchased.category !== undefined && { category: purchased.category }),
    };
    const rows = this.eventRows(orderCompleted, purchased, undefined);
    return `${rows} AND e.properties -> 'products' @> ${this.params.add(JSON.stringify([product]), "jsonb")}`;
  }

  /**
   * Event conditions become correlated EXISTS / NOT EXISTS: at the top of the filter the
   * planner turns them into (anti-)semi-joins, and under OR or NOT they stay cheap per-contact
   * index probes. (`NOT IN` would fall back to re-running its subquery per row once its hash
   * outgrows work_mem.) Counts above one go through a grouped subquery, joined on the contact.
   */
  private eventCount(event: EventCondition): string {
    const rows = this.eventRows(event.name, event, event.where);
    const grouped = (having: string, count: number) =>
      this.exists(rows, `count(*) ${having} ${this.params.add(count, "int")}`);
    if (event.atMost !== undefined) {
      return `(NOT ${event.atMost === 0 ? this.exists(rows) : grouped(">", event.atMost)})`;
    }
    if (event.exactly !== undefined) {
      return event.exactly === 0 ? `(NOT ${this.exists(rows)})` : grouped("=", event.exactly);
    }
    const atLeast = event.atLeast ?? 1;
    return atLeast === 1 ? this.exists(rows) : grouped(">=", atLeast);
  }

  /**
   * Compares a per-contact aggregate of events. Contacts without such events have no group,
   * so whether they match is decided here from the aggregate's value for no rows (`zero`):
   * then the query looks for the contacts that fail instead.
   */
  private aggregate(
    rows: string,
    aggregate: string,
    type: PropertyType,
    comparison: Comparison,
    zero: number | null,
  ): string {
    const test = comparisonPredicate(aggregate, type, comparison, this.params, this.options.now);
    return constantSatisfies(comparison, zero)
      ? `(NOT ${this.exists(rows, `NOT ${test}`)})`
      : this.exists(rows, test);
  }

  /** Whether the contact has events matching `rows` (whose group meets `having`, if given). */
  private exists(rows: string, having?: string): string {
    if (having === undefined) {
      return `EXISTS (SELECT 1 FROM events e WHERE e.contact_id = c.id AND ${rows})`;
    }
    return `EXISTS (SELECT 1 FROM (SELECT e.contact_id FROM events e WHERE ${rows}
      GROUP BY e.contact_id HAVING ${having}) g WHERE g.contact_id = c.id)`;
  }

  private inSegment(segmentId: string, isMember: boolean): string {
    const filter = this.options.segments.get(segmentId);
    if (!filter || this.inlining.includes(segmentId)) return isMember ? "FALSE" : "TRUE";
    this.inlining.push(segmentId);
    const inner = isMember
      ? this.predicate(filter)
      : `(NOT ${this.negated(() => this.predicate(filter))})`;
    this.inlining.pop();
    return inner;
  }

  private get polarity(): Polarity {
    return { twoValued: this.negations > 0 };
  }

  private negated(compile: () => string): string {
    this.negations += 1;
    try {
      return compile();
    } finally {
      this.negations -= 1;
    }
  }
}

/** SQL for a contact column, dates as timestamptz (birthdays at UTC midnight). */
export function fieldSql(name: keyof typeof segmentContactFields): string {
  const column = `c.${segmentContactFields[name].column}`;
  return name === "BIRTHDAY" ? `(${column}::timestamp AT TIME ZONE 'UTC')` : column;
}
