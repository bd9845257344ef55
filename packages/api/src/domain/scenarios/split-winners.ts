import { db } from "../../db.ts";
import { InvalidInputError, NotFoundError } from "../shared/errors.ts";
import { isUuid } from "../shared/validation.ts";
import type { ScenarioDefinition, ScenarioNode } from "./definition/definition.ts";

type SplitNode = Extract<ScenarioNode, { kind: "split" }>;

export interface SplitWinner {
  nodeId: string;
  branch: string;
  /** "experiment" or "manual". */
  decidedBy: string;
  /** "confidence reached", "end date reached" or "chosen by hand". */
  reason: string | null;
  /** The metric the experiment compared; null when chosen by hand. */
  metric: string | null;
  /** False when the experiment only reports (autoSelect off): the split keeps drawing. */
  applied: boolean;
  probability: number | null;
  decidedAt: Date;
}

const winnerFields = {
  nodeId: true,
  branch: true,
  decidedBy: true,
  reason: true,
  metric: true,
  applied: true,
  probability: true,
  decidedAt: true,
} as const;

/** The winner of a scenario's split, if one was decided or chosen. */
export async function loadSplitWinner(
  workspaceId: string,
  scenarioId: string,
  nodeId: string,
): Promise<SplitWinner | null> {
  return db().scenarioSplitWinner.findUnique({
    where: { workspaceId_scenarioId_nodeId: { workspaceId, scenarioId, nodeId } },
    select: winnerFields,
  });
}

/**
 * Chooses by hand the branch a split sends every later run to (it replaces an experiment's
 * decision), or with `branch` null lets the split draw again. The branch must be one the
 * scenario's draft or live definition names for that split, and not its holdout branch (which
 * keeps its share of runs whatever wins).
 */
export async function chooseSplitWinner(
  workspaceId: string,
  input: { scenarioId: string; nodeId: string; branch: string | null; now?: Date },
): Promise<SplitWinner | null> {
  const scenario = isUuid(input.scenarioId)
    ? await db().scenario.findFirst({
        where: { id: input.scenarioId, workspaceId },
        select: { id: true, definition: true, liveVersion: { select: { definition: true } } },
      })
    : null;
  if (!scenario) throw new NotFoundError("Scenario", input.scenarioId);
  const splits = [scenario.definition, scenario.liveVersion?.definition].map((definition) =>
    splitNodeOf(definition, input.nodeId),
  );
  if (splits.every((node) => node === null)) {
    throw InvalidInputError.field(["nodeId"], "is not a split node of the scenario");
  }
  const branches = new Set(splits.flatMap((node) => node?.branches.map((b) => b.name) ?? []));
  const key = {
    workspaceId_scenarioId_nodeId: { workspaceId, scenarioId: scenario.id, nodeId: input.nodeId },
  };
  if (input.branch === null) {
    await db().scenarioSplitWinner.deleteMany({
      where: { workspaceId, scenarioId: scenario.id, nodeId: input.nodeId },
    });
    return null;
  }
  if (!branches.has(input.branch)) {
    throw InvalidInputError.field(
      ["branch"],
      `is not a branch of "${input.nodeId}": ${[...branches].join(", ")}`,
    );
  }
  if (splits.some((node) => node?.branches.some((b) => b.name === input.branch && b.holdout))) {
    throw InvalidInputError.field(
      ["branch"],
      `is the holdout branch of "${input.nodeId}"; it keeps its share and cannot win`,
    );
  }
  const decided = {
    branch: input.branch,
    decidedBy: "manual",
    reason: "chosen by hand",
    metric: null,
    applied: true,
    probability: null,
    evidence: {},
    decidedAt: input.now ?? new Date(),
  };
  return db().scenarioSplitWinner.upsert({
    where: key,
    create: { workspaceId, scenarioId: scenario.id, nodeId: input.nodeId, ...decided },
    update: decided,
    select: winnerFields,
  });
}

/** Split `nodeId` of a stored definition, or null when it has no such split. */
export function splitNodeOf(definition: unknown, nodeId: string): SplitNode | null {
  const nodes = (definition as Partial<ScenarioDefinition> | null)?.nodes ?? [];
  const node = nodes.find((candidate) => candidate.id === nodeId && candidate.kind === "split");
  return node?.kind === "split" ? node : null;
}

/** The branch names of split `nodeId` in a stored definition, or null when it has no such split. */
export function splitBranchNames(definition: unknown, nodeId: string): string[] | null {
  return splitNodeOf(definition, nodeId)?.branches.map((branch) => branch.name) ?? null;
}
