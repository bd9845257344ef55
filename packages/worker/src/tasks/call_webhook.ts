import { callWebhook } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * One attempt at a scenario webhook (`callWebhook`). A failed attempt throws, so
 * graphile-worker retries it with its exponential backoff; the last one settles the step.
 */
export const call_webhook = defineTask("call_webhook", async ({ runId, seq }, helpers) => {
  const outcome = await callWebhook(runId, seq, helpers.job.attempts, {
    maxAttempts: helpers.job.max_attempts,
  });
  if (!outcome.done && outcome.retry && helpers.job.attempts < helpers.job.max_attempts) {
    throw new Error(`webhook attempt ${helpers.job.attempts} failed: ${outcome.error}`);
  }
});
