import type { Transaction } from "../../db.ts";
import type { ScoringRule } from "../../generated/prisma/client.ts";
import type { PropertyCondition } from "../conditions/filter.ts";
import { matchEvent } from "../conditions/match-event.ts";
import { writeScoreChange } from "./score-changes.ts";

/** The stored event a rule is applied to. */
export interface ScoredEvent {
  id: string;
  workspaceId: string;
  contactId: string;
  name: string;
  occurredAt: Date;
}

/**
 * Applies the workspace's enabled rules for the event's name whose property conditions hold:
 * each adds its points (trimmed to what its daily cap leaves) with a history row keyed
 * `rule:<ruleId>:event:<eventId>`, so a retried job changes nothing. The caller holds the
 * contact's row lock. Returns the score before and after, or null when it did not change.
 */
/** A score change: from `before` to `after`. */
export interface ScoreMove {
  before: number;
  after: number;
}

export async function applyScoringRules(
  tx: Transaction,
  event: ScoredEvent,
): Promise<ScoreMove | null> {
  const rules = await tx.scoringRule.findMany({
    where: { workspaceId: event.workspaceId, eventName: event.name, enabled: true },
    orderBy: { createdAt: "asc" },
  });
  if (rules.length === 0) return null;
  const matching = await rulesMatching(tx, event, rules);
  let move = null as ScoreMove | null;
  for (const rule of matching) {
    const points = await pointsWithinCap(tx, rule, event);
    if (points === 0) continue;
    const score = await writeScoreChange(tx, {
      workspaceId: event.workspaceId,
      contactId: event.contactId,
      kind: "RULE",
      delta: points,
      reason: `${rule.name} (${event.name})`,
      occurredAt: event.occurredAt,
      ruleId: rule.id,
      eventId: event.id,
      dedupeKey: `rule:${rule.id}:event:${event.id}`,
    });
    if (score !== null) move = { before: move?.before ?? score - points, after: score };
  }
  return move;
}

/** The rules whose property conditions the stored event meets, in one query. */
async function rulesMatching(
  tx: Transaction,
  event: ScoredEvent,
  rules: ScoringRule[],
): Promise<ScoringRule[]> {
  const lists = rules.map((rule) => rule.conditions as unknown as PropertyCondition[]);
  const matches = await matchEvent(tx, event.id, lists, event.occurredAt);
  return rules.filter((_, index) => matches[index]);
}

/** The rule's points, trimmed so the contact's total from it this UTC day stays within the cap. */
async function pointsWithinCap(
  tx: Transaction,
  rule: ScoringRule,
  event: ScoredEvent,
): Promise<number> {
  if (rule.dailyCap === null) return rule.points;
  const day = new Date(event.occurredAt);
  day.setUTCHours(0, 0, 0, 0);
  const [row] = await tx.$queryRaw<{ used: number }[]>`
    SELECT coalesce(sum(abs(delta)), 0)::int AS used FROM score_changes
     WHERE rule_id = ${rule.id}::uuid AND contact_id = ${event.contactId}::uuid
       AND occurred_at >= ${day}::timestamptz AND occurred_at < ${day}::timestamptz + interval '1 day'
       AND dedupe_key <> ${`rule:${rule.id}:event:${event.id}`}`;
  const left = Math.max(0, rule.dailyCap - (row?.used ?? 0));
  return Math.sign(rule.points) * Math.min(Math.abs(rule.points), left);
}
