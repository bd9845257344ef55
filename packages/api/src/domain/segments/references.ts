import { referencedSegments } from "../conditions/dependencies.ts";
import type { SegmentFilter } from "../conditions/filter.ts";
import { InvalidInputError } from "../shared/errors.ts";

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
