import type { Executor } from "../../../db.ts";
import { referencedSegments } from "../../conditions/dependencies.ts";
import { type FieldProblem, InvalidInputError } from "../../shared/errors.ts";
import { webhookUrlProblem } from "../runs/webhook.ts";
import { definitionSchema, type ScenarioDefinition, type ScenarioNode } from "./definition.ts";
import { nodeTargets } from "./graph.ts";
import { isTagTemplate } from "./tag-template.ts";

const base = ["definition"];

/**
 * Checks a definition document and returns it parsed, or throws InvalidInputError naming each
 * problem by node id and field (`["definition","nodes","wait-1h","timeout"]`): the shape of
 * every node, outputs that lead nowhere, nodes the start never reaches, loops that would run
 * without waiting, entity matches without an entity key, and (with `executor`) templates,
 * segments, tags and scenarios the workspace does not have.
 *
 * @example const definition = await validateDefinition(raw, { workspaceId, executor: tx })
 */
export async function validateDefinition(
  raw: unknown,
  references?: { workspaceId: string; executor: Executor; scenarioId?: string },
): Promise<ScenarioDefinition> {
  const parsed = definitionSchema.safeParse(raw);
  if (!parsed.success) {
    throw invalid(
      parsed.error.issues.map((issue) => ({
        path: [...base, ...byNodeId(raw, issue.path.map(String))],
        message: issue.message,
      })),
    );
  }
  const definition = parsed.data;
  const problems = checkGraph(definition);
  if (problems.length === 0 && references)
    problems.push(...(await checkReferences(definition, references)));
  if (problems.length > 0) throw invalid(problems);
  return definition;
}

function invalid(problems: FieldProblem[]): InvalidInputError {
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return new InvalidInputError(`${first?.path.join(".")}: ${first?.message}${more}`, problems);
}

/** `["nodes", "3", "timeout"]` → `["nodes", "wait-1h", "timeout"]` when node 3 has an id. */
function byNodeId(raw: unknown, path: string[]): string[] {
  if (path[0] !== "nodes" || path[1] === undefined) return path;
  const nodes = (raw as { nodes?: unknown } | null)?.nodes;
  const id = Array.isArray(nodes)
    ? (nodes[Number(path[1])] as { id?: unknown } | undefined)?.id
    : undefined;
  return typeof id === "string" && id !== "" ? ["nodes", id, ...path.slice(2)] : path;
}

/** Nodes where a run waits for time to pass, so a loop through one cannot spin. */
const waiting = new Set(["delay", "wait_for_event"]);

function checkGraph(definition: ScenarioDefinition): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const at = (nodeId: string, ...field: string[]) => [...base, "nodes", nodeId, ...field];
  const byId = new Map<string, ScenarioNode>();
  for (const node of definition.nodes) {
    if (byId.has(node.id))
      problems.push({ path: at(node.id, "id"), message: "another node has this id" });
    byId.set(node.id, node);
  }
  if (!byId.has(definition.start)) {
    problems.push({ path: [...base, "start"], message: `no node is called "${definition.start}"` });
  }
  for (const node of definition.nodes) {
    for (const { output, target } of nodeTargets(node)) {
      if (target && !byId.has(target)) {
        problems.push({ path: at(node.id, output), message: `no node is called "${target}"` });
      }
    }
    if (node.kind === "webhook") {
      const problem = webhookUrlProblem(node.url);
      if (problem) problems.push({ path: at(node.id, "url"), message: problem });
    }
    const entityMatch =
      (node.kind === "wait_for_event" && node.sameEntity) ||
      (node.kind === "condition" && node.fact?.kind === "cart_has_items");
    if (entityMatch && !definition.entityKey) {
      problems.push({
        path: at(node.id, node.kind === "condition" ? "fact" : "sameEntity"),
        message: "matches the run's entity, but the scenario has no entityKey",
      });
    }
    if (
      node.kind === "condition" &&
      (node.fact?.kind === "email_opened" || node.fact?.kind === "email_clicked")
    ) {
      if (byId.get(node.fact.node)?.kind !== "send_email") {
        problems.push({
          path: at(node.id, "fact", "node"),
          message: `"${node.fact.node}" is not a send_email node`,
        });
      }
    }
  }
  for (const list of ["goals", "exits"] as const) {
    definition[list].forEach((ending, index) => {
      if (ending.sameEntity && !definition.entityKey) {
        problems.push({
          path: [...base, list, String(index), "sameEntity"],
          message: "matches the run's entity, but the scenario has no entityKey",
        });
      }
    });
  }
  if (problems.length > 0) return problems;

  const reached = new Set<string>();
  const visit = (id: string) => {
    if (reached.has(id)) return;
    reached.add(id);
    for (const { target } of nodeTargets(byId.get(id) as ScenarioNode)) if (target) visit(target);
  };
  visit(definition.start);
  for (const node of definition.nodes) {
    if (!reached.has(node.id))
      problems.push({ path: at(node.id), message: "is not reachable from the start" });
  }

  // A loop must pass a delay or a wait: otherwise one job would run it forever.
  const loop = findInstantLoop(definition, byId);
  if (loop) {
    problems.push({
      path: at(loop[0] as string),
      message: `starts a loop that never waits (${loop.join(" → ")}); put a delay in it`,
    });
  }
  return problems;
}

