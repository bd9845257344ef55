import { reactToContactChange } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Re-checks the segments that depend on contact data (fields, properties, tags, consent), or
 * on orders when `changed` says so, for contacts that changed. Queued in the change's own
 * transaction. Safe to repeat.
 */
export const refresh_contact_segments = defineTask(
  "refresh_contact_segments",
  ({ workspaceId, contactIds, tagged, changed }) =>
    reactToContactChange(workspaceId, contactIds, { tagged, changed }),
);
