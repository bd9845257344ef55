import { refreshContactSegments } from "@cartwheel/api/domain";
import type { Task } from "graphile-worker";
import { z } from "zod";

const payload = z.object({
  workspaceId: z.uuid(),
  contactIds: z.array(z.uuid()).min(1).max(10_000),
});

/**
 * Re-checks the segments that depend on contact data (fields, properties, tags, consent) for
 * contacts that changed. Queued in the change's own transaction. Safe to repeat.
 */
export const refresh_contact_segments: Task = async (rawPayload) => {
  const { workspaceId, contactIds } = payload.parse(rawPayload);
  await refreshContactSegments(workspaceId, contactIds);
};
