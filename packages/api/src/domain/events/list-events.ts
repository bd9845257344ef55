import { z } from "zod";
import { db } from "../../db.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { InvalidInputError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";

const eventFilter = z
  .object({
    names: z.array(z.string().trim().min(1).max(255)).min(1).max(100),
    since: z.date(),
    until: z.date(),
  })
  .partial();

/**
 * Which of a contact's events to list: `names` (any of them, exactly), `since` (occurred at or
 * after, inclusive) and `until` (occurred before, exclusive). Everything left out matches all.
 */
export type EventFilter = z.input<typeof eventFilter>;

/** A contact's events that `filter` keeps, always confined to `workspaceId`. */
export function contactEventsWhere(
  workspaceId: string,
  contactId: string,
  rawFilter: EventFilter | undefined,
  basePath: string[] = [],
): Prisma.EventWhereInput {
  const filter = parseInput(eventFilter, rawFilter ?? {}, basePath);
  if (filter.since && filter.until && filter.since >= filter.until) {
    throw InvalidInputError.field([...basePath, "until"], "must be after since");
  }
  const occurredAt = {
    ...(filter.since && { gte: filter.since }),
    ...(filter.until && { lt: filter.until }),
  };
  return {
    workspaceId,
    contactId: isUuid(contactId) ? contactId : "00000000-0000-0000-0000-000000000000",
    ...(filter.names && { name: { in: [...new Set(filter.names)] } }),
    ...((filter.since || filter.until) && { occurredAt }),
  };
}

/** Newest first by when they happened, the id breaking ties (cursors need a total order). */
export const eventOrderBy: Prisma.EventOrderByWithRelationInput[] = [
  { occurredAt: "desc" },
  { id: "desc" },
];

/**
 * Lists a contact's events, newest first. `query` carries Pothos's selection and pagination
 * (take/skip/cursor). Bad filters throw `InvalidInputError` naming the field.
 *
 * @example await listContactEvents(workspaceId, contactId, { filter: { names: ["Order Completed"] }, query: { take: 20 } })
 */
export function listContactEvents<Q extends { take?: number; skip?: number }>(
  workspaceId: string,
  contactId: string,
  options: { filter?: EventFilter | undefined; query: Q },
) {
  return db().event.findMany({
    ...options.query,
    where: contactEventsWhere(workspaceId, contactId, options.filter),
    orderBy: eventOrderBy,
  });
}

export function countContactEvents(
  workspaceId: string,
  contactId: string,
  filter?: EventFilter,
): Promise<number> {
  return db().event.count({ where: contactEventsWhere(workspaceId, contactId, filter) });
}
