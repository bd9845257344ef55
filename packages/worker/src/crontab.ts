/**
 * Scheduled tasks, in graphile-worker's crontab format
 * (`minute hour day month weekday task ?options payload`). Empty until a task needs a schedule.
 */
export const crontab = [
  "# minute hour dom month dow task",
  "5 * * * * refresh_segments ?max=3",
  "17 3 * * * decay_scores ?max=3",
].join("\n");
