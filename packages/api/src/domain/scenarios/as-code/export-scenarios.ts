import { db } from "../../../db.ts";
import { NotFoundError } from "../../shared/errors.ts";
import { bundleFormat, type ParsedBundle } from "./bundle.ts";
import { rewriteReferences } from "./references.ts";

/**
 * Writes the workspace's scenarios (all, or those named by id), with every template and segment
 * they use, as a bundle that names rows by name instead of id: readable, diffable, and
 * importable into another workspace. Archived scenarios are left out.
 *
 * @example const bundle = await exportScenarios(workspaceId)
 */
export async function exportScenarios(
  workspaceId: string,
  options: { scenarioIds?: string[] } = {},
): Promise<ParsedBundle> {
  const scenarios = await db().scenario.findMany({
    where: {
      workspaceId,
      status: { not: "ARCHIVED" },
      ...(options.scenarioIds && { id: { in: options.scenarioIds } }),
    },
    orderBy: { name: "asc" },
  });
  const missing = options.scenarioIds?.find((id) => !scenarios.some((s) => s.id === id));
  if (missing) throw new NotFoundError("Scenario", missing);
  const [templates, segments, allScenarios] = await Promise.all([
    db().template.findMany({ where: { workspaceId } }),
    db().segment.findMany({ where: { workspaceId } }),
    db().scenario.findMany({ where: { workspaceId }, select: { id: true, name: true } }),
  ]);
  const names = {
    templateId: new Map(templates.map((t) => [t.id, t.name])),
    segmentId: new Map(segments.map((s) => [s.id, s.name])),
    scenarioId: new Map(allScenarios.map((s) => [s.id, s.name])),
  };
  const used = { templateId: new Set<string>(), segmentId: new Set<string>() };
  const toNames = (document: unknown) =>
    rewriteReferences(document, "toNames", (field, id) => {
      if (field !== "scenarioId") used[field].add(id);
      return names[field].get(id) ?? id;
    });
  const exported = scenarios.map((scenario) => ({
    name: scenario.name,
    description: scenario.description,
    priority: scenario.priority,
    status: scenario.status === "ARCHIVED" ? ("DRAFT" as const) : scenario.status,
    definition: toNames(scenario.definition),
  }));
  // Segments used by used segments come along too.
  const exportedSegments: ParsedBundle["segments"] = [];
  const done = new Set<string>();
  for (let pending = [...used.segmentId]; pending.length > 0; pending = [...used.segmentId]) {
    const fresh = pending.filter((id) => !done.has(id));
    if (fresh.length === 0) break;
    for (const id of fresh) {
      done.add(id);
      const segment = segments.find((s) => s.id === id);
      if (!segment) continue;
      exportedSegments.push({
        name: segment.name,
        description: segment.description,
        filter: toNames(segment.filter),
      });
    }
  }
  return {
    format: bundleFormat,
    templates: templates
      .filter((template) => used.templateId.has(template.id))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((template) => ({
        name: template.name,
        description: template.description,
        kind: template.kind,
        subject: template.subject,
        preheader: template.preheader,
        html: template.html,
        text: template.text,
        fromName: template.fromName,
        fromEmail: template.fromEmail,
      })),
    segments: exportedSegments.sort((a, b) => a.name.localeCompare(b.name)),
    scenarios: exported,
  };
}
