import { randomUUID } from "node:crypto";
import { db, withTransaction } from "../../../db.ts";
import type { Scenario } from "../../../generated/prisma/client.ts";
import { parseSegmentFilter } from "../../conditions/parse/parse-filter.ts";
import { versionedColumns } from "../../email-templates/template-input.ts";
import { createTemplate, updateTemplate } from "../../email-templates/templates.ts";
import { createSegment, updateSegment } from "../../segments/segments.ts";
import { InvalidInputError } from "../../shared/errors.ts";
import { parseInput } from "../../shared/validation.ts";
import { ensureTags } from "../../tags/tags.ts";
import type { ScenarioDefinition } from "../definition/definition.ts";
import { isTagTemplate } from "../definition/tag-template.ts";
import { validateDefinition } from "../definition/validate-definition.ts";
import { createScenario, pauseScenario, publishScenario, updateScenario } from "../scenarios.ts";
import { bundleSchema, type ParsedBundle, type ScenarioBundle } from "./bundle.ts";
import { canonicalJson, type ReferenceField, rewriteReferences } from "./references.ts";

export type ImportAction = "CREATE" | "UPDATE" | "UNCHANGED";

export interface ImportChange {
  kind: "TAG" | "TEMPLATE" | "SEGMENT" | "SCENARIO";
  name: string;
  action: ImportAction;
  /** For a scenario: whether its definition is published as a new version. */
  publishes: boolean;
}

export interface ImportResult {
  dryRun: boolean;
  changes: ImportChange[];
}

/** What makes a bundle's template differ from the workspace's (matched by name already). */
const templateColumns = [
  ...versionedColumns.filter((column) => column !== "name"),
  "description",
] as const;

/**
 * Creates or updates the bundle's templates, segments and scenarios in the workspace, matched
 * by name, references resolved by name (to rows of the bundle or already in the workspace);
 * the tags the definitions add, remove or trigger on are made when the workspace lacks them.
 * Idempotent: what equals the workspace's row (by content) is UNCHANGED, so importing the same
 * bundle twice changes nothing. A changed LIVE scenario gets its draft updated and published as
 * a new version; runs in flight finish on theirs. `dryRun` lists the changes and writes nothing.
 * Every item is validated before anything is written; the writes then go templates, segments,
 * scenarios, each item in its own transaction, so an import cut short is finished by running it
 * again.
 *
 * @example const { changes } = await importScenarios(workspaceId, bundle, { dryRun: true })
 */
