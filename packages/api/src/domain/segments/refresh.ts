import { db, type Transaction } from "../../db.ts";
import { segmentDependencies } from "./dependencies.ts";
import { type MembershipChange, syncMemberships } from "./memberships.ts";
import { loadSegmentDefinitions, segmentTransactionOptions, toDefinition } from "./segments.ts";

/**
 * Recomputes one segment for every contact (the scheduled path for time-relative
 * conditions), recording Segment Entered / Exited for each change unless `recordEvents` is
 * false. Returns the changes; a missing segment (deleted meanwhile) changes nothing.
 */
export async function refreshSegment(
  segmentId: string,
  options: { now?: Date; recordEvents?: boolean } = {},
): Promise<MembershipChange[]> {
  const now = options.now ?? new Date();
  return db().$transaction(async (tx) => {
    const row = await tx.segment.findUnique({ where: { id: segmentId } });
    if (!row) return [];
    const { filters } = await loadSegmentDefinitions(tx, row.workspaceId);
    const changes = await syncMemberships(tx, toDefinition(row), {
      segments: filters,
      now,
      recordEvents: options.recordEvents ?? true,
    });
    await tx.segment.update({ where: { id: segmentId }, data: { refreshedAt: now } });
    return changes;
  }, segmentTransactionOptions);
}

/**
 * Queues a `refresh_segment` job (keyed by segment, so queued twice runs once) for each
 * segment that depends on time passing or on scores, in one workspace or all, through
 * `client` (the caller's transaction, so the jobs exist if and only if its change commits;
 * the pool by default). Returns the segment ids queued.
 *
 * @example await enqueueSegmentRefreshes({ dependingOn: "time" }) // the hourly schedule
 */
export async function enqueueSegmentRefreshes(
  options: { dependingOn: "time" | "score" | "contactData"; workspaceId?: string },
  client: Pick<Transaction, "segment" | "$executeRaw"> = db(),
): Promise<string[]> {
  const workspaces = await client.segment.findMany({
    where: options.workspaceId ? { workspaceId: options.workspaceId } : {},
    distinct: ["workspaceId"],
    select: { workspaceId: true },
  });
  const due: string[] = [];
  for (const { workspaceId } of workspaces) {
    const { definitions, filters } = await loadSegmentDefinitions(client, workspaceId);
    for (const segment of definitions) {
      const deps = segmentDependencies(segment.filter, filters);
      const dependent = {
        time: deps.timeRelative,
        score: deps.score,
        contactData: deps.contactData,
      };
      if (dependent[options.dependingOn]) due.push(segment.id);
    }
  }
  if (due.length > 0) {
    await client.$executeRaw`
      SELECT graphile_worker.add_job('refresh_segment', json_build_object('segmentId', id),
                                     job_key => 'refresh_segment:' || id)
        FROM unnest(${due}::uuid[]) AS id`;
  }
  return due;
}
