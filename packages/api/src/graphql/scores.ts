import type { PropertyCondition } from "../domain/conditions/filter.ts";
import { adjustScore } from "../domain/reactions/adjust-score.ts";
import { loadScoreDecay, setScoreDecay } from "../domain/scores/decay.ts";
import {
  countScoringRules,
  createScoringRule,
  deleteScoringRule,
  listScoringRules,
  type ScoringRuleInput,
  updateScoringRule,
} from "../domain/scores/rules.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { Contact } from "./contacts.ts";
import { mutationErrors } from "./errors.ts";
import { decodeId } from "./ids.ts";
import { withoutUndefined } from "./input.ts";
import { inCallersWorkspace } from "./scoping.ts";
import { PropertyConditionInput } from "./segment-filter-input.ts";

const PropertyConditionRef = builder.objectRef<PropertyCondition>("PropertyCondition").implement({
  description: "A condition on a custom property, as PropertyConditionInput takes it.",
  fields: (t) => {
    const text = (value: unknown) => (value === undefined ? null : String(value));
    return {
      key: t.exposeString("key"),
      type: t.exposeString("type"),
      op: t.exposeString("op"),
      value: t.string({ nullable: true, resolve: (c) => text(c.value) }),
      values: t.stringList({ nullable: true, resolve: (c) => c.values?.map(String) ?? null }),
      min: t.string({ nullable: true, resolve: (c) => text(c.min) }),
      max: t.string({ nullable: true, resolve: (c) => text(c.max) }),
      days: t.int({ nullable: true, resolve: (c) => c.days ?? null }),
    };
  },
});

