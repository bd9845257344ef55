/** Saving the filter would make segments contain each other; `segmentIds` is the loop. */
export class SegmentCycleError extends Error {
  override name = "SegmentCycleError";
  constructor(readonly segmentIds: string[]) {
    super(`segments would contain each other: ${segmentIds.join(" → ")}`);
  }
}

/**
 * The segment definition given to apply is no longer the segment's (or an included segment's)
 * current one: it changed, or was deleted, after it was read. Read the definitions again under
 * the definitions lock (`shareSegmentDefinitions`) and apply those.
 */
export class StaleSegmentDefinitionError extends Error {
  override name = "StaleSegmentDefinitionError";
  constructor(readonly segmentId: string) {
    super(`segment ${segmentId} changed after its definition was read`);
  }
}
