import type { TaskList } from "graphile-worker";
import { process_event } from "./tasks/process_event.ts";

/** Every task the worker runs, by identifier; each lives in `tasks/<identifier>.ts`. */
export const taskList: TaskList = {
  process_event,
};
