import type { Executor } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { addJob } from "../jobs/add-job.ts";

/**
 * Records, in the caller's transaction, that these contacts' data (fields, properties, tags,
 * consent) changed, by queueing `refresh_contact_segments`: what depends on contact data is
 * re-checked if and only if the change commits. A workspace without segments queues nothing.
 *
 * @example await queueContactDataChange(tx, workspaceId, [contact.id])
 */
export async function queueContactDataChange(
  executor: Executor,
  workspaceId: string,
  contactIds: readonly string[],
): Promise<void> {
  if (contactIds.length === 0) return;
  await addJob(
    executor,
    "refresh_contact_segments",
    { workspaceId, contactIds: [...contactIds] },
    {
      onlyIf: Prisma.sql`EXISTS (SELECT 1 FROM segments WHERE workspace_id = ${workspaceId}::uuid)`,
    },
  );
}