export async function importScenarios(
  workspaceId: string,
  raw: ScenarioBundle,
  options: { dryRun?: boolean } = {},
): Promise<ImportResult> {
  const bundle = parseInput(bundleSchema, raw, ["bundle"]);
  for (const kind of ["templates", "segments", "scenarios"] as const) {
    const names = bundle[kind].map((item) => item.name);
    const twice = names.find((name, index) => names.indexOf(name) !== index);
    if (twice) throw InvalidInputError.field(["bundle", kind], `"${twice}" is there twice`);
  }
  const dryRun = options.dryRun ?? false;
  const existing = await loadByName(workspaceId);
  const ids = {
    templateId: new Map(existing.templates),
    segmentId: new Map(existing.segments),
    scenarioId: new Map([...existing.scenarios].map(([name, row]) => [name, row.id])),
  };
  const changes: ImportChange[] = [];
  // Rows the bundle will create get a stand-in id for validation, replaced when created.
  for (const template of bundle.templates)
    if (!ids.templateId.has(template.name)) ids.templateId.set(template.name, randomUUID());
  for (const segment of bundle.segments)
    if (!ids.segmentId.has(segment.name)) ids.segmentId.set(segment.name, randomUUID());
  for (const scenario of bundle.scenarios)
    if (!ids.scenarioId.has(scenario.name)) ids.scenarioId.set(scenario.name, randomUUID());
  const resolve = (document: unknown, path: string[]) =>
    rewriteReferences(document, "toIds", (field: ReferenceField, name, at) => {
      const id = ids[field].get(name);
      if (!id) {
        throw InvalidInputError.field(
          [...path, ...at],
          `no ${field.replace("Id", "")} is called "${name}" in the bundle or the workspace`,
        );
      }
      return id;
    });

  // Plan (and validate) everything first.
  const templatePlans = await Promise.all(
    bundle.templates.map(async (template) => {
      const current = existing.templateRows.get(template.name);
      const action: ImportAction = !current
        ? "CREATE"
        : templateColumns.every((c) => (template[c] ?? null) === (current[c] ?? null))
          ? "UNCHANGED"
          : "UPDATE";
      return { template, current, action };
    }),
  );
  const segmentPlans = bundle.segments.map((segment, index) => {
    const path = ["bundle", "segments", String(index), "filter"];
    const filter = parseSegmentFilter(resolve(segment.filter, path), path);
    const current = existing.segmentRows.get(segment.name);
    const action: ImportAction = !current
      ? "CREATE"
      : canonicalJson(current.filter) === canonicalJson(filter) &&
          (current.description ?? null) === (segment.description ?? null)
        ? "UNCHANGED"
        : "UPDATE";
    return { segment, current, action };
  });
  const scenarioPlans = await Promise.all(
    bundle.scenarios.map(async (scenario, index) => {
      const path = ["bundle", "scenarios", String(index), "definition"];
      const definition = await validateDefinition(resolve(scenario.definition, path)).catch(
        (error: unknown) => {
          if (!(error instanceof InvalidInputError)) throw error;
          throw new InvalidInputError(
            `bundle.scenarios.${index} "${scenario.name}": ${error.message}`,
            error.problems.map((problem) => ({ ...problem, path: [...path, ...problem.path] })),
          );
        },
      );
      const current = existing.scenarios.get(scenario.name);
      const sameDefinition =
        current !== undefined && canonicalJson(current.definition) === canonicalJson(definition);
      const same =
        sameDefinition &&
        current.priority === scenario.priority &&
        (current.description ?? null) === (scenario.description ?? null);
      const wantsLive = scenario.status !== "DRAFT";
      const publishes = wantsLive && (!current || !sameDefinition || !current.liveVersionId);
      const action: ImportAction = !current
        ? "CREATE"
        : same && !publishes
          ? "UNCHANGED"
          : "UPDATE";
      return { scenario, current, action, publishes, tags: tagsNamedIn(definition) };
    }),
  );
  const tagNames = [...new Set(scenarioPlans.flatMap((plan) => plan.tags))].sort();
  const knownTags = new Set(
    (
      await db().tag.findMany({
        where: { workspaceId, name: { in: tagNames } },
        select: { name: true },
      })
    ).map((tag) => tag.name),
  );
  for (const name of tagNames) {
    const action = knownTags.has(name) ? "UNCHANGED" : "CREATE";
    changes.push({ kind: "TAG", name, action, publishes: false });
  }
  for (const { template, action } of templatePlans)
    changes.push({ kind: "TEMPLATE", name: template.name, action, publishes: false });
  for (const { segment, action } of segmentPlans)
    changes.push({ kind: "SEGMENT", name: segment.name, action, publishes: false });
  for (const { scenario, action, publishes } of scenarioPlans)
    changes.push({ kind: "SCENARIO", name: scenario.name, action, publishes });
  if (dryRun) return { dryRun, changes };

  const missingTags = tagNames.filter((name) => !knownTags.has(name));
  if (missingTags.length > 0) {
    await withTransaction((tx) => ensureTags(tx, workspaceId, missingTags));
  }

  for (const { template, current, action } of templatePlans) {
    const { name: _name, ...content } = template;
    if (action === "CREATE") {
      const created = await createTemplate(workspaceId, { name: template.name, ...content });
      ids.templateId.set(template.name, created.id);
    } else if (action === "UPDATE" && current) {
      await updateTemplate(workspaceId, current.id, content);
    }
  }
  // Segments that name other segments of the bundle come after them.
  const pending = [...segmentPlans];
  for (let guard = 0; pending.length > 0 && guard <= segmentPlans.length; guard++) {
    for (const plan of [...pending]) {
      const needs = namesIn(plan.segment.filter, "segment").filter(
        (name) => name !== plan.segment.name && pending.some((p) => p.segment.name === name),
      );
      if (needs.length > 0) continue;
      pending.splice(pending.indexOf(plan), 1);
      const path = ["bundle", "segments", plan.segment.name, "filter"];
      const input = {
        name: plan.segment.name,
        description: plan.segment.description ?? null,
        filter: resolve(plan.segment.filter, path),
      };
      if (plan.action === "CREATE") {
        ids.segmentId.set(plan.segment.name, (await createSegment(workspaceId, input)).id);
      } else if (plan.action === "UPDATE" && plan.current) {
        await updateSegment(workspaceId, plan.current.id, input);
      }
    }
  }
  if (pending.length > 0) {
    throw InvalidInputError.field(["bundle", "segments"], "the segments name each other in a loop");
  }
  // New scenarios first, as drafts naming no other new scenario yet, so start_scenario can name them.
  const created = new Map<string, Scenario>();
  for (const plan of scenarioPlans.filter((p) => p.action === "CREATE")) {
    const placeholder = await createScenario(workspaceId, {
      name: plan.scenario.name,
      description: plan.scenario.description ?? null,
      priority: plan.scenario.priority,
      definition: {
        version: 1,
        trigger: { kind: "api" },
        start: "end",
        nodes: [{ id: "end", kind: "exit" }],
      },
    });
    ids.scenarioId.set(plan.scenario.name, placeholder.id);
    created.set(plan.scenario.name, placeholder);
  }
  for (const plan of scenarioPlans) {
    if (plan.action === "UNCHANGED") continue;
    const row = created.get(plan.scenario.name) ?? plan.current;
    if (!row) continue;
    const path = ["bundle", "scenarios", plan.scenario.name, "definition"];
    await updateScenario(workspaceId, row.id, {
      description: plan.scenario.description ?? null,
      priority: plan.scenario.priority,
      definition: resolve(plan.scenario.definition, path),
    });
    if (plan.publishes) {
      const published = await publishScenario(workspaceId, row.id);
      if (plan.scenario.status === "PAUSED" && published.status === "LIVE") {
        await pauseScenario(workspaceId, row.id);
      }
    }
  }
  return { dryRun, changes };
}

