import { decayScores } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Scheduled daily: applies each workspace's score decay policy. Idempotent per decay period,
 * so a rerun (or a retried job) in the same period changes nothing.
 */
export const decay_scores = defineTask("decay_scores", async (_payload, helpers) => {
  const decayed = await decayScores();
  if (decayed > 0) helpers.logger.info(`decay_scores: ${decayed} contacts decayed`);
});
