import { z } from "zod";
import { type Transaction, withTransaction } from "../../db.ts";
import type { Tag } from "../../generated/prisma/client.ts";
import { InvalidInputError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import { tagName } from "../tags/tags.ts";
import { addTags } from "./add-tags.ts";
import { queueContactDataChange } from "./contact-changes.ts";

const tagging = z.object({
  contactIds: z
    .array(z.string())
    .min(1, "name at least one contact")
    .max(1000, "at most 1,000 contacts at once"),
  tags: z.array(tagName).min(1, "name at least one tag").max(100),
});

/**
 * Adds existing tags (by name) to contacts. An unknown tag or contact fails the whole call,
 * naming it, and changes nothing. Returns how many taggings were new. Runs in `tx` when given.
 */
export async function tagContacts(
  workspaceId: string,
  input: z.input<typeof tagging>,
  tx?: Transaction,
): Promise<number> {
  const { contactIds, tags } = parseInput(tagging, input);
  return withTransaction(
    async (tx) => {
      const [tagRows, contactRows] = await resolveTagging(tx, workspaceId, contactIds, tags);
      const tagged = await addTags(tx, workspaceId, contactRows, tagRows);
      await queueContactDataChange(tx, workspaceId, contactRows, tagged);
      return tagged.length;
    },
    { tx },
  );
}

/** Takes tags (by name) off contacts. Returns how many taggings were removed. */
export async function untagContacts(
  workspaceId: string,
  input: z.input<typeof tagging>,
  tx?: Transaction,
): Promise<number> {
  const { contactIds, tags } = parseInput(tagging, input);
  return withTransaction(
    async (tx) => {
      const [tagRows, contactRows] = await resolveTagging(tx, workspaceId, contactIds, tags);
      const { count } = await tx.contactTag.deleteMany({
        where: { contactId: { in: contactRows }, tagId: { in: tagRows.map((tag) => tag.id) } },
      });
      await queueContactDataChange(tx, workspaceId, contactRows);
      return count;
    },
    { tx },
  );
}

async function resolveTagging(
  tx: Transaction,
  workspaceId: string,
  contactIds: string[],
  tagNames: string[],
): Promise<[Tag[], string[]]> {
  const uniqueNames = [...new Set(tagNames)];
  const tagRows = await tx.tag.findMany({ where: { workspaceId, name: { in: uniqueNames } } });
  const unknownTags = uniqueNames.filter((name) => !tagRows.some((tag) => tag.name === name));
  if (unknownTags.length > 0) {
    throw new InvalidInputError(
      `unknown tag${unknownTags.length > 1 ? "s" : ""}: ${unknownTags.join(", ")}`,
      unknownTags.map((name) => ({
        path: ["tags", String(tagNames.indexOf(name))],
        message: `unknown tag "${name}"`,
      })),
    );
  }
  const uniqueIds = [...new Set(contactIds)];
  const found = await tx.contact.findMany({
    where: { workspaceId, id: { in: uniqueIds.filter(isUuid) } },
    select: { id: true },
  });
  const foundIds = new Set(found.map((contact) => contact.id));
  const missing = uniqueIds.filter((id) => !foundIds.has(id));
  if (missing.length > 0) {
    throw new InvalidInputError(
      `unknown contact${missing.length > 1 ? "s" : ""}`,
      missing.map((id) => ({
        path: ["contactIds", String(contactIds.indexOf(id))],
        message: "unknown contact",
      })),
    );
  }
  return [tagRows, uniqueIds];
}
