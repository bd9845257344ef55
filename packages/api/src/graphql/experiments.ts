import {
  type HoldoutReport,
  reportControlGroup,
  reportScenarioHoldout,
} from "../domain/analytics/holdout-reports.ts";
import type { GroupFigures, Interval } from "../domain/analytics/lift-statistics.ts";
import {
  reportScenarioSplit,
  type SplitBranchFigures,
  type SplitReport,
} from "../domain/analytics/split-report.ts";
import { chooseSplitWinner, type SplitWinner } from "../domain/scenarios/split-winners.ts";
import { InvalidInputError, NotFoundError } from "../domain/shared/errors.ts";
import {
  type HoldoutSettings,
  loadHoldoutSettings,
  maxHoldoutPercent,
  updateHoldoutSettings,
} from "../domain/workspaces/holdout-groups.ts";
import { periodOf, ReportingPeriodInput } from "./analytics.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { mutationErrors } from "./errors.ts";
import { decodeId } from "./ids.ts";
import { Money } from "./money.ts";

const LiftVerdict = builder.enumType("LiftVerdict", {
  values: {
    LIFT: { description: "The 95 % interval of incremental revenue lies above zero." },
    DROP: { description: "It lies below zero: the mail costs sales." },
    NO_DIFFERENCE_DETECTED: {
      description: "The interval spans zero; see minimumDetectableEffect.",
    },
    TOO_FEW_CONTACTS: { description: "A group has fewer than 30 units: nothing is concluded." },
  },
});

type Priced<T> = T & { currency: string };

const HoldoutGroupRef = builder.objectRef<Priced<GroupFigures>>("HoldoutGroup").implement({
  fields: (t) => ({
    units: t.exposeInt("units", {
      description: "Runs (scenario holdout) or contacts (control group) in the group.",
    }),
    converted: t.exposeInt("converted", { description: "Units with at least one order." }),
    conversionRate: t.exposeFloat("conversionRate", { nullable: true }),
    revenue: t.field({ type: Money, resolve: (g) => ({ minor: g.revenue, currency: g.currency }) }),
    revenuePerUnit: t.field({
      type: Money,
      nullable: true,
      resolve: (g) =>
        g.revenuePerUnit === null
          ? null
          : { minor: BigInt(Math.round(g.revenuePerUnit)), currency: g.currency },
    }),
  }),
});

const RateInterval = builder.objectRef<Interval>("RateInterval").implement({
  description: "An estimate with its 95 % interval.",
  fields: (t) => ({
    estimate: t.exposeFloat("estimate"),
    low: t.exposeFloat("low"),
    high: t.exposeFloat("high"),
  }),
});

const MoneyInterval = builder.objectRef<Priced<Interval>>("MoneyInterval").implement({
  description: "An amount with its 95 % interval.",
  fields: (t) => {
    const amount = (pick: (i: Interval) => number) =>
      t.field({
        type: Money,
        resolve: (i) => ({ minor: BigInt(Math.round(pick(i))), currency: i.currency }),
      });
    return {
      estimate: amount((i) => i.estimate),
      low: amount((i) => i.low),
      high: amount((i) => i.high),
    };
  },
});

