import { libraryTemplates } from "@cartwheel/templates";
import { db, isUniqueViolation, withTransaction } from "../../db.ts";
import type { Template } from "../../generated/prisma/client.ts";
import { InvalidInputError } from "../shared/errors.ts";
import { writeVersion } from "./templates.ts";

/**
 * Copies the built-in template library (welcome, abandoned cart, order confirmation…) into
 * the workspace (only `keys` when given). Idempotent: templates already installed (by library key, archived or not,
 * edited or not) are left alone. Returns every library template of the workspace and how many
 * this call added.
 *
 * @example const { installed, templates } = await installTemplateLibrary(workspaceId)
 */
export async function installTemplateLibrary(
  workspaceId: string,
  options: { keys?: readonly string[] | null } = {},
): Promise<{ installed: number; templates: Template[] }> {
  const wanted = options.keys?.length ? new Set(options.keys) : null;
  const unknown = options.keys?.filter(
    (key) => !libraryTemplates.some((entry) => entry.key === key),
  );
  if (unknown?.length) {
    throw InvalidInputError.field(["keys"], `unknown library templates: ${unknown.join(", ")}`);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const installed = await withTransaction(async (tx) => {
        const existing = await tx.template.findMany({
          where: { workspaceId, libraryKey: { not: null } },
          select: { libraryKey: true },
        });
        const have = new Set(existing.map((template) => template.libraryKey));
        let added = 0;
        for (const entry of libraryTemplates) {
          if (have.has(entry.key) || (wanted && !wanted.has(entry.key))) continue;
          const template = await tx.template.create({
            data: {
              workspaceId,
              libraryKey: entry.key,
              name: entry.name,
              description: entry.description,
              kind: entry.kind,
              subject: entry.subject,
              preheader: entry.preheader,
              html: entry.html,
              text: entry.text,
              requiredData: entry.requires,
            },
          });
          await writeVersion(tx, template);
          added += 1;
        }
        return added;
      });
      const templates = await db().template.findMany({
        where: { workspaceId, libraryKey: { not: null } },
        orderBy: { libraryKey: "asc" },
      });
      return { installed, templates };
    } catch (error) {
      const raced = isUniqueViolation(error);
      if (!raced || attempt >= 1) throw error;
    }
  }
}

/** The sample data of a library template, to preview it without real data. */
export function libraryFixture(libraryKey: string | null): Record<string, unknown> | undefined {
  if (!libraryKey) return undefined;
  return libraryTemplates.find((entry) => entry.key === libraryKey)?.fixture as
    | Record<string, unknown>
    | undefined;
}