export const ScoringRule = builder.prismaNode("ScoringRule", {
  id: { resolve: (row) => row.id },
  nullable: true,
  authScopes: { scope: "contacts:read" },
  findUnique: inCallersWorkspace,
  fields: (t) => ({
    name: t.exposeString("name"),
    eventName: t.exposeString("eventName"),
    conditions: t.field({
      type: [PropertyConditionRef],
      description: "Conditions on the event's properties; all must hold.",
      resolve: (rule) => rule.conditions as unknown as PropertyCondition[],
    }),
    points: t.exposeInt("points", { description: "Added each time; negative removes points." }),
    dailyCap: t.exposeInt("dailyCap", {
      nullable: true,
      description: "Most points (absolute) per contact per UTC day from this rule.",
    }),
    enabled: t.exposeBoolean("enabled"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

export const ScoreChangeKind = builder.enumType("ScoreChangeKind", {
  values: ["RULE", "MANUAL", "DECAY"] as const,
});

const ScoreChange = builder.prismaObject("ScoreChange", {
  description: "One change of a contact's lead score.",
  fields: (t) => ({
    kind: t.field({ type: ScoreChangeKind, resolve: (change) => change.kind }),
    delta: t.exposeInt("delta"),
    scoreAfter: t.exposeInt("scoreAfter"),
    reason: t.exposeString("reason"),
    rule: t.relation("rule", { nullable: true }),
    eventId: t.string({
      nullable: true,
      description: "The event that caused it (for rule changes).",
      resolve: (change) => (change.eventId === null ? null : String(change.eventId)),
    }),
    occurredAt: t.expose("occurredAt", { type: "DateTime" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.prismaObjectField("Contact", "scoreHistory", (t) =>
  t.relatedConnection("scoreChanges", {
    type: ScoreChange,
    cursor: "id_workspaceId",
    description: "How the score came about, newest first.",
    query: () => ({ orderBy: { id: "desc" } }),
    totalCount: true,
  }),
);

builder.queryField("scoringRules", (t) =>
  t.prismaConnection(
    {
      type: ScoringRule,
      cursor: "id_workspaceId",
      defaultSize: 100,
      maxSize: 500,
      authScopes: { scope: "contacts:read" },
      totalCount: (_connection, _args, context) =>
        countScoringRules(workspaceOf(context.principal)),
      resolve: (query, _root, _args, context) =>
        listScoringRules(workspaceOf(context.principal), query),
    },
    {},
  ),
);

const ruleFields = (required: boolean) =>
  builder.inputType(required ? "CreateScoringRuleInput" : "UpdateScoringRuleInput", {
    fields: (t) => ({
      ...(!required && { id: t.id({ required: true }) }),
      name: t.string({ required }),
      eventName: t.string({ required, description: 'e.g. "Page Viewed".' }),
      conditions: t.field({ type: [PropertyConditionInput] }),
      points: t.int({ required, description: "Negative to remove points; not 0." }),
      dailyCap: t.int({ description: "Null for no cap." }),
      enabled: t.boolean(),
    }),
  });
const CreateScoringRuleInput = ruleFields(true);
const UpdateScoringRuleInput = ruleFields(false);

builder.mutationField("createScoringRule", (t) =>
  t.field({
    type: ScoringRule,
    authScopes: { allOf: ["scoring:write", "contacts:read"] },
    errors: { types: mutationErrors, dataField: { name: "rule" } },
    args: { input: t.arg({ type: CreateScoringRuleInput, required: true }) },
    resolve: (_root, { input }, context) =>
      createScoringRule(
        workspaceOf(context.principal),
        withoutUndefined(input) as ScoringRuleInput,
      ),
  }),
);

builder.mutationField("updateScoringRule", (t) =>
  t.field({
    type: ScoringRule,
    description: "Changes the given fields; `dailyCap: null` removes the cap.",
    authScopes: { allOf: ["scoring:write", "contacts:read"] },
    errors: { types: mutationErrors, dataField: { name: "rule" } },
    args: { input: t.arg({ type: UpdateScoringRuleInput, required: true }) },
    resolve: (_root, { input }, context) => {
      const { id, ...fields } = withoutUndefined(input) as typeof input & { id: string };
      return updateScoringRule(
        workspaceOf(context.principal),
        decodeId(id, "ScoringRule", ["id"]),
        Object.fromEntries(
          Object.entries(fields).filter(([key, value]) => value !== null || key === "dailyCap"),
        ),
      );
    },
  }),
);

const DeleteScoringRuleInput = builder.inputType("DeleteScoringRuleInput", {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

builder.mutationField("deleteScoringRule", (t) =>
  t.field({
    type: "ID",
    description: "Deletes a rule; the score history it wrote stays.",
    authScopes: { allOf: ["scoring:write", "contacts:read"] },
    errors: { types: mutationErrors, dataField: { name: "deletedRuleId" } },
    args: { input: t.arg({ type: DeleteScoringRuleInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      await deleteScoringRule(
        workspaceOf(context.principal),
        decodeId(input.id, "ScoringRule", ["id"]),
      );
      return input.id;
    },
  }),
);

const AdjustScoreInput = builder.inputType("AdjustScoreInput", {
  fields: (t) => ({
    contactId: t.id({ required: true }),
    delta: t.int({ required: true, description: "Points to add (negative to remove)." }),
    reason: t.string({ required: true, description: "Kept in the score history." }),
  }),
});

builder.mutationField("adjustScore", (t) =>
  t.field({
    type: Contact,
    description: "Changes a contact's score by hand, with a reason.",
    authScopes: { scope: "contacts:write" },
    errors: { types: mutationErrors, dataField: { name: "contact" } },
    args: { input: t.arg({ type: AdjustScoreInput, required: true }) },
    resolve: (_root, { input }, context) =>
      adjustScore(
        workspaceOf(context.principal),
        decodeId(input.contactId, "Contact", ["contactId"]),
        { delta: input.delta, reason: input.reason },
      ),
  }),
);

const ScoreDecay = builder.prismaObject("ScoreDecayPolicy", {
  name: "ScoreDecay",
  description: "Scores lose `percent` after every `inactiveDays` days without activity.",
  fields: (t) => ({
    inactiveDays: t.exposeInt("inactiveDays"),
    percent: t.exposeInt("percent"),
    enabled: t.exposeBoolean("enabled"),
  }),
});

builder.queryField("scoreDecay", (t) =>
  t.field({
    type: ScoreDecay,
    nullable: true,
    authScopes: { scope: "contacts:read" },
    resolve: (_root, _args, context) => loadScoreDecay(workspaceOf(context.principal)),
  }),
);

const SetScoreDecayInput = builder.inputType("SetScoreDecayInput", {
  fields: (t) => ({
    inactiveDays: t.int({ required: true }),
    percent: t.int({ required: true, description: "1 to 100." }),
    enabled: t.boolean({ defaultValue: true }),
  }),
});

builder.mutationField("setScoreDecay", (t) =>
  t.field({
    type: ScoreDecay,
    authScopes: { allOf: ["scoring:write", "contacts:read"] },
    errors: { types: mutationErrors, dataField: { name: "scoreDecay" } },
    args: { input: t.arg({ type: SetScoreDecayInput, required: true }) },
    resolve: (_root, { input }, context) =>
      setScoreDecay(workspaceOf(context.principal), {
        inactiveDays: input.inactiveDays,
        percent: input.percent,
        enabled: input.enabled ?? true,
      }),
  }),
);
