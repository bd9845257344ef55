/** Saving the filter would make segments contain each other; `segmentIds` is the loop. */
export class SegmentCycleError extends Error {
  override name = "SegmentCycleError";
  constructor(readonly segmentIds: string[]) {
    super(`segments would contain each other: ${segmentIds.join(" → ")}`);
  }
}
