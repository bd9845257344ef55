import { db, type Executor } from "../../db.ts";

/**
 * graphile-worker keeps the jobs of a worker that died holding them (SIGKILL, out of memory, a
 * lost host) locked for four hours. Live workers say so here every few seconds; any worker
 * process can then hand a dead worker's jobs back to the queue long before that.
 */

/** Marks these workers alive now. */
export async function recordHeartbeats(workerIds: readonly string[], executor: Executor = db()) {
  if (workerIds.length === 0) return;
  await executor.$executeRaw`
    INSERT INTO worker_heartbeats (worker_id, seen_at)
    SELECT id, now() FROM unnest(${[...workerIds]}::text[]) AS id
    ON CONFLICT (worker_id) DO UPDATE SET seen_at = now()`;
}

/** Forgets workers that stopped cleanly: they hold nothing. */
export async function forgetWorkers(workerIds: readonly string[], executor: Executor = db()) {
  if (workerIds.length === 0) return;
  await executor.$executeRaw`
    DELETE FROM worker_heartbeats WHERE worker_id = ANY(${[...workerIds]}::text[])`;
}

/**
 * Unlocks the jobs and job queues held by workers that have not been heard of for `staleAfterMs`
 * (a lock taken that long ago by a worker without a fresh heartbeat: killed before its first
 * heartbeat counts too). Their jobs run again on another worker; every task is written to be
 * retried safely. Returns the workers unlocked.
 */
export async function unlockDeadWorkers(
  staleAfterMs: number,
  executor: Executor = db(),
): Promise<string[]> {
  const stale = `${Math.max(1, Math.round(staleAfterMs))} milliseconds`;
  const dead = await executor.$queryRaw<{ worker_id: string }[]>`
    WITH lockers AS (
      SELECT locked_by AS worker_id, locked_at FROM graphile_worker._private_jobs
       WHERE locked_by IS NOT NULL
      UNION ALL
      SELECT locked_by, locked_at FROM graphile_worker._private_job_queues
       WHERE locked_by IS NOT NULL
    )
    SELECT DISTINCT l.worker_id FROM lockers l
     WHERE l.locked_at < now() - ${stale}::interval
       AND NOT EXISTS (
         SELECT 1 FROM worker_heartbeats h
          WHERE h.worker_id = l.worker_id AND h.seen_at >= now() - ${stale}::interval)`;
  const workerIds = dead.map((row) => row.worker_id);
  if (workerIds.length > 0) {
    await executor.$executeRaw`SELECT graphile_worker.force_unlock_workers(${workerIds}::text[])`;
  }
  // Stale rows hold nothing now: their workers' locks are gone or were never taken.
  await executor.$executeRaw`
    DELETE FROM worker_heartbeats WHERE seen_at < now() - ${stale}::interval`;
  return workerIds;
}
