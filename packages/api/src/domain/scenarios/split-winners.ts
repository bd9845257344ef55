import { db } from "../../db.ts";
import { InvalidInputError, NotFoundError } from "../shared/errors.ts";
import { isUuid } from "../shared/validation.ts";
import type { ScenarioDefinition } from "./definition/definition.ts";

export interface SplitWinner {
  nodeId: string;
  branch: string;
  decidedBy: string;
  probability: number | null;
  decidedAt: Date;
}

/** The winner of a scenario's split, if one was decided or chosen. */
export async function loadSplitWinner(
  scenarioId: string,
  nodeId: string,
): Promise<SplitWinner | null> {
  return db().scenarioSplitWinner.findUnique({
    where: { scenarioId_nodeId: { scenarioId, nodeId } },
    select: { nodeId: true, branch: true, decidedBy: true, probability: true, decidedAt: true },
  });
}

/**
 * Chooses by hand the branch a split sends every later run to (it replaces an experiment's
 * decision), or with `branch` null lets the split draw again. The branch must be one the
 * scenario's draft or live definition names for that split.
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
  const named = [scenario.definition, scenario.liveVersion?.definition].map((definition) =>
    splitBranchNames(definition, input.nodeId),
  );
  if (named.every((names) => names === null)) {
    throw InvalidInputError.field(["nodeId"], "is not a split node of the scenario");
  }
  const branches = new Set(named.flatMap((names) => names ?? []));
  const key = { scenarioId_nodeId: { scenarioId: scenario.id, nodeId: input.nodeId } };
  if (input.branch === null) {
    await db().scenarioSplitWinner.deleteMany({
      where: { scenarioId: scenario.id, nodeId: input.nodeId },
    });
    return null;
  }
  if (!branches.has(input.branch)) {
    throw InvalidInputError.field(
      ["branch"],
      `is not a branch of "${input.nodeId}": ${[...branches].join(", ")}`,
    );
  }
  const decided = {
    branch: input.branch,
    decidedBy: "manual",
    probability: null,
    evidence: {},
    decidedAt: input.now ?? new Date(),
  };
  return db().scenarioSplitWinner.upsert({
    where: key,
    create: { scenarioId: scenario.id, nodeId: input.nodeId, ...decided },
    update: decided,
    select: { nodeId: true, branch: true, decidedBy: true, probability: true, decidedAt: true },
  });
}

/** The branch names of split `nodeId` in a stored definition, or null when it has no such split. */
export function splitBranchNames(definition: unknown, nodeId: string): string[] | null {
  const nodes = (definition as Partial<ScenarioDefinition> | null)?.nodes ?? [];
  const node = nodes.find((candidate) => candidate.id === nodeId && candidate.kind === "split");
  return node?.kind === "split" ? node.branches.map((branch) => branch.name) : null;
}
