import type pg from "pg";
import { db, type Transaction } from "../../db.ts";
import { type ContactChange, dependsOn, segmentDependencies } from "./dependencies.ts";
import { type MembershipChange, syncMemberships } from "./memberships.ts";
import { loadSegmentDefinitions } from "./segments.ts";

/**
 * Re-checks, for the given contacts only, the segments whose conditions can depend on
 * `change` (an event's name, contact data, the score), recording Segment Entered / Exited
 * for each change. Each segment is one statement over those contacts.
 *
 * @example await refreshSegmentsForContacts(tx, workspaceId, [contactId], { kind: "event", eventName: "Order Completed", scoreChanged: false }, new Date())
 */
export async function refreshSegmentsForContacts(
  tx: Transaction,
  workspaceId: string,
  contactIds: readonly string[],
  change: ContactChange,
  now: Date,
): Promise<MembershipChange[]> {
  if (contactIds.length === 0) return [];
  const { definitions, filters } = await loadSegmentDefinitions(tx, workspaceId);
  const changes: MembershipChange[] = [];
  for (const segment of definitions) {
    if (!dependsOn(segmentDependencies(segment.filter, filters), change)) continue;
    changes.push(...(await syncMemberships(tx, segment, { segments: filters, now, contactIds })));
  }
  return changes;
}

/**
 * After contacts' fields, properties, tags or consent changed: re-checks the segments that
 * depend on contact data for them, in its own transaction.
 */
export function refreshContactSegments(
  workspaceId: string,
  contactIds: readonly string[],
  options: { now?: Date } = {},
): Promise<MembershipChange[]> {
  return db().$transaction((tx) =>
    refreshSegmentsForContacts(
      tx,
      workspaceId,
      contactIds,
      { kind: "contactData" },
      options.now ?? new Date(),
    ),
  );
}

/**
 * Queues `refresh_contact_segments` for contacts whose data changed, in the caller's
 * transaction (a Prisma transaction or a `pg` client inside BEGIN), so the re-check happens
 * if and only if the change commits. A workspace without segments queues nothing.
 *
 * @example await enqueueContactSegmentsRefresh(tx, workspaceId, [contact.id])
 */
export async function enqueueContactSegmentsRefresh(
  client: Transaction | Pick<pg.ClientBase, "query">,
  workspaceId: string,
  contactIds: readonly string[],
): Promise<void> {
  if (contactIds.length === 0) return;
  const payload = JSON.stringify({ workspaceId, contactIds });
  if ("query" in client) {
    await client.query(
      `SELECT graphile_worker.add_job('refresh_contact_segments', $1::json)
        WHERE EXISTS (SELECT 1 FROM segments WHERE workspace_id = $2::uuid)`,
      [payload, workspaceId],
    );
  } else {
    await client.$executeRaw`
      SELECT graphile_worker.add_job('refresh_contact_segments', ${payload}::json)
       WHERE EXISTS (SELECT 1 FROM segments WHERE workspace_id = ${workspaceId}::uuid)`;
  }
}
