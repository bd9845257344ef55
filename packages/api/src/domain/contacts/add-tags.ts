import type { Transaction } from "../../db.ts";

/** A tag newly put on a contact. */
export interface Tagging {
  contactId: string;
  tag: string;
}

/**
 * Puts tags on contacts, leaving taggings that exist alone, and returns only the new ones
 * (what "tag added" scenario triggers start on).
 */
export async function addTags(
  tx: Transaction,
  workspaceId: string,
  contactIds: readonly string[],
  tags: readonly { id: string; name: string }[],
): Promise<Tagging[]> {
  if (contactIds.length === 0 || tags.length === 0) return [];
  const pairs = contactIds.flatMap((contactId) => tags.map((tag) => ({ contactId, tag })));
  const rows = await tx.$queryRaw<{ contact_id: string; tag_id: string }[]>`
    INSERT INTO contact_tags (workspace_id, contact_id, tag_id, created_at)
    SELECT ${workspaceId}::uuid, pair.*, now()
      FROM unnest(${pairs.map((p) => p.contactId)}::uuid[], ${pairs.map((p) => p.tag.id)}::uuid[]) AS pair
    ON CONFLICT DO NOTHING
    RETURNING contact_id::text, tag_id::text`;
  const names = new Map(tags.map((tag) => [tag.id, tag.name]));
  return rows.map((row) => ({ contactId: row.contact_id, tag: names.get(row.tag_id) ?? "" }));
}
