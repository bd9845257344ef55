import { z } from "zod";
import { db, isUniqueViolation, type Transaction, withTransaction } from "../../db.ts";
import type { Tag } from "../../generated/prisma/client.ts";
import { addJob } from "../jobs/add-job.ts";
import { ConflictError, NotFoundError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";

export const tagName = z.string().trim().min(1, "must not be empty").max(100);

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
    if (isUniqueViolation(error)) {
      throw new ConflictError(`a tag named "${parsed}" already exists`, ["name"]);
    }
    throw error;
  }
}

export async function renameTag(workspaceId: string, tagId: string, name: string): Promise<Tag> {
  const parsed = parseInput(tagName, name, ["name"]);
  const tag = await findTag(workspaceId, tagId);
  try {
    return await withTransaction(async (tx) => {
      const renamed = await tx.tag.update({
        where: { id_workspaceId: { workspaceId: tag.workspaceId, id: tag.id } },
        data: { name: parsed },
      });
      await refreshTagSegments(tx, workspaceId);
      return renamed;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(`a tag named "${parsed}" already exists`, ["name"]);
    }
    throw error;
  }
}

/** Deletes a tag and takes it off every contact. */
export async function deleteTag(workspaceId: string, tagId: string): Promise<string> {
  const tag = await findTag(workspaceId, tagId);
  await withTransaction(async (tx) => {
    await tx.tag.delete({
      where: { id_workspaceId: { workspaceId: tag.workspaceId, id: tag.id } },
    });
    await refreshTagSegments(tx, workspaceId);
  });
  return tag.id;
}

/**
 * Segments name tags, so renaming or deleting one changes who is in them: the workspace's
 * segments on contact data are queued for a full refresh, in the same transaction.
 */
function refreshTagSegments(tx: Transaction, workspaceId: string) {
  return addJob(
    tx,
    "refresh_segments",
    { workspaceId, dependingOn: "contactData" },
    { jobKey: `refresh_segments:contactData:${workspaceId}` },
  );
}

export async function findTag(workspaceId: string, tagId: string): Promise<Tag> {
  const tag = isUuid(tagId)
    ? await db().tag.findFirst({ where: { id: tagId, workspaceId } })
    : null;
  if (!tag) throw new NotFoundError("Tag", tagId);
  return tag;
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
