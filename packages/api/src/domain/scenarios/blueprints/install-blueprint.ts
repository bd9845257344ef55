import { db, withTransaction } from "../../../db.ts";
import type { Scenario } from "../../../generated/prisma/client.ts";
import { installTemplateLibrary } from "../../email-templates/template-library.ts";
import { installSegmentTemplates } from "../../segments/playbook.ts";
import { InvalidInputError } from "../../shared/errors.ts";
import { parseInput } from "../../shared/validation.ts";
import { ensureTags } from "../../tags/tags.ts";
import { createScenario } from "../scenarios.ts";
import type { BlueprintSegment } from "./blueprint.ts";
import { findBlueprint, scenarioBlueprints } from "./catalogue.ts";

/**
 * Installs a blueprint as a DRAFT scenario: the library templates it sends (idempotent), the
 * playbook segment it names unless the options chose one, the tags it adds, then its definition
 * built from `options` (defaults filled in). A bad name or options, or a `segmentId` the
 * workspace does not have, write nothing.
 *
 * @example await installScenarioBlueprint(workspaceId, "abandoned_cart", { discountCode: "SAVE5" })
 */
export async function installScenarioBlueprint(
  workspaceId: string,
  name: string,
  options: Record<string, unknown> | null = {},
): Promise<Scenario> {
  const entry = findBlueprint(name);
  if (!entry) {
    const known = scenarioBlueprints.map((known) => known.name).join(", ");
    throw InvalidInputError.field(["name"], `unknown blueprint; use one of ${known}`);
  }
  const parsed = parseInput(entry.options, options ?? {}, ["options"]);
  const segment = entry.segment?.(parsed);
  if (segment?.segmentId) await assertOwnSegment(workspaceId, segment.segmentId);
  const templateIds: Record<string, string> = {};
  // No keys would mean the whole library to installTemplateLibrary.
  if (entry.templateKeys.length > 0) {
    const { templates } = await installTemplateLibrary(workspaceId, { keys: entry.templateKeys });
    for (const template of templates) {
      if (template.libraryKey) templateIds[template.libraryKey] = template.id;
    }
  }
  const segmentId = segment ? await blueprintSegmentId(workspaceId, segment) : null;
  return withTransaction(async (tx) => {
    const tags = entry.tags?.(parsed) ?? [];
    if (tags.length > 0) await ensureTags(tx, workspaceId, tags);
    return createScenario(
      workspaceId,
      {
        name: entry.title,
        description: entry.description,
        definition: entry.build(parsed, templateIds, { segmentId }),
      },
      { tx },
    );
  });
}

async function assertOwnSegment(workspaceId: string, segmentId: string): Promise<void> {
  const found = await db().segment.findFirst({
    where: { id: segmentId, workspaceId },
    select: { id: true },
  });
  if (!found) throw InvalidInputError.field(["options", "segmentId"], "no such segment");
}

async function blueprintSegmentId(workspaceId: string, segment: BlueprintSegment) {
  if (segment.segmentId) return segment.segmentId;
  const { key, ...settings } = segment.playbook;
  const [installed] = await installSegmentTemplates(workspaceId, { templates: [key], ...settings });
  if (!installed) throw new Error(`the segment playbook has no ${key}`);
  return installed.id;
}
