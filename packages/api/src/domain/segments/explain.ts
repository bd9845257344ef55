import { db, type Executor } from "../../db.ts";
import {
  fieldSql,
  type LeafFilter,
  type LeafRows,
  SegmentCompiler,
} from "../conditions/compile.ts";
import type { SegmentFilter } from "../conditions/filter.ts";
import { parseSegmentFilter } from "../conditions/parse/parse-filter.ts";
import { NotFoundError } from "../shared/errors.ts";
import { formatMajorUnits } from "../shared/money.ts";
import { isUuid } from "../shared/validation.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { checkReferences } from "./references.ts";
import { findSegment, loadSegmentDefinitions } from "./segments.ts";

export interface ExplainedEvent {
  id: string;
  name: string;
  occurredAt: Date;
  properties: unknown;
}

/** An order an orders or purchased condition counted; amounts in major units, net of refunds. */
export interface ExplainedOrder {
  /** The shop's order id. */
  orderId: string;
  orderedAt: Date;
  status: string;
  currency: string;
  /** What the shopper paid after refunds (`total - refunded`), e.g. "49.90". */
  netTotal: string;
}

/** One node of a filter with its outcome for one contact. */
export interface ExplainedCondition {
  /** `and`, `or`, `not` or the condition kind (`property`, `event`, …). */
  kind: string;
  /** The node as written (for `and`/`or`/`not`, without its children). */
  condition: unknown;
  matches: boolean;
  /** What was measured for the contact: the property's value, the count, the sum… */
  actual: unknown;
  /** The contact's latest events the condition counted (up to 10). */
  events: ExplainedEvent[];
  /** The contact's latest orders an orders or purchased condition counted (up to 10). */
  orders: ExplainedOrder[];
  children: ExplainedCondition[];
}

export interface SegmentExplanation {
  segmentId: string;
  contactId: string;
  /** Membership as stored. */
  isMember: boolean;
  /** What the filter says now; differs from `isMember` only until the next re-check. */
  matches: boolean;
  tree: ExplainedCondition;
}

const listLimit = 10;

async function assertContactInWorkspace(workspaceId: string, contactId: string) {
  const contact = isUuid(contactId)
    ? await db().contact.findFirst({ where: { id: contactId, workspaceId }, select: { id: true } })
    : null;
  if (!contact) throw new NotFoundError("Contact", contactId);
}

/**
 * Explains why a contact is in a segment or not: the filter tree with each condition's
 * outcome and measured value, and the events that counted. Segments named by `inSegment` are
 * expanded as children. All leaves are evaluated in one query.
 *
 * @example const { tree } = await explainSegment(workspaceId, segmentId, contactId)
 */
export async function explainSegment(
  workspaceId: string,
  segmentId: string,
  contactId: string,
  options: { now?: Date } = {},
): Promise<SegmentExplanation> {
  const segment = await findSegment(workspaceId, segmentId);
  await assertContactInWorkspace(workspaceId, contactId);
  const tree = await explainFilter(db(), {
    workspaceId,
    filter: segment.filter as SegmentFilter,
    contactId,
    now: options.now ?? new Date(),
  });
  const membership = await db().segmentMembership.findUnique({
    where: { workspaceId_segmentId_contactId: { workspaceId, segmentId, contactId } },
  });
  return {
    segmentId,
    contactId,
    isMember: membership?.isMember ?? false,
    matches: tree.matches,
    tree,
  };
}

/**
 * Explains a filter that is not saved (the one a segment builder is editing) for one contact:
 * whether it matches now, condition by condition, as `explainSegment` does for a saved segment.
 * The filter is validated as `previewSegment` validates it; nothing is written.
 *
 * @example const { matches, tree } = await explainUnsavedFilter(workspaceId, { tag: { name: "vip" } }, contactId)
 */
export async function explainUnsavedFilter(
  workspaceId: string,
  rawFilter: unknown,
  contactId: string,
  options: { now?: Date } = {},
): Promise<{ contactId: string; matches: boolean; tree: ExplainedCondition }> {
  const filter = parseSegmentFilter(rawFilter);
  const { filters } = await loadSegmentDefinitions(db(), workspaceId);
  checkReferences(filter, filters);
  await assertContactInWorkspace(workspaceId, contactId);
  const tree = await explainFilter(db(), {
    workspaceId,
    filter,
    contactId,
    now: options.now ?? new Date(),
  });
  return { contactId, matches: tree.matches, tree };
}