const HoldoutReportRef = builder.objectRef<HoldoutReport>("HoldoutReport").implement({
  description:
    "Mailed against held-out: conversion and revenue per unit, the incremental revenue with its 95 % interval (normal approximation, Welch), and a plain warning when the groups are too small to tell.",
  fields: (t) => ({
    windowHours: t.exposeFloat("windowHours", {
      description: "How long after a unit starts its orders count.",
    }),
    treated: t.field({
      type: HoldoutGroupRef,
      resolve: (r) => ({ ...r.treated, currency: r.currency }),
    }),
    heldOut: t.field({
      type: HoldoutGroupRef,
      resolve: (r) => ({ ...r.heldOut, currency: r.currency }),
    }),
    conversionLift: t.field({
      type: RateInterval,
      nullable: true,
      description: "Treated minus held-out conversion rate (absolute, 0–1).",
      resolve: (r) => r.conversionLift,
    }),
    incrementalRevenue: t.field({
      type: MoneyInterval,
      nullable: true,
      description: "(revenue per treated unit − per held-out unit) × treated units.",
      resolve: (r) => r.incrementalRevenue && { ...r.incrementalRevenue, currency: r.currency },
    }),
    incrementalRevenuePerUnit: t.field({
      type: MoneyInterval,
      nullable: true,
      description: "Revenue per treated unit − per held-out unit.",
      resolve: (r) =>
        r.incrementalRevenuePerUnit && { ...r.incrementalRevenuePerUnit, currency: r.currency },
    }),
    minimumDetectableEffect: t.exposeFloat("minimumDetectableEffect", {
      nullable: true,
      description:
        "The smallest absolute conversion difference these group sizes detect at 80 % power and α = 0.05.",
    }),
    verdict: t.field({ type: LiftVerdict, resolve: (r) => r.verdict }),
    warning: t.exposeString("warning", { nullable: true }),
  }),
});

type PricedBranch = Priced<SplitBranchFigures> & Pick<SplitReport, "period" | "windowHours">;

const SplitBranchRef = builder.objectRef<PricedBranch>("SplitBranchResult").implement({
  fields: (t) => ({
    branch: t.exposeString("branch"),
    holdout: t.exposeBoolean("holdout", {
      description:
        "The split's holdout branch: its runs send no marketing mail, it never wins, and the other branches' lift is measured against it.",
    }),
    runs: t.exposeInt("runs", {
      description: "Runs sent this way (runs of the scenario's holdout or control group left out).",
    }),
    recipients: t.exposeInt("recipients", {
      description: "Runs sent a marketing mail after the split that did not bounce.",
    }),
    opened: t.exposeInt("opened", {
      description:
        "Recipients with a person's open within the window (privacy pre-fetches left out).",
    }),
    clicked: t.exposeInt("clicked", {
      description: "Recipients with a person's click within the window (link scanners left out).",
    }),
    openRate: t.float({
      nullable: true,
      resolve: (b) => (b.recipients === 0 ? null : b.opened / b.recipients),
    }),
    clickRate: t.float({
      nullable: true,
      resolve: (b) => (b.recipients === 0 ? null : b.clicked / b.recipients),
    }),
    converted: t.exposeInt("converted", {
      description: "Runs whose contact ordered within the window after the split.",
    }),
    conversionRate: t.float({
      nullable: true,
      resolve: (b) => (b.runs === 0 ? null : b.converted / b.runs),
    }),
    revenue: t.field({
      type: Money,
      description: "Revenue of all the branch's runs within the window.",
      resolve: (b) => ({ minor: b.revenue, currency: b.currency }),
    }),
    revenuePerRecipient: t.field({
      type: Money,
      nullable: true,
      description: "The recipients' revenue within the window, per recipient.",
      resolve: (b) =>
        b.recipients === 0
          ? null
          : { minor: b.recipientRevenue / BigInt(b.recipients), currency: b.currency },
    }),
    probabilityToBeBest: t.exposeFloat("probabilityToBeBest", {
      nullable: true,
      description:
        "The probability that this branch is best on the report's `metric` among the branches with units: Beta posteriors for rates (20,000 seeded draws), the Bayesian bootstrap for revenue per recipient (4,000 seeded draws); the same figures give the same answer. Null for a branch with none yet, and for the holdout branch.",
    }),
    liftAgainstHoldout: t.field({
      type: HoldoutReportRef,
      nullable: true,
      description:
        "This branch's runs (treated) against the holdout branch's (heldOut): conversion lift and incremental revenue with 95 % intervals, per run since held-out runs are never mailed. Null without a holdout branch, and for that branch.",
      resolve: (b) =>
        b.liftAgainstHoldout && {
          ...b.liftAgainstHoldout,
          currency: b.currency,
          period: b.period,
          windowHours: b.windowHours,
        },
    }),
  }),
});

