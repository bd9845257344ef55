import type { Scenario } from "../../../generated/prisma/client.ts";
import { installTemplateLibrary } from "../../email-templates/template-library.ts";
import { InvalidInputError } from "../../shared/errors.ts";
import { parseInput } from "../../shared/validation.ts";
import { createScenario } from "../scenarios.ts";
import { findBlueprint, scenarioBlueprints } from "./catalogue.ts";

/**
 * Installs a blueprint as a DRAFT scenario: the library templates it sends (idempotent), then
 * its definition built from `options` (defaults filled in). Bad name or options write nothing.
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
  const { templates } = await installTemplateLibrary(workspaceId, { keys: entry.templateKeys });
  const templateIds: Record<string, string> = {};
  for (const template of templates) {
    if (template.libraryKey) templateIds[template.libraryKey] = template.id;
  }
  return createScenario(workspaceId, {
    name: entry.title,
    description: entry.description,
    definition: entry.build(parsed, templateIds),
  });
}
