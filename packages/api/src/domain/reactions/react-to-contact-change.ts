import { withTransaction } from "../../db.ts";
import type { Tagging } from "../contacts/add-tags.ts";
import { lockContact, lockContacts } from "../contacts/lock-contact.ts";
import { startTagRuns } from "../scenarios/triggers/react-to-event.ts";
import { refreshSegmentsForContacts } from "../segments/incremental.ts";
import type { MembershipChange } from "../segments/memberships.ts";

/**
 * What a change to contacts' data (fields, properties, tags, consent) or, with
 * `changed: "orders"`, to their orders without an event of theirs causes: the segments on
 * that are re-checked for those contacts, recording Segment Entered / Exited, and
 * tags newly put on them start the scenarios triggered by those tags (each contact locked, as
 * the event path does). Queued by every write of contact data (`queueContactDataChange`).
 * Safe to repeat: a run starts once per contact and scenario while one is in progress, and
 * entry rules hold.
 *
 * @example await reactToContactChange(workspaceId, [contactId])
 */
export function reactToContactChange(
  workspaceId: string,
  contactIds: readonly string[],
  options: { now?: Date; tagged?: readonly Tagging[]; changed?: "contactData" | "orders" } = {},
): Promise<MembershipChange[]> {
  const now = options.now ?? new Date();
  return withTransaction(async (tx) => {
    const tagged = options.tagged ?? [];
    if (options.changed === "orders") {
      // As reactToEvent does: their order writes and segment upkeep follow one another per contact.
      await lockContacts(tx, workspaceId, contactIds);
    }
    for (const contactId of [...new Set(tagged.map((t) => t.contactId))].sort()) {
      await lockContact(tx, workspaceId, contactId);
    }
    const changes = await refreshSegmentsForContacts(
      tx,
      workspaceId,
      contactIds,
      { kind: options.changed ?? "contactData" },
      now,
    );
    await startTagRuns(tx, { workspaceId, tagged, now });
    return changes;
  });
}
