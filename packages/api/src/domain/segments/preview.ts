import { db, pool } from "../../db.ts";
import { compileSegmentQuery } from "../conditions/compile.ts";
import { parseSegmentFilter } from "../conditions/parse/parse-filter.ts";
import { isUuid } from "../shared/validation.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { checkReferences } from "./references.ts";
import { loadSegmentDefinitions } from "./segments.ts";

const noRow = "00000000-0000-0000-0000-000000000000";

export interface SegmentPreview {
  count: number;
  /** Up to `sampleSize` matching contacts, newest first. */
  sampleContactIds: string[];
}

/**
 * Evaluates a filter without saving it: how many contacts match now, and a sample of them.
 * Throws InvalidInputError for a bad filter. `sampleSize` defaults to 10 (at most 100).
 *
 * @example const { count } = await previewSegment(workspaceId, { tag: { name: "vip" } })
 */
export async function previewSegment(
  workspaceId: string,
  rawFilter: unknown,
  options: { sampleSize?: number; now?: Date } = {},
): Promise<SegmentPreview> {
  const filter = parseSegmentFilter(rawFilter);
  const { filters } = await loadSegmentDefinitions(db(), workspaceId);
  checkReferences(filter, filters);
  const query = compileSegmentQuery(filter, {
    workspaceId,
    now: options.now ?? new Date(),
    segments: filters,
    currency: await loadWorkspaceCurrency(db(), workspaceId),
  });
  const size = Math.min(Math.max(Math.trunc(options.sampleSize ?? 10) || 0, 0), 100);
  const [counted, sample] = await Promise.all([
    pool().query<{ count: number }>(
      `SELECT count(*)::int AS count FROM (${query.text}) s`,
      query.values,
    ),
    pool().query<{ id: string }>(
      `${query.text} ORDER BY c.created_at DESC, c.id DESC LIMIT $${query.values.length + 1}`,
      [...query.values, size],
    ),
  ]);
  return { count: counted.rows[0]?.count ?? 0, sampleContactIds: sample.rows.map((row) => row.id) };
}

/**
 * Lists a segment's members, newest contacts first; `query` carries Pothos's selection and
 * paging. Confined to the workspace.
 */
export function listSegmentMembers<Q extends object>(
  workspaceId: string,
  segmentId: string,
  query: Q,
) {
  return db().contact.findMany({
    ...query,
    where: {
      workspaceId,
      segmentMemberships: {
        some: { segmentId: isUuid(segmentId) ? segmentId : noRow, isMember: true },
      },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

/** Loads contacts of the workspace by id, in the order given. */
export async function loadContactsInOrder(workspaceId: string, contactIds: string[]) {
  const contacts = await db().contact.findMany({ where: { workspaceId, id: { in: contactIds } } });
  const byId = new Map(contacts.map((contact) => [contact.id, contact]));
  return contactIds.flatMap((id) => byId.get(id) ?? []);
}