/**
 * Explains a filter for one contact on `executor` (a transaction sees its own writes): each
 * condition's outcome and measured value, and the events and orders that counted. All leaves
 * are evaluated in one query.
 */
export async function explainFilter(
  executor: Executor,
  input: { workspaceId: string; filter: SegmentFilter; contactId: string; now: Date },
): Promise<ExplainedCondition> {
  const { filters } = await loadSegmentDefinitions(executor, input.workspaceId);
  const compileOptions = {
    workspaceId: input.workspaceId,
    now: input.now,
    contactIds: [input.contactId],
    segments: filters,
    currency: await loadWorkspaceCurrency(executor, input.workspaceId),
  };
  const leaves: LeafFilter[] = [];
  const shape = outline(input.filter, filters, leaves, []);
  const compiler = new SegmentCompiler(compileOptions);
  const columns = leaves.flatMap((leaf, index) => [
    `${compiler.leaf(leaf)} AS m${index}`,
    `${observed(compiler, leaf)} AS v${index}`,
  ]);
  const rows = await executor.$queryRawUnsafe<Record<string, unknown>[]>(
    `SELECT ${columns.join(", ") || "1"} FROM contacts c WHERE ${compiler.scope}`,
    ...compiler.params.values,
  );
  const row = rows[0] ?? {};
  const counted: { events: ExplainedEvent[]; orders: ExplainedOrder[] }[] = [];
  for (const leaf of leaves) {
    counted.push(await countedRows(executor, new SegmentCompiler(compileOptions), leaf));
  }
  return resolve(shape, (index) => ({
    matches: row[`m${index}`] === true,
    actual: row[`v${index}`] ?? null,
    events: counted[index]?.events ?? [],
    orders: counted[index]?.orders ?? [],
  }));
}

/** The tree with leaves numbered in `leaves`; `inSegment` expands into the segment's filter. */
type Outline = OutlineGroup | OutlineLeaf;
interface OutlineGroup {
  kind: string;
  condition: unknown;
  children: Outline[];
  /** For an expanded `inSegment`: whether it asks for membership (true) or its absence. */
  isMember?: boolean;
}
interface OutlineLeaf {
  kind: string;
  condition: unknown;
  leaf: number;
}

function outline(
  node: SegmentFilter,
  segments: ReadonlyMap<string, SegmentFilter>,
  leaves: LeafFilter[],
  expanding: string[],
): Outline {
  if ("and" in node)
    return {
      kind: "and",
      condition: {},
      children: node.and.map((n) => outline(n, segments, leaves, expanding)),
    };
  if ("or" in node)
    return {
      kind: "or",
      condition: {},
      children: node.or.map((n) => outline(n, segments, leaves, expanding)),
    };
  if ("not" in node)
    return {
      kind: "not",
      condition: {},
      children: [outline(node.not, segments, leaves, expanding)],
    };
  const [kind = "", condition] = Object.entries(node)[0] ?? [];
  if ("inSegment" in node) {
    const inner = segments.get(node.inSegment.segmentId);
    if (inner && !expanding.includes(node.inSegment.segmentId)) {
      const child = outline(inner, segments, leaves, [...expanding, node.inSegment.segmentId]);
      return { kind, condition, children: [child], isMember: node.inSegment.isMember !== false };
    }
  }
  leaves.push(node);
  return { kind, condition, leaf: leaves.length - 1 };
}

