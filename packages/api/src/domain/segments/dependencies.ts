import { InvalidInputError } from "../shared/errors.ts";
import {
  type Comparison,
  dayOperators,
  orderCompleted,
  type PropertyCondition,
  type SegmentFilter,
  segmentEventNames,
} from "./filter.ts";

/** What a segment's membership can change with; referenced segments are included. */
export interface SegmentDependencies {
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

/** What happened to one contact. */
export type ContactChange =
  | { kind: "event"; eventName: string; scoreChanged: boolean }
  | { kind: "contactData" }
  | { kind: "score" };

const isRelative = (comparison: Comparison) => dayOperators.includes(comparison.op);
const anyRelative = (where: PropertyCondition[] | undefined) => (where ?? []).some(isRelative);

/**
 * Works out what a filter depends on, following `inSegment` into `segments`.
 *
 * @example segmentDependencies({ event: { name: "Order Completed", withinDays: 30 } }, new Map())
 *   // eventNames {"Order Completed"}, timeRelative true
 */
export function segmentDependencies(
  filter: SegmentFilter,
  segments: ReadonlyMap<string, SegmentFilter>,
): SegmentDependencies {
  const deps: SegmentDependencies = {
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

/** Whether a change to one contact can change its membership of a segment with `deps`. */
export function dependsOn(deps: SegmentDependencies, change: ContactChange): boolean {
  switch (change.kind) {
    case "contactData":
      return deps.contactData;
    case "score":
      return deps.score;
    case "event":
      return (
        deps.eventNames.has(change.eventName) ||
        (deps.anyEvent && !(segmentEventNames as readonly string[]).includes(change.eventName)) ||
        deps.lastSeen ||
        (change.scoreChanged && deps.score)
      );
  }
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

/** Refuses a filter whose `inSegment` names a segment not among the workspace's `filters`. */
export function checkReferences(
  filter: SegmentFilter,
  filters: ReadonlyMap<string, SegmentFilter>,
): void {
  for (const id of referencedSegments(filter)) {
    if (!filters.has(id)) {
      throw InvalidInputError.field(
        ["filter"],
        `inSegment names segment ${id}, which does not exist`,
      );
    }
  }
}

/**
 * The chain of segment ids that leads from `segmentId` (with `filter`) back to itself, or
 * undefined when there is no cycle. `segments` holds the workspace's other filters.
 *
 * @example findSegmentCycle(a, { inSegment: { segmentId: b } }, new Map([[b, { inSegment: { segmentId: a } }]])) // [a, b, a]
 */
export function findSegmentCycle(
  segmentId: string,
  filter: SegmentFilter,
  segments: ReadonlyMap<string, SegmentFilter>,
): string[] | undefined {
  const walk = (node: SegmentFilter, path: string[]): string[] | undefined => {
    for (const next of referencedSegments(node)) {
      if (next === segmentId) return [...path, next];
      if (path.includes(next)) continue;
      const nextFilter = segments.get(next);
      const found = nextFilter && walk(nextFilter, [...path, next]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(filter, [segmentId]);
}

/** The ids of the segments that include `segmentId`, directly or through other segments. */
export function segmentsIncluding(
  segmentId: string,
  segments: ReadonlyMap<string, SegmentFilter>,
): Set<string> {
  const including = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, filter] of segments) {
      if (id === segmentId || including.has(id)) continue;
      const names = referencedSegments(filter);
      if (names.has(segmentId) || [...names].some((name) => including.has(name))) {
        including.add(id);
        grew = true;
      }
    }
  }
  return including;
}
