import type { ScenarioDefinition, ScenarioNode } from "./definition.ts";

/** A node's named outputs and where each leads (null: the path ends). */
export function nodeTargets(node: ScenarioNode): { output: string; target: string | null }[] {
  const to = (output: string, target: string | null | undefined) => ({
    output,
    target: target ?? null,
  });
  switch (node.kind) {
    case "wait_for_event":
      return [to("matched", node.matched), to("timedOut", node.timedOut)];
    case "condition":
      return [to("yes", node.yes), to("no", node.no)];
    case "split":
      return node.branches.map((branch) => to(branch.name, branch.next));
    case "webhook":
      return [to("next", node.next), to("failed", node.failed)];
    case "exit":
      return [];
    default:
      return [to("next", node.next)];
  }
}

/** Where `output` of `node` leads, or null when that path ends. */
export function targetOf(node: ScenarioNode, output: string): string | null {
  return nodeTargets(node).find((candidate) => candidate.output === output)?.target ?? null;
}

/** The definition's nodes by id. */
export function nodesById(definition: ScenarioDefinition): Map<string, ScenarioNode> {
  return new Map(definition.nodes.map((node) => [node.id, node]));
}
