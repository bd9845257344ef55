import { db } from "../../../db.ts";
import { InvalidInputError } from "../../shared/errors.ts";
import { rewriteReferences } from "./references.ts";

/**
 * A document as bundle files write it (`template: "Welcome"`, `segment: …`, `scenario: …`)
 * with each name turned into the id of the workspace's row of that name (the oldest, as an
 * import matches them). An unknown name is an InvalidInputError at its path.
 */
export async function resolveReferenceNames(
  workspaceId: string,
  document: unknown,
  basePath: string[] = [],
): Promise<unknown> {
  const [templates, segments, scenarios] = await Promise.all([
    db().template.findMany({
      where: { workspaceId, archivedAt: null },
      orderBy: { createdAt: "desc" },
      select: { id: true, name: true },
    }),
    db().segment.findMany({
      where: { workspaceId },
      orderBy: { createdAt: "desc" },
      select: { id: true, name: true },
    }),
    db().scenario.findMany({
      where: { workspaceId, status: { not: "ARCHIVED" } },
      orderBy: { createdAt: "desc" },
      select: { id: true, name: true },
    }),
  ]);
  // Newest first, so the oldest row of a name is the one left in the map.
  const ids = {
    templateId: new Map(templates.map((row) => [row.name, row.id])),
    segmentId: new Map(segments.map((row) => [row.name, row.id])),
    scenarioId: new Map(scenarios.map((row) => [row.name, row.id])),
  };
  return rewriteReferences(document, "toIds", (field, name, path) => {
    const id = ids[field].get(name);
    if (!id) {
      throw InvalidInputError.field(
        [...basePath, ...path],
        `no ${field.replace("Id", "")} is called "${name}" in the workspace`,
      );
    }
    return id;
  });
}
