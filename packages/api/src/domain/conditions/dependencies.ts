import { orderCompleted } from "../events/event-names.ts";
import {
  type Comparison,
  dayOperators,
  type PropertyCondition,
  type SegmentFilter,
} from "./filter.ts";

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
  /** Membership can change by time passing alone, so a scheduled refresh re-checks it. */
  timeRelative: boolean;
}

const isRelative = (comparison: Comparison) => dayOperators.includes(comparison.op);
const anyRelative = (where: PropertyCondition[] | undefined) => (where ?? []).some(isRelative);

/**
 * Works out what a filter depends on, following `inSegment` into `segments`.
 *
 * @example filterDependencies({ event: { name: "Order Completed", withinDays: 30 } }, new Map())
 *   // eventNames {"Order Completed"}, timeRelative true
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
    timeRelative: false,
  };
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
      if (isRelative(node.field)) deps.timeRelative = true;
    } else if ("property" in node) {
      deps.contactData = true;
      if (isRelative(node.property)) deps.timeRelative = true;
    } else if ("tag" in node || "consent" in node) {
      deps.contactData = true;
    } else if ("score" in node) {
      deps.score = true;
    } else if ("event" in node) {
      if (node.event.name === undefined) deps.anyEvent = true;
      else deps.eventNames.add(node.event.name);
      if (node.event.withinDays !== undefined || anyRelative(node.event.where))
        deps.timeRelative = true;
    } else if ("eventTime" in node) {
      deps.eventNames.add(node.eventTime.name);
      if (isRelative(node.eventTime) || anyRelative(node.eventTime.where)) deps.timeRelative = true;
    } else if ("orders" in node) {
      deps.eventNames.add(orderCompleted);
      if (node.orders.withinDays !== undefined || isRelative(node.orders)) deps.timeRelative = true;
    } else if ("purchased" in node) {
      deps.eventNames.add(orderCompleted);
      if (node.purchased.withinDays !== undefined) deps.timeRelative = true;
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
