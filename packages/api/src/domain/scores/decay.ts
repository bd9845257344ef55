import { z } from "zod";
import { db, type Transaction } from "../../db.ts";
import type { ScoreDecayPolicy } from "../../generated/prisma/client.ts";
import { parseInput } from "../shared/validation.ts";

const policyInput = z.object({
  inactiveDays: z.number().int("must be a whole number").min(1, "must be at least 1 day").max(3650),
  percent: z.number().int("must be a whole number").min(1).max(100),
  enabled: z.boolean().default(true),
});

/**
 * Sets how a workspace's scores fade: `percent` off after every `inactiveDays` days without
 * activity (a contact's last-seen time, or its creation when never seen).
 *
 * @example setScoreDecay(workspaceId, { inactiveDays: 30, percent: 10 })
 */
export function setScoreDecay(
  workspaceId: string,
  input: z.input<typeof policyInput>,
): Promise<ScoreDecayPolicy> {
  const policy = parseInput(policyInput, input);
  return db().scoreDecayPolicy.upsert({
    where: { workspaceId },
    create: { workspaceId, ...policy },
    update: policy,
  });
}

/** The workspace's decay policy, or null when it never set one. */
export function loadScoreDecay(workspaceId: string): Promise<ScoreDecayPolicy | null> {
  return db().scoreDecayPolicy.findUnique({ where: { workspaceId } });
}

/** How many contacts of one workspace a decay run changed. */
export interface DecayedWorkspace {
  workspaceId: string;
  contacts: number;
}

/**
 * Applies every enabled decay policy as of `now`, in the caller's transaction: a contact
 * inactive for N full periods gets its Nth decay once (the history row is keyed by contact,
 * inactivity start and period, so running this again in the same period changes nothing, and
 * new activity starts over). Scores move toward 0, rounded toward 0. Contacts locked by a
 * running job are left for the next run. Returns the workspaces whose scores changed.
 */
export async function applyScoreDecay(tx: Transaction, now: Date): Promise<DecayedWorkspace[]> {
  const rows = await tx.$queryRaw<{ workspace_id: string; contacts: number }[]>`
    WITH due AS (
      SELECT c.id, c.workspace_id, c.score, p.percent, p.inactive_days,
             coalesce(c.last_seen_at, c.created_at) AS since,
             floor(extract(epoch FROM (${now}::timestamptz - coalesce(c.last_seen_at, c.created_at)))
                   / (p.inactive_days * 86400))::int AS period
        FROM contacts c
        JOIN score_decay_policies p ON p.workspace_id = c.workspace_id AND p.enabled
       WHERE c.score <> 0
         AND coalesce(c.last_seen_at, c.created_at) <= ${now}::timestamptz - make_interval(days => p.inactive_days)
         FOR UPDATE OF c SKIP LOCKED),
    changes AS (
      INSERT INTO score_changes (workspace_id, contact_id, kind, delta, score_after, reason, dedupe_key, occurred_at)
      SELECT workspace_id, id, 'DECAY', next - score, next,
             format('%s%% off after %s days without activity', percent, inactive_days),
             format('decay:%s:%s:%s', id, extract(epoch FROM since), period), ${now}::timestamptz
        FROM (SELECT *, trunc(score * (100 - percent) / 100.0)::int AS next FROM due) d
       WHERE next <> score
      ON CONFLICT (workspace_id, dedupe_key) DO NOTHING
      RETURNING contact_id, delta),
    updated AS (
      UPDATE contacts c SET score = c.score + changes.delta
        FROM changes WHERE c.id = changes.contact_id
      RETURNING c.workspace_id)
    SELECT workspace_id::text, count(*)::int AS contacts FROM updated GROUP BY workspace_id`;
  return rows.map((row) => ({ workspaceId: row.workspace_id, contacts: row.contacts }));
}
