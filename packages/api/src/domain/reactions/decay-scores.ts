import { withTransaction } from "../../db.ts";
import { applyScoreDecay } from "../scores/decay.ts";
import { enqueueSegmentRefreshes } from "../segments/refresh.ts";

/** Long enough to decay every inactive contact of every workspace in one statement. */
const decayTransaction = { timeoutMs: 120_000 } as const;

/**
 * The scheduled score decay and what it causes: every enabled policy is applied as of `now`
 * (`applyScoreDecay`), and the score-dependent segments of each changed workspace are queued
 * for a refresh in the same transaction, so a crash cannot leave decayed scores with stale
 * segments. Returns how many contacts decayed.
 *
 * @example await decayScores() // the daily schedule
 */
export async function decayScores(options: { now?: Date } = {}): Promise<number> {
  const now = options.now ?? new Date();
  return withTransaction(async (tx) => {
    const decayed = await applyScoreDecay(tx, now);
    for (const { workspaceId } of decayed) {
      await enqueueSegmentRefreshes({ workspaceId, dependingOn: "score" }, tx);
    }
    return decayed.reduce((sum, workspace) => sum + workspace.contacts, 0);
  }, decayTransaction);
}
