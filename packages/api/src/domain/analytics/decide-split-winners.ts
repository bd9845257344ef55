import { db } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import type {
  ScenarioDefinition,
  ScenarioNode,
  SplitMetric,
} from "../scenarios/definition/definition.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { loadAttributionModel } from "./attribution-settings.ts";
import { metricProbabilities, metricUnits, metricValue } from "./split-metrics.ts";
import { branchOutcomes, loadSplitOutcomes } from "./split-report.ts";

type SplitNode = Extract<ScenarioNode, { kind: "split" }>;

export const splitDecisionReasons = {
  confidence: "confidence reached",
  endDate: "end date reached",
} as const;

export interface SplitDecision {
  scenarioId: string;
  nodeId: string;
  branch: string;
  metric: SplitMetric;
  /** "confidence reached" or "end date reached". */
  reason: string;
  /** The winner's probability to be best on the metric when it was decided. */
  probability: number;
  /** False when the experiment only reports (autoSelect off): the split keeps drawing. */
  applied: boolean;
}

/**
 * Decides the A/B splits of live scenarios that have an experiment and no winner yet, reading
 * only runs whose window has passed by `now` (a young run never counts as a failure), and
 * never the split's holdout branch:
 * - when every other branch has `minimumRunsPerBranch` runs and one is best on the metric with
 *   probability `confidence` or more, it wins ("confidence reached");
 * - otherwise, once `endsAt` has come, the branch leading on the metric wins whatever the
 *   sample or its probability ("end date reached"; ties go to the likelier branch).
 * Each decision is written with when, why, the metric, the winner's probability and each
 * branch's figures. With `autoSelect` the split then sends every later run to the winner;
 * without, the decision is only recorded. A decided or hand-chosen winner is never replaced
 * here. The worker's `decide_split_winners` runs it hourly.
 *
 * @example await decideSplitWinners({ now: new Date() })
 */
export async function decideSplitWinners(options: { now: Date }): Promise<SplitDecision[]> {
  const executor = db();
  const live = await executor.scenario.findMany({
    where: { status: "LIVE", liveVersionId: { not: null } },
    select: {
      id: true,
      workspaceId: true,
      liveVersion: { select: { definition: true } },
      splitWinners: { select: { nodeId: true } },
    },
  });
  const decisions: SplitDecision[] = [];
  for (const scenario of live) {
    const definition = scenario.liveVersion?.definition as unknown as
      | ScenarioDefinition
      | undefined;
    const decided = new Set(scenario.splitWinners.map((winner) => winner.nodeId));
    const experiments = (definition?.nodes ?? []).filter(
      (node): node is SplitNode =>
        node.kind === "split" && node.experiment !== undefined && !decided.has(node.id),
    );
    for (const node of experiments) {
      const decision = await decideSplit(scenario, node, options.now);
      if (decision) decisions.push(decision);
    }
  }
  return decisions;
}

async function decideSplit(
  scenario: { id: string; workspaceId: string },
  node: SplitNode,
  now: Date,
): Promise<SplitDecision | null> {
  const experiment = node.experiment;
  if (!experiment) return null;
  const executor = db();
  const rows = await loadSplitOutcomes(executor, {
    workspaceId: scenario.workspaceId,
    scenarioId: scenario.id,
    nodeId: node.id,
    from: Prisma.sql`'-infinity'::timestamptz`,
    until: Prisma.sql`'infinity'::timestamptz`,
    hours: experiment.windowHours,
    currency: await loadWorkspaceCurrency(executor, scenario.workspaceId),
    model: await loadAttributionModel(scenario.workspaceId, executor),
    maturedBy: now,
  });
  const { metric } = experiment;
  const arms = branchOutcomes(
    node.branches.filter((branch) => !branch.holdout).map((branch) => branch.name),
    rows,
  );
  const chances = metricProbabilities(arms, metric);
  const values = arms.map((arm) => metricValue(arm, metric));
  const figures = arms.map((arm, index) => ({
    arm,
    value: values[index] ?? null,
    probability: chances[index] ?? null,
  }));
  const minimum = experiment.minimumRunsPerBranch;
  const sampled = minimum !== undefined && arms.every((arm) => arm.runs >= minimum);
  const likeliest = [...figures].sort((a, b) => (b.probability ?? -1) - (a.probability ?? -1))[0];
  const leader = figures
    .filter((f) => f.value !== null)
    .sort(
      (a, b) => (b.value ?? 0) - (a.value ?? 0) || (b.probability ?? 0) - (a.probability ?? 0),
    )[0];
  const ended = experiment.endsAt !== undefined && now.getTime() >= Date.parse(experiment.endsAt);
  const pick =
    sampled && likeliest && (likeliest.probability ?? 0) >= experiment.confidence
      ? { winner: likeliest, reason: splitDecisionReasons.confidence }
      : ended && leader
        ? { winner: leader, reason: splitDecisionReasons.endDate }
        : null;
  if (!pick) return null;
  const branch = pick.winner.arm.branch;
  const probability = pick.winner.probability ?? 0;
  const evidence = Object.fromEntries(
    figures.map(({ arm, value, probability }) => [
      arm.branch,
      {
        runs: arm.runs,
        recipients: arm.recipients,
        units: metricUnits(arm, metric),
        converted: arm.converted,
        opened: arm.opened,
        clicked: arm.clicked,
        recipientRevenue: Number(arm.recipientRevenue),
        value,
        probability,
      },
    ]),
  );
  const written = await executor.$executeRaw`
    INSERT INTO scenario_split_winners
           (workspace_id, scenario_id, node_id, branch, decided_by, reason, metric, applied, probability, evidence, decided_at)
    VALUES (${scenario.workspaceId}::uuid, ${scenario.id}::uuid, ${node.id}, ${branch}, 'experiment', ${pick.reason}, ${metric},
            ${experiment.autoSelect}, ${probability}, ${JSON.stringify(evidence)}::jsonb, ${now}::timestamptz)
    ON CONFLICT DO NOTHING`;
  return written === 1
    ? {
        scenarioId: scenario.id,
        nodeId: node.id,
        branch,
        metric,
        reason: pick.reason,
        probability,
        applied: experiment.autoSelect,
      }
    : null;
}
