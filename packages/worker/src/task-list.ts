import type { JobName } from "@cartwheel/api/domain";
import type { Task } from "graphile-worker";
import { abandon_carts } from "./tasks/abandon_carts.ts";
import { advance_scenario_run } from "./tasks/advance_scenario_run.ts";
import { advance_scenario_runs } from "./tasks/advance_scenario_runs.ts";
import { call_webhook } from "./tasks/call_webhook.ts";
import { decay_scores } from "./tasks/decay_scores.ts";
import { decide_split_winners } from "./tasks/decide_split_winners.ts";
import { process_event } from "./tasks/process_event.ts";
import { process_events } from "./tasks/process_events.ts";
import { rebuild_recommendations } from "./tasks/rebuild_recommendations.ts";
import { refresh_contact_segments } from "./tasks/refresh_contact_segments.ts";
import { refresh_recommendations } from "./tasks/refresh_recommendations.ts";
import { refresh_segment } from "./tasks/refresh_segment.ts";
import { refresh_segments } from "./tasks/refresh_segments.ts";
import { replay_browser_orders } from "./tasks/replay_browser_orders.ts";
import { replay_commerce_history } from "./tasks/replay_commerce_history.ts";
import { roll_up_analytics } from "./tasks/roll_up_analytics.ts";
import { send_email } from "./tasks/send_email.ts";
import { wake_scenario_runs } from "./tasks/wake_scenario_runs.ts";

/**
 * Every task the worker runs, by identifier; each lives in `tasks/<identifier>.ts`. Typed
 * against the job catalogue: a job without a handler (or a handler without a job) fails the
 * typecheck.
 */
export const taskList = {
  process_event,
  process_events,
  decay_scores,
  refresh_segments,
  refresh_segment,
  refresh_contact_segments,
  send_email,
  advance_scenario_run,
  advance_scenario_runs,
  call_webhook,
  wake_scenario_runs,
  abandon_carts,
  refresh_recommendations,
  rebuild_recommendations,
  decide_split_winners,
  roll_up_analytics,
  replay_browser_orders,
  replay_commerce_history,
} satisfies Record<JobName, Task>;