const SplitWinnerRef = builder.objectRef<SplitWinner>("SplitWinner").implement({
  description:
    "A split's decided winner: when applied, the branch every run (but the holdout branch's share) takes from now on.",
  fields: (t) => ({
    nodeId: t.exposeString("nodeId"),
    branch: t.exposeString("branch"),
    decidedBy: t.exposeString("decidedBy", {
      description: '"experiment" or "manual".',
    }),
    reason: t.exposeString("reason", {
      nullable: true,
      description: '"confidence reached", "end date reached" or "chosen by hand".',
    }),
    metric: t.exposeString("metric", {
      nullable: true,
      description: "The metric the experiment compared; null when chosen by hand.",
    }),
    applied: t.exposeBoolean("applied", {
      description:
        "False when the experiment's autoSelect is off: the decision is reported and the split keeps drawing.",
    }),
    probability: t.exposeFloat("probability", {
      nullable: true,
      description: "The winner's probability to be best when it was decided.",
    }),
    decidedAt: t.expose("decidedAt", { type: "DateTime" }),
  }),
});

const SplitExperimentRef = builder
  .objectRef<NonNullable<SplitReport["experiment"]>>("SplitExperiment")
  .implement({
    description: "The split's A/B test as the scenario's draft sets it, defaults applied.",
    fields: (t) => ({
      metric: t.exposeString("metric", {
        description: "conversion, open_rate, click_rate or revenue_per_recipient.",
      }),
      windowHours: t.exposeInt("windowHours"),
      minimumRunsPerBranch: t.exposeInt("minimumRunsPerBranch", {
        nullable: true,
        description: "Null when only the end date decides.",
      }),
      confidence: t.exposeFloat("confidence"),
      endsAt: t.field({
        type: "DateTime",
        nullable: true,
        resolve: (e) => (e.endsAt ? new Date(e.endsAt) : null),
      }),
      autoSelect: t.exposeBoolean("autoSelect"),
    }),
  });

const SplitReportRef = builder.objectRef<SplitReport>("SplitReport").implement({
  fields: (t) => ({
    nodeId: t.exposeString("nodeId"),
    experiment: t.field({
      type: SplitExperimentRef,
      nullable: true,
      resolve: (r) => r.experiment,
    }),
    metric: t.exposeString("metric", {
      description: "What probabilityToBeBest compares: the experiment's metric, else conversion.",
    }),
    winner: t.field({ type: SplitWinnerRef, nullable: true, resolve: (r) => r.winner }),
    windowHours: t.exposeInt("windowHours", {
      description:
        "Hours after the split that count: the argument, else the experiment's, else the click window.",
    }),
    branches: t.field({
      type: [SplitBranchRef],
      resolve: (r) =>
        r.branches.map((b) => ({
          ...b,
          currency: r.currency,
          period: r.period,
          windowHours: r.windowHours,
        })),
    }),
  }),
});

const HoldoutSettingsRef = builder.objectRef<HoldoutSettings>("HoldoutSettings").implement({
  fields: (t) => ({
    controlGroupPercent: t.exposeFloat("controlGroupPercent", {
      description: `Share of contacts (0–${maxHoldoutPercent} %) whose scenario runs send no marketing mail.`,
    }),
  }),
});

builder.queryField("scenarioHoldoutReport", (t) =>
  t.field({
    type: HoldoutReportRef,
    description:
      "What a scenario's marketing mail adds: its runs of the period that were mailed against those its holdout kept back. A run converts when its contact orders within `windowHours` after it started (default: the attribution click window).",
    authScopes: { scope: "analytics:read" },
    errors: { types: [InvalidInputError, NotFoundError] },
    args: {
      scenarioId: t.arg.id({ required: true }),
      period: t.arg({ type: ReportingPeriodInput, required: true }),
      windowHours: t.arg.int(),
    },
    resolve: (_root, args, context) =>
      reportScenarioHoldout(
        workspaceOf(context.principal),
        decodeId(String(args.scenarioId), "Scenario", ["scenarioId"]),
        periodOf(args.period),
        args.windowHours,
      ),
  }),
);

