import { db } from "../../db.ts";
import { filterDependencies } from "../conditions/dependencies.ts";
import { refreshSegment } from "./refresh.ts";
import { loadSegmentDefinitions } from "./segments.ts";

/**
 * Recomputes the workspace's segments that read orders (orders and purchased conditions,
 * directly or through a segment they name) without recording Segment Entered / Exited: after
 * a replay of stored history wrote orders that happened long ago (`replayCommerceHistory`), so
 * the shop's past buyers join "VIP" and the like without starting the scenarios a new entry
 * starts, as a new segment's first computation does. An entry that time alone brought since
 * the last scheduled refresh is taken in quietly too. Returns the segment ids refreshed.
 *
 * @example await refreshOrderSegmentsQuietly(workspaceId) // → ["01a2…"]
 */
export async function refreshOrderSegmentsQuietly(
  workspaceId: string,
  options: { now?: Date } = {},
): Promise<string[]> {
  const { definitions, filters } = await loadSegmentDefinitions(db(), workspaceId);
  const readingOrders = definitions
    .filter((segment) => filterDependencies(segment.filter, filters).orders)
    .map((segment) => segment.id);
  for (const id of readingOrders) {
    await refreshSegment(id, { recordEvents: false, ...(options.now && { now: options.now }) });
  }
  return readingOrders;
}
