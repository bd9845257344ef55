import { z } from "zod";
import { db, type Transaction } from "../../db.ts";
import { Prisma, type Tag } from "../../generated/prisma/client.ts";
import { enqueueContactSegmentsRefresh } from "../segments/incremental.ts";
import { enqueueSegmentRefreshes } from "../segments/refresh.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";

const tagName = z.string().trim().min(1, "must not be empty").max(100);

/** Returns the tags named, creating the missing ones. */
export async function ensureTags(
  tx: Transaction,
  workspaceId: string,
  names: string[],
): Promise<Tag[]> {
  const unique = [...new Set(names)];
  await tx.tag.createMany({
    data: unique.map((name) => ({ workspaceId, name })),
    skipDuplicates: true,
  });
  return tx.tag.findMany({ where: { workspaceId, name: { in: unique } } });
}

export async function createTag(workspaceId: string, name: string): Promise<Tag> {
  const parsed = parseInput(tagName, name, ["name"]);
  try {
    return await db().tag.create({ data: { workspaceId, name: parsed } });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new ConflictError(`a tag named "${parsed}" already exists`, ["name"]);
    }
    throw error;
  }
}

export async function renameTag(workspaceId: string, tagId: string, name: string): Promise<Tag> {
  const parsed = parseInput(tagName, name, ["name"]);
  const tag = await findTag(workspaceId, tagId);
  try {
    return await db().$transaction(async (tx) => {
      const renamed = await tx.tag.update({ where: { id: tag.id }, data: { name: parsed } });
      await refreshTagSegments(tx, workspaceId);
      return renamed;
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new ConflictError(`a tag named "${parsed}" already exists`, ["name"]);
    }
    throw error;
  }
}

/** Deletes a tag and takes it off every contact. */
export async function deleteTag(workspaceId: string, tagId: string): Promise<string> {
  const tag = await findTag(workspaceId, tagId);
  await db().$transaction(async (tx) => {
    await tx.tag.delete({ where: { id: tag.id } });
    await refreshTagSegments(tx, workspaceId);
  });
  return tag.id;
}

/**
 * Segments name tags, so renaming or deleting one changes who is in them: every segment on
 * contact data is queued for a full refresh in the same transaction.
 */
function refreshTagSegments(tx: Transaction, workspaceId: string) {
  return enqueueSegmentRefreshes({ dependingOn: "contactData", workspaceId }, tx);
}

export async function findTag(workspaceId: string, tagId: string): Promise<Tag> {
  const tag = isUuid(tagId)
    ? await db().tag.findFirst({ where: { id: tagId, workspaceId } })
    : null;
  if (!tag) throw new NotFoundError("Tag", tagId);
  return tag;
}

const tagging = z.object({
  contactIds: z
    .array(z.string())
    .min(1, "name at least one contact")
    .max(1000, "at most 1,000 contacts at once"),
  tags: z.array(tagName).min(1, "name at least one tag").max(100),
});

/**
 * Adds existing tags (by name) to contacts. An unknown tag or contact fails the whole call,
 * naming it, and changes nothing. Returns how many taggings were new.
 */
export async function tagContacts(
  workspaceId: string,
  input: z.input<typeof tagging>,
): Promise<number> {
  const { contactIds, tags } = parseInput(tagging, input);
  return db().$transaction(async (tx) => {
    const [tagRows, contactRows] = await resolveTagging(tx, workspaceId, contactIds, tags);
    const { count } = await tx.contactTag.createMany({
      data: contactRows.flatMap((contactId) =>
        tagRows.map((tag) => ({ contactId, tagId: tag.id })),
      ),
      skipDuplicates: true,
    });
    await enqueueContactSegmentsRefresh(tx, workspaceId, contactRows);
    return count;
  });
}

/** Takes tags (by name) off contacts. Returns how many taggings were removed. */
export async function untagContacts(
  workspaceId: string,
  input: z.input<typeof tagging>,
): Promise<number> {
  const { contactIds, tags } = parseInput(tagging, input);
  return db().$transaction(async (tx) => {
    const [tagRows, contactRows] = await resolveTagging(tx, workspaceId, contactIds, tags);
    const { count } = await tx.contactTag.deleteMany({
      where: { contactId: { in: contactRows }, tagId: { in: tagRows.map((tag) => tag.id) } },
    });
    await enqueueContactSegmentsRefresh(tx, workspaceId, contactRows);
    return count;
  });
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

/** A workspace's tags by name, with Pothos's selection and pagination. */
export function listTags<Q extends object>(workspaceId: string, query: Q) {
  return db().tag.findMany({
    ...query,
    where: { workspaceId },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
}

export function countTags(workspaceId: string): Promise<number> {
  return db().tag.count({ where: { workspaceId } });
}
