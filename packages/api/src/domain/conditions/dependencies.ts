import {
  type Comparison,
  dayOperators,
  type EventWindow,
  type PropertyCondition,
  type SegmentFilter,
} from "./filter.ts";
import { windowMinutes } from "./window.ts";

/** What a filter's outcome for a contact can change with; referenced segments are included. */
export interface FilterDependencies {
  /** Event names whose arrival can change membership. */
  eventNames: Set<string>;
  /** Any tracked event can (a condition on "any event"). */
  anyEvent: boolean;
  /** Contact fields, custom properties, tags or consent. */
  contactData: boolean;
  /** The contact's last-seen time, which every processed event moves. */
  lastSeen: boolean;
  score: boolean;
  /**
   * The contact's orders (orders and purchased conditions): whatever writes an order, from an
   * event or from `upsertOrders`, refunds and cancellations included, can change membership.
   */
  orders: boolean;
  /** Product categories (a purchased condition with `category`): a catalog change can too. */
  catalog: boolean;
  /** Membership can change by time passing alone, so a scheduled refresh re-checks it. */
  timeRelative: boolean;
  /**
   * The shortest of those time windows, in minutes (a day operator counts its days); undefined
   * when nothing is time-relative. Under a day, the frequent sweep re-checks the segment.
   */
  shortestWindowMinutes: number | undefined;
}

const dayMinutes = 1440;
/** The window in minutes of a comparison that counts from now, else undefined. */
const comparisonWindow = (comparison: Comparison) =>
  dayOperators.includes(comparison.op) ? (comparison.days ?? 1) * dayMinutes : undefined;

/**
 * Works out what a filter depends on, following `inSegment` into `segments`.
 *
 * @example filterDependencies({ event: { name: "Order Completed", withinHours: 2 } }, new Map())
 *   // eventNames {"Order Completed"}, timeRelative true, shortestWindowMinutes 120
 * @example filterDependencies({ orders: { metric: "COUNT", op: "AT_LEAST", value: 2 } }, new Map())
 *   // orders true, eventNames empty
 */
export function filterDependencies(
  filter: SegmentFilter,
  segments: ReadonlyMap<string, SegmentFilter>,
): FilterDependencies {
  const deps: FilterDependencies = {
    eventNames: new Set(),
    anyEvent: false,
    contactData: false,
    lastSeen: false,
    score: false,
    orders: false,
    catalog: false,
    timeRelative: false,
    shortestWindowMinutes: undefined,
  };
  const relative = (minutes: number | undefined) => {
    if (minutes === undefined) return;
    deps.timeRelative = true;
    deps.shortestWindowMinutes = Math.min(deps.shortestWindowMinutes ?? minutes, minutes);
  };
  const comparison = (c: Comparison) => relative(comparisonWindow(c));
  const where = (conditions: PropertyCondition[] | undefined) => conditions?.forEach(comparison);
  const window = (w: EventWindow) => relative(windowMinutes(w));
  const visiting = new Set<string>();
  const visit = (node: SegmentFilter): void => {
    if ("and" in node) {
      node.and.forEach(visit);
    } else if ("or" in node) {
      node.or.forEach(visit);
    } else if ("not" in node) {
      visit(node.not);
    } else if ("field" in node) {
      deps.contactData = true;
      if (node.field.name === "LAST_SEEN_AT") deps.lastSeen = true;
      comparison(node.field);
    } else if ("property" in node) {
      deps.contactData = true;
      comparison(node.property);
    } else if ("tag" in node || "consent" in node) {
      deps.contactData = true;
    } else if ("score" in node) {
      deps.score = true;
    } else if ("event" in node) {
      if (node.event.name === undefined) deps.anyEvent = true;
      else deps.eventNames.add(node.event.name);
      window(node.event);
      where(node.event.where);
    } else if ("eventTime" in node) {
      deps.eventNames.add(node.eventTime.name);
      comparison(node.eventTime);
      where(node.eventTime.where);
    } else if ("orders" in node) {
      deps.orders = true;
      window(node.orders);
      comparison(node.orders);
    } else if ("purchased" in node) {
      deps.orders = true;
      if (node.purchased.category !== undefined) deps.catalog = true;
      window(node.purchased);
    } else if ("inSegment" in node) {
      const id = node.inSegment.segmentId;
      const referenced = segments.get(id);
      if (referenced && !visiting.has(id)) {
        visiting.add(id);
        visit(referenced);
        visiting.delete(id);
      }
    }
  };
  visit(filter);
  return deps;
}

/** The segment ids a filter names directly. */
export function referencedSegments(filter: SegmentFilter): Set<string> {
  const ids = new Set<string>();
  const visit = (node: SegmentFilter): void => {
    if ("and" in node) node.and.forEach(visit);
    else if ("or" in node) node.or.forEach(visit);
    else if ("not" in node) visit(node.not);
    else if ("inSegment" in node) ids.add(node.inSegment.segmentId);
  };
  visit(filter);
  return ids;
}
