/** The graphile-worker task that delivers one message. */
export const sendEmailTask = "send_email";

/** The job flag marketing sends carry; the worker's fast lane refuses jobs with it. */
export const marketingJobFlag = "email:marketing";

/** The `job_key` of a message's send job: one job per message. */
export function sendJobKey(messageId: string): string {
  return `${sendEmailTask}:${messageId}`;
}

/**
 * How a send job is queued: one job per message (`job_key`), transactional mail first
 * (priority -10 runs before 0) and marketing flagged, so a runner with
 * `forbiddenFlags: [marketingJobFlag]` only ever serves transactional mail.
 */
export function sendJobOptions(messageId: string, kind: "MARKETING" | "TRANSACTIONAL") {
  return { jobKey: sendJobKey(messageId), ...sendJobSettings(kind) };
}

/** The part of `sendJobOptions` that is the same for every message of a kind. */
export function sendJobSettings(kind: "MARKETING" | "TRANSACTIONAL") {
  return {
    priority: kind === "TRANSACTIONAL" ? -10 : 0,
    flags: kind === "MARKETING" ? [marketingJobFlag] : null,
    maxAttempts: 12,
  };
}
