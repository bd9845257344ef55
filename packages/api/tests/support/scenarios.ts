import { db } from "../../src/db.ts";
import { reactToContactChange } from "../../src/domain/reactions/react-to-contact-change.ts";
import { reactToEvent } from "../../src/domain/reactions/react-to-event.ts";
import { advanceDueRuns } from "../../src/domain/scenarios/runs/advance-run.ts";

/** A clock tests move by hand: scenario time never comes from sleeping. */
export function makeClock(start = new Date()) {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
      return new Date(now);
    },
  };
}
export type TestClock = ReturnType<typeof makeClock>;

export const minute = 60_000;
export const hour = 60 * minute;
export const day = 24 * hour;

/**
 * Does what the worker would do at `now`, in process and in order, until nothing is left: the
 * queued `process_event(s)` and `refresh_contact_segments` jobs (removed as they are handled),
 * then every scenario run that is due. Returns when a round changes nothing.
 */
export async function runDueWork(now: Date): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const handled = await runQueuedReactions(now);
    const moved = await advanceDueRuns({ now });
    if (handled === 0 && moved === 0) return;
  }
  throw new Error("runDueWork did not settle");
}

/** Handles the queued `process_event(s)` and `refresh_contact_segments` jobs once; returns how many. */
export async function runQueuedReactions(now: Date): Promise<number> {
  const jobs = await db().$queryRaw<{ id: bigint; task: string; payload: Record<string, any> }[]>`
      DELETE FROM graphile_worker._private_jobs j USING graphile_worker._private_tasks t
       WHERE t.id = j.task_id AND t.identifier IN ('process_event', 'process_events', 'refresh_contact_segments')
      RETURNING j.id, t.identifier AS task, j.payload`;
  for (const job of jobs.sort((a, b) => Number(a.id - b.id))) {
    if (job.task === "process_event") await reactToEvent(String(job.payload.eventId), { now });
    else if (job.task === "process_events") {
      for (const entry of job.payload as unknown as { eventId: string }[]) {
        await reactToEvent(entry.eventId, { now });
      }
    } else {
      await reactToContactChange(job.payload.workspaceId, job.payload.contactIds, {
        now,
        tagged: job.payload.tagged ?? [],
        changed: job.payload.changed ?? "contactData",
      });
    }
  }
  return jobs.length;
}
