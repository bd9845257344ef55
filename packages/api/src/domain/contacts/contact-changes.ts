import type { Executor } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { addJob } from "../jobs/add-job.ts";
import type { Tagging } from "./add-tags.ts";

/**
 * Records, in the caller's transaction, that these contacts' data (fields, properties, tags,
 * consent) changed, by queueing `refresh_contact_segments`: what depends on contact data is
 * re-checked (and the scenarios `tagged` triggers start) if and only if the change commits. A
 * workspace without segments queues nothing, unless a live scenario starts on one of the tags.
 *
 * @example await queueContactDataChange(tx, workspaceId, [contact.id])
 */
export async function queueContactDataChange(
  executor: Executor,
  workspaceId: string,
  contactIds: readonly string[],
  tagged: readonly Tagging[] = [],
): Promise<void> {
  if (contactIds.length === 0) return;
  const tags = [...new Set(tagged.map((t) => t.tag))];
  await addJob(
    executor,
    "refresh_contact_segments",
    { workspaceId, contactIds: [...contactIds], ...(tagged.length > 0 && { tagged: [...tagged] }) },
    {
      onlyIf: Prisma.sql`(EXISTS (SELECT 1 FROM segments WHERE workspace_id = ${workspaceId}::uuid)
        OR EXISTS (SELECT 1 FROM scenarios WHERE workspace_id = ${workspaceId}::uuid AND status = 'LIVE'
                     AND trigger_kind = 'tag_added' AND trigger_key = ANY(${tags}::text[])))`,
    },
  );
}

/**
 * Records, in the caller's transaction, that these contacts' orders changed without an event
 * of theirs (an order pushed or backfilled by `upsertOrders`, refunded or cancelled there, or
 * moved to another contact), by queueing `refresh_contact_segments` with `changed: "orders"`:
 * the segments on orders are re-checked for them if and only if the change commits. The event
 * path re-checks its own contact at once and needs none. Nothing is queued in a workspace
 * without segments.
 *
 * @example await queueContactOrdersChange(tx, workspaceId, [contact.id])
 */
export async function queueContactOrdersChange(
  executor: Executor,
  workspaceId: string,
  contactIds: readonly string[],
): Promise<void> {
  const unique = [...new Set(contactIds)];
  if (unique.length === 0) return;
  await addJob(
    executor,
    "refresh_contact_segments",
    { workspaceId, contactIds: unique, changed: "orders" },
    {
      onlyIf: Prisma.sql`EXISTS (SELECT 1 FROM segments WHERE workspace_id = ${workspaceId}::uuid)`,
    },
  );
}
