import { type Executor, type Transaction, withTransaction } from "../../db.ts";
import { filterDependencies } from "../conditions/dependencies.ts";
import { addJobs } from "../jobs/add-job.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { shareSegmentDefinitions } from "./locks.ts";
import { type MembershipChange, syncMemberships } from "./memberships.ts";
import { loadSegmentDefinitions, segmentTransactionOptions, toDefinition } from "./segments.ts";

/**
 * Recomputes one segment for every contact (the scheduled path for time-relative
 * conditions), recording Segment Entered / Exited for each change unless `recordEvents` is
 * false. Returns the changes; a missing segment (deleted meanwhile) changes nothing. Reads the
 * definitions under the workspace's definitions lock, so a change saved meanwhile waits for
 * it, or it for the change (never an old filter over a new membership), and holds the
 * segment's membership lock, so per-contact re-checks wait for it and then see its result.
 * Joins `tx` when given.
 */
export async function refreshSegment(
  segmentId: string,
  options: { now?: Date; recordEvents?: boolean; tx?: Transaction } = {},
): Promise<MembershipChange[]> {
  const now = options.now ?? new Date();
  return withTransaction(
    async (tx) => {
      const owner = await tx.segment.findFirst({
        where: { id: segmentId },
        select: { workspaceId: true },
      });
      if (!owner) return [];
      await shareSegmentDefinitions(tx, owner.workspaceId);
      const row = await tx.segment.findUnique({
        where: { id_workspaceId: { workspaceId: owner.workspaceId, id: segmentId } },
      });
      if (!row) return [];
      const { filters } = await loadSegmentDefinitions(tx, row.workspaceId);
      const changes = await syncMemberships(tx, toDefinition(row), {
        segments: filters,
        now,
        currency: await loadWorkspaceCurrency(tx, row.workspaceId),
        recordEvents: options.recordEvents ?? true,
      });
      await tx.segment.update({
        where: { id_workspaceId: { workspaceId: row.workspaceId, id: segmentId } },
        data: { refreshedAt: now },
      });
      return changes;
    },
    { ...segmentTransactionOptions, tx: options.tx },
  );
}

/**
 * What a segment's membership can change with, for choosing the ones to refresh: `time`
 * passing (any window counting back from now), `shortWindow` (a window under a day, such as
 * `withinHours: 2` or `withinMinutes: 30`: an hourly re-check would leave it stale for much of
 * its length), scores, contact data, or the `catalog` (a product's category, which purchased
 * conditions on a category read).
 */
export type RefreshReason = "time" | "shortWindow" | "score" | "contactData" | "catalog";

/** Windows shorter than this (in minutes) are `shortWindow`: a day. */
export const shortWindowMinutes = 1440;

/**
 * Queues a `refresh_segment` job (keyed by segment, so queued twice runs once) for each
 * segment that depends on `dependingOn` (time passing, a window under a day, scores or
 * contact data), in one workspace or all, through `executor` (the caller's transaction, so
 * the jobs exist if and only if its change commits). Returns the segment ids queued.
 *
 * Time-relative segments are only as fresh as this sweep: events move a contact in at once,
 * but a window lapsing (the order now 2 hours and 1 minute old) is seen at the next sweep. The
 * worker sweeps `time` hourly and `shortWindow` every 5 minutes (its crontab), so a segment
 * with a 30-minute window lags by up to about 5 minutes. A scenario condition evaluates its
 * filter at the moment and is exact.
 *
 * @example await enqueueSegmentRefreshes({ dependingOn: "shortWindow" }) // every 5 minutes
 */
export async function enqueueSegmentRefreshes(
  options: { dependingOn: RefreshReason; workspaceId?: string | undefined },
  executor?: Executor,
): Promise<string[]> {
  return withTransaction(
    async (tx) => {
      const workspaces =
        options.dependingOn === "shortWindow"
          ? await workspacesWithShortWindows(tx, options.workspaceId)
          : await tx.segment.findMany({
              where: options.workspaceId ? { workspaceId: options.workspaceId } : {},
              distinct: ["workspaceId"],
              select: { workspaceId: true },
            });
      const due: string[] = [];
      for (const { workspaceId } of workspaces) {
        const { definitions, filters } = await loadSegmentDefinitions(tx, workspaceId);
        for (const segment of definitions) {
          const deps = filterDependencies(segment.filter, filters);
          const dependent: Record<RefreshReason, boolean> = {
            time: deps.timeRelative,
            shortWindow: (deps.shortestWindowMinutes ?? Infinity) < shortWindowMinutes,
            score: deps.score,
            contactData: deps.contactData,
            catalog: deps.catalog,
          };
          if (dependent[options.dependingOn]) due.push(segment.id);
        }
      }
      await addJobs(
        tx,
        "refresh_segment",
        due.map((segmentId) => ({
          payload: { segmentId },
          jobKey: `refresh_segment:${segmentId}`,
        })),
      );
      return due;
    },
    { tx: executor },
  );
}

/**
 * The workspaces with a segment that may hold a window under a day, so the 5-minute sweep
 * reads only their definitions. Only `withinHours` and `withinMinutes` can be under a day (days
 * are whole, at least 1), and a segment that includes such a segment is in the same workspace.
 */
function workspacesWithShortWindows(
  tx: Executor,
  workspaceId: string | undefined,
): Promise<{ workspaceId: string }[]> {
  return tx.$queryRaw`
    SELECT DISTINCT workspace_id::text AS "workspaceId" FROM segments
     WHERE (${workspaceId ?? null}::uuid IS NULL OR workspace_id = ${workspaceId ?? null}::uuid)
       AND filter::text ~ '"within(Hours|Minutes)"'`;
}