async function loadByName(workspaceId: string) {
  const [templates, segments, scenarios] = await Promise.all([
    db().template.findMany({
      where: { workspaceId, archivedAt: null },
      orderBy: { createdAt: "asc" },
    }),
    db().segment.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" } }),
    db().scenario.findMany({
      where: { workspaceId, status: { not: "ARCHIVED" } },
      orderBy: { createdAt: "asc" },
    }),
  ]);
  // The oldest row of a name is the one a bundle means.
  const first = <T extends { name: string }>(rows: T[]) => {
    const map = new Map<string, T>();
    for (const row of rows) if (!map.has(row.name)) map.set(row.name, row);
    return map;
  };
  const templateRows = first(templates);
  const segmentRows = first(segments);
  return {
    templateRows,
    segmentRows,
    templates: new Map([...templateRows].map(([name, row]) => [name, row.id])),
    segments: new Map([...segmentRows].map(([name, row]) => [name, row.id])),
    scenarios: first(scenarios),
  };
}

function tagsNamedIn(definition: ScenarioDefinition): string[] {
  const tags = definition.trigger.kind === "tag_added" ? [definition.trigger.tag] : [];
  for (const node of definition.nodes) {
    // A templated tag (interest:{{ event.category }}) is made per run, not imported.
    if ((node.kind === "add_tag" || node.kind === "remove_tag") && !isTagTemplate(node.tag))
      tags.push(node.tag);
  }
  return tags;
}

function namesIn(document: unknown, key: string): string[] {
  const found: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === "object" && value !== null) {
      for (const [field, inner] of Object.entries(value)) {
        if (field === key && typeof inner === "string") found.push(inner);
        else visit(inner);
      }
    }
  };
  visit(document);
  return found;
}

export type { ParsedBundle };