function findInstantLoop(
  definition: ScenarioDefinition,
  byId: Map<string, ScenarioNode>,
): string[] | undefined {
  const done = new Set<string>();
  const walk = (id: string, trail: string[]): string[] | undefined => {
    const node = byId.get(id);
    if (!node || waiting.has(node.kind) || done.has(id)) return undefined;
    const index = trail.indexOf(id);
    if (index >= 0) return [...trail.slice(index), id];
    for (const { target } of nodeTargets(node)) {
      const found = target && walk(target, [...trail, id]);
      if (found) return found;
    }
    done.add(id);
    return undefined;
  };
  for (const node of definition.nodes) {
    const found = walk(node.id, []);
    if (found) return found;
  }
  return undefined;
}

async function checkReferences(
  definition: ScenarioDefinition,
  {
    workspaceId,
    executor,
    scenarioId,
  }: { workspaceId: string; executor: Executor; scenarioId?: string },
): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  const templateIds = new Set<string>();
  const tags = new Set<string>();
  const scenarioIds = new Set<string>();
  const segmentIds = new Set<string>();
  const segmentsIn = (filter: Parameters<typeof referencedSegments>[0] | undefined) => {
    if (filter) for (const id of referencedSegments(filter)) segmentIds.add(id);
  };
  segmentsIn(definition.audience);
  if (
    definition.trigger.kind === "segment_entered" ||
    definition.trigger.kind === "segment_exited"
  ) {
    segmentIds.add(definition.trigger.segmentId);
  }
  if (definition.trigger.kind === "tag_added") tags.add(definition.trigger.tag);
  for (const ending of [...definition.goals, ...definition.exits])
    if (ending.segmentId) segmentIds.add(ending.segmentId);
  for (const node of definition.nodes) {
    if (node.kind === "send_email") templateIds.add(node.templateId);
    if ((node.kind === "add_tag" || node.kind === "remove_tag") && !isTagTemplate(node.tag))
      tags.add(node.tag);
    if (node.kind === "start_scenario") scenarioIds.add(node.scenarioId);
    if (node.kind === "condition") segmentsIn(node.filter);
  }
  const [templates, foundTags, scenarios, segments] = await Promise.all([
    executor.template.findMany({
      where: { workspaceId, id: { in: [...templateIds] } },
      select: { id: true, archivedAt: true },
    }),
    executor.tag.findMany({
      where: { workspaceId, name: { in: [...tags] } },
      select: { name: true },
    }),
    executor.scenario.findMany({
      where: { workspaceId, id: { in: [...scenarioIds] } },
      select: { id: true },
    }),
    executor.segment.findMany({
      where: { workspaceId, id: { in: [...segmentIds] } },
      select: { id: true },
    }),
  ]);
  const liveTemplates = new Set(templates.filter((t) => !t.archivedAt).map((t) => t.id));
  const tagNames = new Set(foundTags.map((t) => t.name));
  const scenarioSet = new Set(scenarios.map((s) => s.id));
  const segmentSet = new Set(segments.map((s) => s.id));
  const at = (nodeId: string, field: string) => [...base, "nodes", nodeId, field];
  for (const node of definition.nodes) {
    if (node.kind === "send_email" && !liveTemplates.has(node.templateId)) {
      problems.push({
        path: at(node.id, "templateId"),
        message: "names no template of this workspace (or an archived one)",
      });
    }
    if (
      (node.kind === "add_tag" || node.kind === "remove_tag") &&
      !isTagTemplate(node.tag) &&
      !tagNames.has(node.tag)
    ) {
      problems.push({
        path: at(node.id, "tag"),
        message: `no tag is called "${node.tag}"; create it first`,
      });
    }
    if (
      node.kind === "start_scenario" &&
      (!scenarioSet.has(node.scenarioId) || node.scenarioId === scenarioId)
    ) {
      problems.push({
        path: at(node.id, "scenarioId"),
        message:
          node.scenarioId === scenarioId
            ? "a scenario cannot start itself"
            : "names no scenario of this workspace",
      });
    }
  }
  if (definition.trigger.kind === "tag_added" && !tagNames.has(definition.trigger.tag)) {
    problems.push({
      path: [...base, "trigger", "tag"],
      message: `no tag is called "${definition.trigger.tag}"`,
    });
  }
  for (const id of segmentIds) {
    if (!segmentSet.has(id))
      problems.push({ path: [...base], message: `names segment ${id}, which does not exist` });
  }
  return problems;
}
