import {
  addSendJob,
  db,
  deliverMessage,
  failMessage,
  marketingJobFlag,
  TransientSendError,
} from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

const maxDeferralSpreadMs = 60_000;

/**
 * Delivers one message (`deliverMessage`): at most once, within the workspace's send rate.
 * - Rate limit full: the job re-adds itself (same job key) to run when a slot should be free,
 *   spread over a window that doubles with each deferral (capped at a minute), so a large
 *   backlog wakes up at about the send rate instead of all at once.
 * - Throttling, 5xx or a refused connection (or any unexpected error): the job fails and
 *   graphile-worker retries it with exponential backoff; after the last attempt the message is
 *   marked FAILED.
 * - Permanent errors (rejected address, template error) are recorded on the message; the job
 *   succeeds, so they are not retried.
 */
export const send_email = defineTask("send_email", async ({ messageId, deferrals }, helpers) => {
  let result: Awaited<ReturnType<typeof deliverMessage>>;
  try {
    result = await deliverMessage(messageId);
  } catch (error) {
    if (helpers.job.attempts < helpers.job.max_attempts) throw error;
    // No attempt is left: a message left QUEUED now would never be sent nor reported.
    const reason = error instanceof Error ? error.message : String(error);
    await failMessage(messageId, `GAVE_UP after ${helpers.job.attempts} attempts: ${reason}`);
    if (!(error instanceof TransientSendError)) throw error;
    return;
  }
  if (result.status !== "DEFERRED") return;
  const kind = helpers.job.flags?.[marketingJobFlag] ? "MARKETING" : "TRANSACTIONAL";
  const spreadMs = Math.min(2 ** deferrals * 1000, maxDeferralSpreadMs);
  await addSendJob(db(), messageId, kind, {
    deferrals: deferrals + 1,
    runAt: new Date(Date.now() + result.retryInMs + Math.random() * spreadMs),
  });
});
