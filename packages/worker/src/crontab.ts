import type { JobName } from "@cartwheel/api/domain";

interface Schedule {
  /** `minute hour day-of-month month day-of-week`, as in cron. */
  pattern: string;
  task: JobName;
  /** graphile-worker's crontab options, e.g. `max=3` (backfill at most 3 missed runs). */
  options?: string;
}

const schedules: Schedule[] = [
  { pattern: "5 * * * *", task: "refresh_segments", options: "max=3" },
  { pattern: "17 3 * * *", task: "decay_scores", options: "max=3" },
  { pattern: "* * * * *", task: "wake_scenario_runs" },
];

/** The scheduled tasks, in graphile-worker's crontab format (`pattern task ?options`). */
export const crontab = schedules
  .map(({ pattern, task, options }) => `${pattern} ${task}${options ? ` ?${options}` : ""}`)
  .join("\n");
