export { loadWorkerConfig, type WorkerConfig } from "./config.ts";
export { taskList } from "./task-list.ts";
export { startWorker, type WorkerOptions } from "./worker.ts";
