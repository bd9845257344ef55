import { withTransaction } from "../../db.ts";
import { refreshSegmentsForContacts } from "../segments/incremental.ts";
import type { MembershipChange } from "../segments/memberships.ts";

/**
 * What a change to contacts' data (fields, properties, tags, consent) causes: the segments
 * on contact data are re-checked for those contacts, recording Segment Entered / Exited.
 * Queued by every write of contact data (`queueContactDataChange`). Safe to repeat.
 *
 * @example await reactToContactChange(workspaceId, [contactId])
 */
export function reactToContactChange(
  workspaceId: string,
  contactIds: readonly string[],
  options: { now?: Date } = {},
): Promise<MembershipChange[]> {
  const now = options.now ?? new Date();
  return withTransaction((tx) =>
    refreshSegmentsForContacts(tx, workspaceId, contactIds, { kind: "contactData" }, now),
  );
}