builder.queryField("controlGroupReport", (t) =>
  t.field({
    type: HoldoutReportRef,
    description:
      "What all scenario marketing adds: contacts who entered a scenario in the period, the workspace-wide control group against the rest; a contact's orders count from their first run of the period to its end.",
    authScopes: { scope: "analytics:read" },
    errors: { types: [InvalidInputError] },
    args: { period: t.arg({ type: ReportingPeriodInput, required: true }) },
    resolve: (_root, args, context) =>
      reportControlGroup(workspaceOf(context.principal), periodOf(args.period)),
  }),
);

builder.queryField("scenarioSplitReport", (t) =>
  t.field({
    type: SplitReportRef,
    description:
      "An A/B split's results per branch over the period: recipients, human opens and clicks, conversion and revenue within `windowHours` after the split, and each branch's probability to be best.",
    authScopes: { scope: "analytics:read" },
    errors: { types: [InvalidInputError, NotFoundError] },
    args: {
      scenarioId: t.arg.id({ required: true }),
      nodeId: t.arg.string({ required: true, description: "The split node's id." }),
      period: t.arg({ type: ReportingPeriodInput, required: true }),
      windowHours: t.arg.int(),
    },
    resolve: (_root, args, context) =>
      reportScenarioSplit(
        workspaceOf(context.principal),
        decodeId(String(args.scenarioId), "Scenario", ["scenarioId"]),
        args.nodeId,
        periodOf(args.period),
        args.windowHours,
      ),
  }),
);

builder.queryField("holdoutSettings", (t) =>
  t.field({
    type: HoldoutSettingsRef,
    authScopes: { scope: "analytics:read" },
    resolve: (_root, _args, context) => loadHoldoutSettings(workspaceOf(context.principal)),
  }),
);

const UpdateHoldoutSettingsInput = builder.inputType("UpdateHoldoutSettingsInput", {
  fields: (t) => ({
    controlGroupPercent: t.float({ description: `0–${maxHoldoutPercent}.` }),
    rotateSalt: t.boolean({
      description:
        "Draw every holdout afresh: runs already started keep their group, new runs are bucketed anew.",
    }),
  }),
});

builder.mutationField("updateHoldoutSettings", (t) =>
  t.field({
    type: HoldoutSettingsRef,
    description: "Sets the workspace-wide control group, or rotates the holdout salt.",
    authScopes: { scope: "analytics:write" },
    errors: { types: mutationErrors, dataField: { name: "settings" } },
    args: { input: t.arg({ type: UpdateHoldoutSettingsInput, required: true }) },
    resolve: (_root, { input }, context) =>
      updateHoldoutSettings(workspaceOf(context.principal), {
        ...(input.controlGroupPercent != null && {
          controlGroupPercent: input.controlGroupPercent,
        }),
        ...(input.rotateSalt != null && { rotateSalt: input.rotateSalt }),
      }),
  }),
);

const ChooseSplitWinnerPayload = builder
  .objectRef<{ winner: SplitWinner | null }>("ChooseSplitWinnerPayload")
  .implement({
    fields: (t) => ({
      winner: t.field({ type: SplitWinnerRef, nullable: true, resolve: (p) => p.winner }),
    }),
  });

builder.mutationField("chooseSplitWinner", (t) =>
  t.field({
    type: ChooseSplitWinnerPayload,
    description:
      "Sends every later run of a split to one branch (replacing an experiment's decision), or with `branch: null` lets it draw again.",
    authScopes: { scope: "scenarios:write" },
    errors: { types: mutationErrors, dataField: { name: "result" } },
    args: {
      scenarioId: t.arg.id({ required: true }),
      nodeId: t.arg.string({ required: true }),
      branch: t.arg.string({ description: "Null: no winner." }),
    },
    resolve: async (_root, args, context) => ({
      winner: await chooseSplitWinner(workspaceOf(context.principal), {
        scenarioId: decodeId(String(args.scenarioId), "Scenario", ["scenarioId"]),
        nodeId: args.nodeId,
        branch: args.branch ?? null,
      }),
    }),
  }),
);
