import { ConfigError } from "@cartwheel/api/config";
import { disconnectDatabase } from "@cartwheel/api/domain";
import { loadWorkerConfig, type WorkerConfig } from "./config.ts";
import { startDeadWorkerRecovery } from "./dead-worker-recovery.ts";
import { startEmailFastLane } from "./email/fast-lane.ts";
import { startEventLane } from "./events/event-lane.ts";
import { startWorker } from "./worker.ts";

let config: WorkerConfig;
try {
  config = loadWorkerConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`cartwheel worker: ${error.message}`);
  process.exit(1);
}
const recovery = startDeadWorkerRecovery({ staleAfterMs: config.deadWorkerAfterMs });
const runner = await startWorker({ ...config, events: recovery.events });
const fastLane =
  config.emailFastLaneConcurrency > 0
    ? await startEmailFastLane({
        databaseUrl: config.databaseUrl,
        concurrency: config.emailFastLaneConcurrency,
        events: recovery.events,
      })
    : null;
const eventLane =
  config.eventLaneConcurrency > 0
    ? await startEventLane({
        databaseUrl: config.databaseUrl,
        concurrency: config.eventLaneConcurrency,
        events: recovery.events,
      })
    : null;
console.log(`cartwheel worker: running ${config.concurrency} jobs at a time`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`cartwheel worker: ${signal}, finishing jobs in flight`);
  await Promise.all([runner.stop(), fastLane?.stop(), eventLane?.stop()]);
  await recovery.stop();
  await disconnectDatabase();
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
