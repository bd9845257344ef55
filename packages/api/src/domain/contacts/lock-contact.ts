import type { Transaction } from "../../db.ts";

/**
 * Locks a contact's row for the transaction, so everything that follows from one contact's
 * changes (its score, its segments, its scenario runs) is serialised per contact. False when
 * the contact does not exist (any longer).
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
       FOR UPDATE`;
  return rows.length > 0;
}
