import type { Transaction } from "../../db.ts";

/**
 * Locks a contact's row for the transaction, so everything that follows from one contact's
 * changes (its score, its segments, its scenario runs) is serialised per contact. False when
 * the contact does not exist (any longer). The lock is FOR NO KEY UPDATE: rows that only refer
 * to the contact (its events, its segment memberships) can still be written meanwhile, so a
 * full segment refresh recording an event for this contact never waits for a handler that is
 * itself waiting for the refresh's membership lock.
 *
 * @example if (!(await lockContact(tx, workspaceId, contactId))) return
 */
export async function lockContact(
  tx: Transaction,
  workspaceId: string,
  contactId: string,
): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM contacts
     WHERE id = ${contactId}::uuid AND workspace_id = ${workspaceId}::uuid
       FOR NO KEY UPDATE`;
  return rows.length > 0;
}

/**
 * Locks several contacts' rows in id order (the order every multi-contact writer uses, so two
 * cannot deadlock), as `lockContact` does one; returns the ids of those that exist.
 *
 * @example await lockContacts(tx, workspaceId, contactIds)
 */
export async function lockContacts(
  tx: Transaction,
  workspaceId: string,
  contactIds: readonly string[],
): Promise<string[]> {
  if (contactIds.length === 0) return [];
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM contacts
     WHERE id = ANY(${[...contactIds]}::uuid[]) AND workspace_id = ${workspaceId}::uuid
     ORDER BY id FOR NO KEY UPDATE`;
  return rows.map((row) => row.id);
}
