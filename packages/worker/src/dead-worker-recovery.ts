import { EventEmitter } from "node:events";
import { forgetWorkers, recordHeartbeats, unlockDeadWorkers } from "@cartwheel/api/domain";
import type { WorkerEvents } from "graphile-worker";

export interface DeadWorkerRecoveryOptions {
  /** A worker not heard of for this long is dead and its jobs are unlocked. Default 60 s. */
  staleAfterMs?: number;
  /** Told when a tick fails (the next tick tries again). Default: the console. */
  onError?: (error: unknown) => void;
}

export interface DeadWorkerRecovery {
  /** Pass to every graphile-worker runner of this process (`run({ events })`). */
  events: WorkerEvents;
  stop(): Promise<void>;
}

/**
 * Keeps a heartbeat for this process's graphile-worker pools and workers and, from every process, hands
 * the jobs of dead workers back to the queue: graphile-worker alone keeps them locked for four
 * hours after a SIGKILL. Each tick (a quarter of `staleAfterMs`) marks this process's workers
 * alive and unlocks those of workers silent for `staleAfterMs`.
 *
 * @example const recovery = startDeadWorkerRecovery(); await run({ ..., events: recovery.events })
 */
export function startDeadWorkerRecovery(
  options: DeadWorkerRecoveryOptions = {},
): DeadWorkerRecovery {
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const onError =
    options.onError ?? ((error) => console.error("cartwheel worker: dead-worker recovery", error));
  const events: WorkerEvents = new EventEmitter();
  const alive = new Set<string>();
  let tick: Promise<void> = Promise.resolve();

  events.on("worker:create", ({ worker }) => {
    alive.add(worker.workerId);
  });
  events.on("worker:stop", ({ worker }) => {
    alive.delete(worker.workerId);
    forgetWorkers([worker.workerId]).catch(onError);
  });
  // graphile-worker 0.18 locks jobs in its pool's name (`locked_by` = `pool-…`), not a worker's:
  // without the pool's heartbeat, a live process's job locked for `staleAfterMs` would be
  // handed to another worker while it still runs.
  events.on("pool:create", ({ workerPool }) => {
    alive.add(workerPool.id);
  });
  events.on("pool:release", ({ workerPool }) => {
    alive.delete(workerPool.id);
    forgetWorkers([workerPool.id]).catch(onError);
  });

  const beat = async () => {
    await recordHeartbeats([...alive]);
    await unlockDeadWorkers(staleAfterMs);
  };
  const run = () => {
    tick = tick.then(beat).catch(onError);
  };
  run();
  const timer = setInterval(run, Math.max(250, staleAfterMs / 4));

  return {
    events,
    async stop() {
      clearInterval(timer);
      await tick;
      await forgetWorkers([...alive]).catch(onError);
    },
  };
}
