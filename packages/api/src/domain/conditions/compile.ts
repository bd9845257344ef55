import { normalizeCategory } from "../catalog/product-input.ts";
import { segmentEventNames } from "../events/event-names.ts";
import { currencyDigits } from "../shared/money.ts";
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
  type OrderMetric,
  type OrdersCondition,
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
  /**
   * The workspace's shop currency (`loadWorkspaceCurrency`): money metrics (TOTAL_SPENT,
   * AVERAGE_ORDER_VALUE) are in its major units and count only the orders in it.
   */
  currency: string;
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

/** Where a leaf's rows come from, and the column naming their contact. */
export interface RowSource {
  from: string;
  contact: string;
}
const eventSource: RowSource = { from: "events e", contact: "e.contact_id" };
const orderSource: RowSource = { from: "orders o", contact: "o.contact_id" };
const lineSource: RowSource = {
  from: "orders o JOIN order_lines l ON l.order_id = o.id",
  contact: "o.contact_id",
};
const productLineSource: RowSource = {
  from: `${lineSource.from}
    JOIN products p ON p.workspace_id = o.workspace_id AND p.shop_product_id = l.shop_product_id`,
  contact: "o.contact_id",
};

/** A leaf's rows: their source and the WHERE clause that picks them. */
export interface LeafRows {
  source: RowSource;
  where: string;
}

/** Net revenue of an order in minor units: refunds deducted. */
const netSql = "(o.total - o.refunded_amount)";
/**
 * Each order metric as an aggregate over `orders o` (money divided by `scale`, the minor units
 * per major unit of the workspace currency), with its value for no orders.
 */
export function orderAggregate(
  metric: OrderMetric,
  scale: string,
): { sql: string; zero: 0 | null } {
  switch (metric) {
    case "COUNT":
      return { sql: "count(*)", zero: 0 };
    case "TOTAL_SPENT":
      return { sql: `(sum(${netSql}) / ${scale})`, zero: 0 };
    case "AVERAGE_ORDER_VALUE":
      return { sql: `(avg(${netSql}) / ${scale})`, zero: null };
    case "FIRST_ORDER_AT":
      return { sql: "min(o.ordered_at)", zero: null };
    case "LAST_ORDER_AT":
      return { sql: "max(o.ordered_at)", zero: null };
  }
}
const moneyMetrics: readonly OrderMetric[] = ["TOTAL_SPENT", "AVERAGE_ORDER_VALUE"];

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
      const exists = `EXISTS (SELECT 1 FROM contact_tags ct
        JOIN tags t ON t.workspace_id = ct.workspace_id AND t.id = ct.tag_id
        WHERE ct.workspace_id = ${this.workspace} AND ct.contact_id = c.id AND t.name = ${params.add(filter.tag.name, "text")})`;
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
      return this.aggregate(
        { source: eventSource, where: rows },
        aggregate,
        "DATE",
        eventTime,
        null,
      );
    }
    if ("orders" in filter) {
      const { orders } = filter;
      const aggregate = this.orderAggregate(orders.metric);
      return this.aggregate(
        this.orderRows(orders),
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

  /**
   * The orders an orders condition counts (over `orders o`): the contact's orders placed in
   * the window (by `ordered_at`, so a backfilled old order counts where it belongs), orders
   * ever cancelled left out (refunded after the cancellation too), guest orders (no contact
   * yet) too; for money metrics only the orders in the workspace currency, as amounts in other
   * currencies cannot be added to it.
   */
  orderRows(orders: OrdersCondition): LeafRows {
    const conditions = this.orderConditions(orders);
    if (moneyMetrics.includes(orders.metric)) {
      conditions.push(`o.currency = ${this.params.add(this.options.currency, "text")}`);
    }
    return { source: orderSource, where: conditions.join(" AND ") };
  }

  /**
   * The order lines a purchased condition looks for (over `orders o JOIN order_lines l`, and
   * `products p` for a category): lines of the product `productId`, and/or of a product whose
   * catalog category is `category` or a path under it (`Women` matches `Women > Shirts`, as
   * the products filter does), in the contact's non-cancelled orders placed in the window.
   */
  purchasedRows(purchased: PurchasedCondition): LeafRows {
    const { params } = this;
    const conditions = this.orderConditions(purchased);
    if (purchased.productId !== undefined) {
      conditions.push(`l.shop_product_id = ${params.add(purchased.productId, "text")}`);
    }
    if (purchased.category === undefined) {
      return { source: lineSource, where: conditions.join(" AND ") };
    }
    const category = normalizeCategory(purchased.category);
    conditions.push(
      `(p.category = ${params.add(category, "text")} OR starts_with(p.category, ${params.add(`${category} > `, "text")}))`,
    );
    return { source: productLineSource, where: conditions.join(" AND ") };
  }

  private orderConditions(window: EventWindow): string[] {
    const conditions = [
      `o.workspace_id = ${this.workspace}`,
      "o.contact_id IS NOT NULL",
      // Cancelled, even if refunded since (which moves the status on): cancelled_at stays.
      "o.status <> 'CANCELLED' AND o.cancelled_at IS NULL",
    ];
    if (this.contacts) conditions.push(`o.contact_id = ANY(${this.contacts})`);
    const since = windowStart(this.options.now, window);
    if (since !== undefined) {
      conditions.push(`o.ordered_at >= ${this.params.add(since, "timestamptz")}`);
    }
    return conditions;
  }

  /** An order metric's aggregate, money in the workspace currency's major units. */
  orderAggregate(metric: OrderMetric): { sql: string; zero: 0 | null } {
    const scale = moneyMetrics.includes(metric)
      ? this.params.add(10 ** currencyDigits(this.options.currency), "numeric")
      : "1";
    return orderAggregate(metric, scale);
  }

  /**
   * Event conditions become correlated EXISTS / NOT EXISTS: at the top of the filter the
   * planner turns them into (anti-)semi-joins, and under OR or NOT they stay cheap per-contact
   * index probes. (`NOT IN` would fall back to re-running its subquery per row once its hash
   * outgrows work_mem.) Counts above one go through a grouped subquery, joined on the contact.
   */
  private eventCount(event: EventCondition): string {
    const rows = { source: eventSource, where: this.eventRows(event.name, event, event.where) };
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
    rows: LeafRows,
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

  /** Whether the contact has rows matching `rows` (whose group meets `having`, if given). */
  private exists({ source, where }: LeafRows, having?: string): string {
    if (having === undefined) {
      return `EXISTS (SELECT 1 FROM ${source.from} WHERE ${source.contact} = c.id AND ${where})`;
    }
    return `EXISTS (SELECT 1 FROM (SELECT ${source.contact} AS contact_id FROM ${source.from}
      WHERE ${where} GROUP BY ${source.contact} HAVING ${having}) g WHERE g.contact_id = c.id)`;
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