function resolve(
  shape: Outline,
  leafResult: (
    index: number,
  ) => Pick<ExplainedCondition, "matches" | "actual" | "events" | "orders">,
): ExplainedCondition {
  if ("leaf" in shape)
    return {
      kind: shape.kind,
      condition: shape.condition,
      children: [],
      ...leafResult(shape.leaf),
    };
  const children = shape.children.map((child) => resolve(child, leafResult));
  const outcomes = children.map((child) => child.matches);
  const matches =
    shape.kind === "and"
      ? outcomes.every(Boolean)
      : shape.kind === "or"
        ? outcomes.some(Boolean)
        : shape.kind === "not"
          ? !outcomes[0]
          : outcomes[0] === (shape.isMember ?? true);
  return {
    kind: shape.kind,
    condition: shape.condition,
    matches,
    actual: null,
    events: [],
    orders: [],
    children,
  };
}

/** SQL (jsonb) for what a leaf measures of `contacts c`, or NULL. */
function observed(compiler: SegmentCompiler, leaf: LeafFilter): string {
  const scalar = (sql: string) => `to_jsonb((${sql}))`;
  if ("field" in leaf) return scalar(fieldSql(leaf.field.name));
  if ("property" in leaf)
    return `(c.properties -> ${compiler.params.add(leaf.property.key, "text")})`;
  if ("score" in leaf) return scalar("c.score");
  if ("consent" in leaf) return scalar("c.consent_status::text");
  const rows = leafRowsOf(compiler, leaf);
  if (!rows) return "NULL::jsonb";
  const from = `FROM ${rows.source.from} WHERE ${rows.where}`;
  if ("eventTime" in leaf) {
    return scalar(
      `SELECT ${leaf.eventTime.which === "FIRST" ? "min" : "max"}(e.occurred_at) ${from}`,
    );
  }
  if ("orders" in leaf) {
    const aggregate = compiler.orderAggregate(leaf.orders.metric);
    const value = aggregate.zero === 0 ? `coalesce(${aggregate.sql}, 0)` : aggregate.sql;
    return scalar(`SELECT ${value} ${from}`);
  }
  return scalar(`SELECT count(*) ${from}`);
}

function leafRowsOf(compiler: SegmentCompiler, leaf: LeafFilter): LeafRows | undefined {
  const events = (where: string): LeafRows => ({
    source: { from: "events e", contact: "e.contact_id" },
    where,
  });
  if ("event" in leaf)
    return events(compiler.eventRows(leaf.event.name, leaf.event, leaf.event.where));
  if ("eventTime" in leaf)
    return events(compiler.eventRows(leaf.eventTime.name, undefined, leaf.eventTime.where));
  if ("orders" in leaf) return compiler.orderRows(leaf.orders);
  if ("purchased" in leaf) return compiler.purchasedRows(leaf.purchased);
  return undefined;
}

async function countedRows(
  executor: Executor,
  compiler: SegmentCompiler,
  leaf: LeafFilter,
): Promise<{ events: ExplainedEvent[]; orders: ExplainedOrder[] }> {
  const rows = leafRowsOf(compiler, leaf);
  if (!rows) return { events: [], orders: [] };
  if ("orders" in leaf || "purchased" in leaf) {
    const result = await executor.$queryRawUnsafe<
      { shop_order_id: string; ordered_at: Date; status: string; currency: string; net: string }[]
    >(
      `SELECT DISTINCT ON (o.ordered_at, o.id) o.shop_order_id, o.ordered_at, o.status::text,
              o.currency, (o.total - o.refunded_amount)::text AS net
         FROM ${rows.source.from} WHERE ${rows.where}
        ORDER BY o.ordered_at DESC, o.id DESC LIMIT ${listLimit}`,
      ...compiler.params.values,
    );
    const orders = result.map((order) => ({
      orderId: order.shop_order_id,
      orderedAt: order.ordered_at,
      status: order.status,
      currency: order.currency,
      netTotal: formatMajorUnits(BigInt(order.net), order.currency),
    }));
    return { events: [], orders };
  }
  const result = await executor.$queryRawUnsafe<
    { id: string; name: string; occurred_at: Date; properties: unknown }[]
  >(
    `SELECT e.id::text, e.name, e.occurred_at, e.properties FROM events e
      WHERE ${rows.where} ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${listLimit}`,
    ...compiler.params.values,
  );
  const events = result.map((event) => ({
    id: event.id,
    name: event.name,
    occurredAt: event.occurred_at,
    properties: event.properties,
  }));
  return { events, orders: [] };
}
