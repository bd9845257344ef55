import type { Executor } from "../../../db.ts";
import { addJob, type JobSpec } from "../../jobs/add-job.ts";

/** The job flag marketing sends carry; the worker's fast lane refuses jobs with it. */
export const marketingJobFlag = "email:marketing";

export type EmailKindName = "MARKETING" | "TRANSACTIONAL";

/** The `job_key` of a message's send job: one job per message. */
export function sendJobKey(messageId: string): string {
  return `send_email:${messageId}`;
}

/** The part of a send job's spec that is the same for every message of a kind. */
export function sendJobSettings(kind: EmailKindName) {
  return {
    priority: kind === "TRANSACTIONAL" ? -10 : 0,
    flags: kind === "MARKETING" ? [marketingJobFlag] : null,
    maxAttempts: 12,
  };
}

/**
 * How a send job is queued: one job per message (`job_key`), transactional mail first
 * (priority -10 runs before 0) and marketing flagged, so a runner with
 * `forbiddenFlags: [marketingJobFlag]` only ever serves transactional mail.
 */
export function sendJobSpec(messageId: string, kind: EmailKindName): JobSpec {
  return { jobKey: sendJobKey(messageId), ...sendJobSettings(kind) };
}

/**
 * Queues the `send_email` job of a message through `executor` (its transaction), or again
 * later with `runAt` when the rate limit pushed it back.
 *
 * @example await addSendJob(tx, message.id, "MARKETING")
 */
export function addSendJob(
  executor: Executor,
  messageId: string,
  kind: EmailKindName,
  options: { runAt?: Date; deferrals?: number } = {},
): Promise<void> {
  return addJob(
    executor,
    "send_email",
    { messageId, ...(options.deferrals && { deferrals: options.deferrals }) },
    { ...sendJobSpec(messageId, kind), ...(options.runAt && { runAt: options.runAt }) },
  );
}
