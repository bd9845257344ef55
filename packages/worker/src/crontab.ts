import type { JobName, JobPayload } from "@cartwheel/api/domain";

/** One schedule of a task, with a payload of that task's type. */
type Schedule = {
  [N in JobName]: {
    /** `minute hour day-of-month month day-of-week`, as in cron. */
    pattern: string;
    task: N;
    /**
     * graphile-worker's crontab options: `max=3` (at most 3 attempts), `id=…` (needed when a
     * task has two schedules: it names the schedule, and defaults to the task).
     */
    options?: string;
    payload?: JobPayload<N>;
  };
}[JobName];

/**
 * Time-relative segments are swept hourly; those with a window under a day (`withinHours: 2`,
 * `withinMinutes: 30`) also every 5 minutes, off the hour's :05 so the two sweeps do not queue
 * the same segments at once. That bounds how long such a segment lags behind time passing.
 */
const everyFiveMinutesOffTheHourlySweep = Array.from({ length: 12 }, (_, i) => 2 + 5 * i).join(",");

const schedules: Schedule[] = [
  { pattern: "5 * * * *", task: "refresh_segments", options: "max=3" },
  {
    pattern: `${everyFiveMinutesOffTheHourlySweep} * * * *`,
    task: "refresh_segments",
    options: "id=refresh_segments_short_window&max=3",
    payload: { dependingOn: "shortWindow" },
  },
  { pattern: "17 3 * * *", task: "decay_scores", options: "max=3" },
  { pattern: "* * * * *", task: "wake_scenario_runs" },
  { pattern: "*/5 * * * *", task: "abandon_carts", options: "max=3" },
  {
    pattern: `${everyFiveMinutesOffTheHourlySweep} * * * *`,
    task: "refresh_recommendations",
    options: "max=3",
  },
  { pattern: "41 2 * * *", task: "rebuild_recommendations", options: "max=3" },
  { pattern: "23 * * * *", task: "decide_split_winners", options: "max=3" },
  { pattern: "* * * * *", task: "roll_up_analytics", options: "max=3" },
];

/** The scheduled tasks, in graphile-worker's crontab format (`pattern task ?options payload`). */
export const crontab = schedules
  .map(
    ({ pattern, task, options, payload }) =>
      `${pattern} ${task}${options ? ` ?${options}` : ""}${payload ? ` ${JSON.stringify(payload)}` : ""}`,
  )
  .join("\n");
