export { loadWorkerConfig, type WorkerConfig } from "./config.ts";
export {
  type DeadWorkerRecovery,
  type DeadWorkerRecoveryOptions,
  startDeadWorkerRecovery,
} from "./dead-worker-recovery.ts";
export { type EmailFastLaneOptions, startEmailFastLane } from "./email/fast-lane.ts";
export { type EventLaneOptions, startEventLane } from "./events/event-lane.ts";
export { taskList } from "./task-list.ts";
export { startWorker, type WorkerOptions } from "./worker.ts";
