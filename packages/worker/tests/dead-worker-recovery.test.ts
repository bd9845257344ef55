import { db, unlockDeadWorkers } from "@cartwheel/api/domain";
import { run } from "graphile-worker";
import { expect, it } from "vitest";
import { startDeadWorkerRecovery } from "../src/dead-worker-recovery.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await pause(50);
  }
  throw new Error(`gave up waiting for ${what}`);
}

it("never hands back a job that a live process still runs, however long ago it was locked", async () => {
  const recovery = startDeadWorkerRecovery({ staleAfterMs: 1_000 });
  let runs = 0;
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const runner = await run({
    connectionString: process.env.DATABASE_URL,
    concurrency: 1,
    pollInterval: 100,
    noHandleSignals: true,
    taskList: {
      hold: async () => {
        runs += 1;
        await held;
      },
    },
    events: recovery.events,
  });
  try {
    await runner.addJob("hold", {});
    const lockedBy = await until(async () => {
      const rows = await db().$queryRaw<{ locked_by: string }[]>`
        SELECT locked_by FROM graphile_worker._private_jobs WHERE locked_by IS NOT NULL`;
      return rows[0]?.locked_by;
    }, "the job to be locked");
    // graphile-worker locks in its pool's name; that name must have a heartbeat.
    await until(async () => {
      const rows = await db().$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM worker_heartbeats WHERE worker_id = ${lockedBy}`;
      return rows[0]!.n > 0 ? true : undefined;
    }, `a heartbeat of ${lockedBy}`);

    await db()
      .$executeRaw`UPDATE graphile_worker._private_jobs SET locked_at = now() - interval '1 hour'`;
    expect(await unlockDeadWorkers(60_000)).toEqual([]);
    const [job] = await db().$queryRaw<{ locked_by: string | null }[]>`
      SELECT locked_by FROM graphile_worker._private_jobs`;
    expect(job?.locked_by).toBe(lockedBy);
  } finally {
    release();
    await runner.stop();
    await recovery.stop();
  }
  expect(runs).toBe(1);
});
