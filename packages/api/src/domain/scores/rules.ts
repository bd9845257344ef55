import { z } from "zod";
import { db } from "../../db.ts";
import type { ScoringRule } from "../../generated/prisma/client.ts";
import { parsePropertyConditions } from "../conditions/parse/parse-filter.ts";
import { NotFoundError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";

const ruleFields = z.object({
  name: z.string().trim().min(1, "must not be empty").max(200),
  eventName: z.string().trim().min(1, "must not be empty").max(200),
  conditions: z.array(z.unknown()).max(20).nullable().optional(),
  points: z
    .number()
    .int("must be a whole number")
    .min(-10_000)
    .max(10_000)
    .refine((points) => points !== 0, "must not be 0"),
  dailyCap: z.number().int("must be a whole number").min(1).max(1_000_000).nullable().optional(),
  enabled: z.boolean().nullable().optional(),
});
export type ScoringRuleInput = z.input<typeof ruleFields>;

/**
 * Creates a scoring rule. `conditions` are property conditions on the event, as in segment
 * filters' `where`; `dailyCap` bounds the points (in absolute value) one contact gets from the
 * rule per UTC day (no cap by default); rules start enabled.
 *
 * @example createScoringRule(workspaceId, { name: "Pricing page", eventName: "Page Viewed", points: 5,
 *   conditions: [{ key: "path", type: "STRING", op: "STARTS_WITH", value: "/pricing" }], dailyCap: 15 })
 */
export async function createScoringRule(
  workspaceId: string,
  input: ScoringRuleInput,
): Promise<ScoringRule> {
  const fields = parseInput(ruleFields, input);
  const conditions = parsePropertyConditions(fields.conditions ?? [], ["conditions"]);
  return db().scoringRule.create({
    data: {
      workspaceId,
      name: fields.name,
      eventName: fields.eventName,
      conditions: conditions as object[],
      points: fields.points,
      dailyCap: fields.dailyCap ?? null,
      enabled: fields.enabled ?? true,
    },
  });
}

/** Changes the given fields of a rule; `dailyCap: null` removes the cap. */
export async function updateScoringRule(
  workspaceId: string,
  ruleId: string,
  input: Partial<ScoringRuleInput>,
): Promise<ScoringRule> {
  const fields = parseInput(ruleFields.partial(), input);
  const conditions =
    fields.conditions == null
      ? undefined
      : parsePropertyConditions(fields.conditions, ["conditions"]);
  const rule = await findScoringRule(workspaceId, ruleId);
  return db().scoringRule.update({
    where: { id_workspaceId: { workspaceId: rule.workspaceId, id: rule.id } },
    data: {
      ...(fields.name !== undefined && { name: fields.name }),
      ...(fields.eventName !== undefined && { eventName: fields.eventName }),
      ...(conditions && { conditions: conditions as object[] }),
      ...(fields.points !== undefined && { points: fields.points }),
      ...(fields.dailyCap !== undefined && { dailyCap: fields.dailyCap }),
      ...(fields.enabled != null && { enabled: fields.enabled }),
    },
  });
}

/** Deletes a rule; the score history it wrote stays, without the rule. */
export async function deleteScoringRule(workspaceId: string, ruleId: string): Promise<string> {
  const rule = await findScoringRule(workspaceId, ruleId);
  await db().$transaction([
    db().scoreChange.updateMany({
      where: { workspaceId, ruleId: rule.id },
      data: { ruleId: null },
    }),
    db().scoringRule.delete({ where: { id_workspaceId: { workspaceId, id: rule.id } } }),
  ]);
  return rule.id;
}

export async function findScoringRule(workspaceId: string, ruleId: string): Promise<ScoringRule> {
  const rule = isUuid(ruleId)
    ? await db().scoringRule.findFirst({ where: { id: ruleId, workspaceId } })
    : null;
  if (!rule) throw new NotFoundError("ScoringRule", ruleId);
  return rule;
}

/** Lists a workspace's rules, oldest first; `query` carries Pothos's selection and paging. */
export function listScoringRules<Q extends object>(workspaceId: string, query: Q) {
  return db().scoringRule.findMany({
    ...query,
    where: { workspaceId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

export function countScoringRules(workspaceId: string): Promise<number> {
  return db().scoringRule.count({ where: { workspaceId } });
}
