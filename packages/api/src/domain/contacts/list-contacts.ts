import { z } from "zod";
import { db } from "../../db.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import { consentStatuses } from "./contact-input.ts";

const range = <T extends z.ZodType>(value: T) =>
  z.object({ min: value.nullable().optional(), max: value.nullable().optional() }).optional();

export const contactFilter = z
  .object({
    email: z.string().trim().min(1).max(320).optional(),
    emailContains: z.string().trim().min(1).max(320).optional(),
    externalId: z.string().trim().min(1).max(255).optional(),
    tag: z.string().trim().min(1).max(100).optional(),
    tagsAll: z.array(z.string().trim().min(1).max(100)).max(20).optional(),
    withoutTag: z.string().trim().min(1).max(100).optional(),
    score: range(z.number().int()),
    consentStatus: z.array(z.enum(consentStatuses)).min(1).optional(),
    createdAt: range(z.date()),
    lastSeenAt: range(z.date()),
    segmentId: z.string().refine(isUuid, "is not a segment id").optional(),
  })
  .partial();
export type ContactFilter = z.input<typeof contactFilter>;

export const contactOrderFields = [
  "createdAt",
  "updatedAt",
  "lastSeenAt",
  "score",
  "email",
] as const;
export type ContactOrder = {
  field: (typeof contactOrderFields)[number];
  direction: "asc" | "desc";
};

function dateRange(value: { min?: Date | null; max?: Date | null } | undefined) {
  if (!value) return undefined;
  return { ...(value.min && { gte: value.min }), ...(value.max && { lte: value.max }) };
}

/** Translates a contact filter into a Prisma `where`, always confined to `workspaceId`. */
export function contactWhere(
  workspaceId: string,
  rawFilter: ContactFilter | undefined,
): Prisma.ContactWhereInput {
  const filter = parseInput(contactFilter, rawFilter ?? {}, ["filter"]);
  const and: Prisma.ContactWhereInput[] = [{ workspaceId }];
  if (filter.email) and.push({ email: filter.email.toLowerCase() });
  if (filter.emailContains)
    and.push({ email: { contains: filter.emailContains, mode: "insensitive" } });
  if (filter.externalId) and.push({ externalId: filter.externalId });
  for (const tag of [filter.tag, ...(filter.tagsAll ?? [])]) {
    if (tag) and.push({ tags: { some: { tag: { name: tag, workspaceId } } } });
  }
  if (filter.withoutTag) and.push({ tags: { none: { tag: { name: filter.withoutTag } } } });
  if (filter.score) {
    and.push({
      score: {
        ...(filter.score.min != null && { gte: filter.score.min }),
        ...(filter.score.max != null && { lte: filter.score.max }),
      },
    });
  }
  if (filter.consentStatus) and.push({ consentStatus: { in: filter.consentStatus } });
  const created = dateRange(filter.createdAt);
  if (created) and.push({ createdAt: created });
  const lastSeen = dateRange(filter.lastSeenAt);
  if (lastSeen) and.push({ lastSeenAt: lastSeen });
  if (filter.segmentId)
    and.push({ segmentMemberships: { some: { segmentId: filter.segmentId, isMember: true } } });
  return { AND: and };
}

/** A stable order: the chosen field, then the id to break ties (cursors need one). */
export function contactOrderBy(
  order: ContactOrder | undefined,
): Prisma.ContactOrderByWithRelationInput[] {
  const { field, direction } = order ?? { field: "createdAt", direction: "desc" };
  const nullable = field === "lastSeenAt" || field === "email";
  return [
    nullable ? { [field]: { sort: direction, nulls: "last" } } : { [field]: direction },
    { id: direction },
  ];
}

/**
 * Lists a workspace's contacts. `query` carries Pothos's selection and pagination
 * (take/skip/cursor), so nested fields load in the same query.
 */
export function listContacts<Q extends { take?: number; skip?: number }>(
  workspaceId: string,
  options: { filter?: ContactFilter; orderBy?: ContactOrder; query: Q },
) {
  return db().contact.findMany({
    ...options.query,
    where: contactWhere(workspaceId, options.filter),
    orderBy: contactOrderBy(options.orderBy),
  });
}

export function countContacts(workspaceId: string, filter?: ContactFilter): Promise<number> {
  return db().contact.count({ where: contactWhere(workspaceId, filter) });
}
