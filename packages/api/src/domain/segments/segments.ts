import { z } from "zod";
import { db, type Executor, type Transaction, withTransaction } from "../../db.ts";
import type { Prisma, Segment } from "../../generated/prisma/client.ts";
import { referencedSegments } from "../conditions/dependencies.ts";
import type { SegmentFilter } from "../conditions/filter.ts";
import { parseSegmentFilter } from "../conditions/parse/parse-filter.ts";
import { ConflictError, NotFoundError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { SegmentCycleError } from "./errors.ts";
import { lockSegmentDefinitions } from "./locks.ts";
import { type SegmentDefinition, syncMemberships } from "./memberships.ts";
import { checkReferences, findSegmentCycle, segmentsIncluding } from "./references.ts";

const segmentFields = z.object({
  name: z.string().trim().min(1, "must not be empty").max(200),
  description: z.string().trim().max(1000).nullable().optional(),
  filter: z.unknown(),
});
export type SegmentInput = z.input<typeof segmentFields>;

/** Long enough to compute a large segment's membership on save. */
export const segmentTransactionOptions = { timeoutMs: 120_000 } as const;

/**
 * Creates a segment and computes its membership at once. The first computation records no
 * Segment Entered events: scenarios start on contacts who enter later, not on a backfill.
 * Throws InvalidInputError (bad filter, unknown segment) or SegmentCycleError.
 *
 * @example createSegment(workspaceId, { name: "VIP", filter: { orders: { metric: "TOTAL_SPENT", op: "GREATER_THAN", value: 500 } } })
 */
export async function createSegment(
  workspaceId: string,
  input: SegmentInput,
  options: { templateKey?: string; now?: Date } = {},
): Promise<Segment> {
  const fields = parseInput(segmentFields, input);
  const filter = parseSegmentFilter(fields.filter);
  return withTransaction(async (tx) => {
    await lockSegmentDefinitions(tx, workspaceId);
    const { filters } = await loadSegmentDefinitions(tx, workspaceId);
    checkReferences(filter, filters);
    const segment = await tx.segment.create({
      data: {
        workspaceId,
        name: fields.name,
        description: fields.description ?? null,
        filter,
        templateKey: options.templateKey ?? null,
      },
    });
    const [created] = await recompute(
      tx,
      [toDefinition(segment)],
      filters,
      options.now ?? new Date(),
    );
    return created as Segment;
  }, segmentTransactionOptions);
}

/**
 * Changes a segment's name, description or filter. A new filter recomputes the membership of
 * the segment and of every segment that includes it, without recording events. Holds the
 * workspace's definitions lock, so it waits for refreshes in flight and they for it. Joins
 * `tx` when given.
 */
export async function updateSegment(
  workspaceId: string,
  segmentId: string,
  input: Partial<SegmentInput>,
  options: { now?: Date; tx?: Transaction } = {},
): Promise<Segment> {
  const fields = parseInput(segmentFields.partial(), input);
  const filter = fields.filter === undefined ? undefined : parseSegmentFilter(fields.filter);
  return withTransaction(
    async (tx) => {
      await lockSegmentDefinitions(tx, workspaceId);
      await findSegmentIn(tx, workspaceId, segmentId);
      const { filters, definitions } = await loadSegmentDefinitions(tx, workspaceId);
      if (filter) {
        checkReferences(filter, filters);
        const cycle = findSegmentCycle(segmentId, filter, filters);
        if (cycle) throw new SegmentCycleError(cycle);
      }
      const segment = await tx.segment.update({
        where: { id_workspaceId: { workspaceId, id: segmentId } },
        data: {
          ...(fields.name !== undefined && { name: fields.name }),
          ...(fields.description !== undefined && { description: fields.description }),
          ...(filter && { filter: asJson(filter) }),
        },
      });
      if (!filter) return segment;
      filters.set(segmentId, filter);
      const including = segmentsIncluding(segmentId, filters);
      const dependents = definitions.filter((other) => including.has(other.id));
      const [updated] = await recompute(
        tx,
        [toDefinition(segment), ...dependents],
        filters,
        options.now ?? new Date(),
      );
      return updated as Segment;
    },
    { ...segmentTransactionOptions, tx: options.tx },
  );
}

/** Deletes a segment with its membership rows. Refused while another segment includes it. */
export async function deleteSegment(workspaceId: string, segmentId: string): Promise<string> {
  return withTransaction(async (tx) => {
    await lockSegmentDefinitions(tx, workspaceId);
    await findSegmentIn(tx, workspaceId, segmentId);
    const { definitions } = await loadSegmentDefinitions(tx, workspaceId);
    const user = definitions.find((other) => referencedSegments(other.filter).has(segmentId));
    if (user) {
      throw new ConflictError(`segment "${user.name}" includes this segment; change it first`, [
        "id",
      ]);
    }
    await tx.segment.delete({ where: { id_workspaceId: { workspaceId, id: segmentId } } });
    return segmentId;
  });
}

export async function findSegment(workspaceId: string, segmentId: string): Promise<Segment> {
  return findSegmentIn(db(), workspaceId, segmentId);
}

async function findSegmentIn(
  client: Executor,
  workspaceId: string,
  segmentId: string,
): Promise<Segment> {
  const segment = isUuid(segmentId)
    ? await client.segment.findFirst({ where: { id: segmentId, workspaceId } })
    : null;
  if (!segment) throw new NotFoundError("Segment", segmentId);
  return segment;
}

/** Lists a workspace's segments, newest first; `query` carries Pothos's selection and paging. */
export function listSegments<Q extends object>(workspaceId: string, query: Q) {
  return db().segment.findMany({
    ...query,
    where: { workspaceId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

export function countSegments(workspaceId: string): Promise<number> {
  return db().segment.count({ where: { workspaceId } });
}

/** Every segment of a workspace, and their filters by id (what `inSegment` inlines). */
/**
 * The segment filters `filter` refers to (through inSegment, at any depth), for compiling it:
 * none are read when it refers to none, as most scenario conditions and audiences do.
 */
export async function segmentFiltersFor(
  client: Executor,
  workspaceId: string,
  filter: SegmentFilter,
): Promise<ReadonlyMap<string, SegmentFilter>> {
  if (referencedSegments(filter).size === 0) return new Map();
  return (await loadSegmentDefinitions(client, workspaceId)).filters;
}

export async function loadSegmentDefinitions(
  client: Executor,
  workspaceId: string,
): Promise<{ definitions: SegmentDefinition[]; filters: Map<string, SegmentFilter> }> {
  const rows = await client.segment.findMany({
    where: { workspaceId },
    select: { id: true, workspaceId: true, name: true, filter: true },
    orderBy: { createdAt: "asc" },
  });
  const definitions = rows.map(toDefinition);
  return { definitions, filters: new Map(definitions.map((d) => [d.id, d.filter])) };
}

export function toDefinition(row: {
  id: string;
  workspaceId: string;
  name: string;
  filter: unknown;
}): SegmentDefinition {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    filter: row.filter as SegmentFilter,
  };
}

async function recompute(
  tx: Transaction,
  segments: SegmentDefinition[],
  filters: ReadonlyMap<string, SegmentFilter>,
  now: Date,
): Promise<Segment[]> {
  const all = new Map(filters);
  for (const segment of segments) all.set(segment.id, segment.filter);
  const updated: Segment[] = [];
  const [first] = segments;
  if (!first) return updated;
  const currency = await loadWorkspaceCurrency(tx, first.workspaceId);
  for (const segment of segments) {
    await syncMemberships(tx, segment, { segments: all, now, currency, recordEvents: false });
    updated.push(
      await tx.segment.update({
        where: { id_workspaceId: { workspaceId: segment.workspaceId, id: segment.id } },
        data: { refreshedAt: now },
      }),
    );
  }
  return updated;
}

function asJson(filter: SegmentFilter): Prisma.InputJsonObject {
  return filter as unknown as Prisma.InputJsonObject;
}
