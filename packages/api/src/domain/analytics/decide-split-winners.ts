import { db } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import type { ScenarioDefinition, ScenarioNode } from "../scenarios/definition/definition.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { loadAttributionModel } from "./attribution-settings.ts";
import { probabilityToBeBest } from "./probability-best.ts";
import { loadSplitOutcomes } from "./split-report.ts";

type SplitNode = Extract<ScenarioNode, { kind: "split" }>;

export interface SplitDecision {
  scenarioId: string;
  nodeId: string;
  branch: string;
  probability: number;
}

/**
 * Decides the A/B splits of live scenarios whose experiment may select a winner: when every
 * branch has `minimumRunsPerBranch` runs whose window has passed by `now`, and one branch's
 * probability to convert best is at least the split's `confidence`, it becomes the winner (the
 * split sends every later run to it). A decided or hand-chosen winner is never replaced here.
 * The worker's `decide_split_winners` runs it hourly.
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
        node.kind === "split" && node.experiment?.autoSelect === true && !decided.has(node.id),
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
  const arms = node.branches.map((branch) => {
    const row = rows.find((r) => r.branch === branch.name);
    return {
      branch: branch.name,
      units: Number(row?.runs ?? 0),
      converted: Number(row?.converted ?? 0),
    };
  });
  if (arms.some((arm) => arm.units < experiment.minimumRunsPerBranch)) return null;
  const chances = probabilityToBeBest(arms);
  const best = chances.indexOf(Math.max(...chances));
  const probability = chances[best] ?? 0;
  const winner = arms[best];
  if (!winner || probability < experiment.confidence) return null;
  const evidence = Object.fromEntries(
    arms.map((arm, index) => [
      arm.branch,
      { runs: arm.units, converted: arm.converted, probability: chances[index] },
    ]),
  );
  const written = await executor.$executeRaw`
    INSERT INTO scenario_split_winners (scenario_id, node_id, branch, decided_by, probability, evidence, decided_at)
    VALUES (${scenario.id}::uuid, ${node.id}, ${winner.branch}, 'experiment', ${probability},
            ${JSON.stringify(evidence)}::jsonb, ${now}::timestamptz)
    ON CONFLICT DO NOTHING`;
  return written === 1
    ? { scenarioId: scenario.id, nodeId: node.id, branch: winner.branch, probability }
    : null;
}
