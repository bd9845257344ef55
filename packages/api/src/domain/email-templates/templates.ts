import { renderEmail } from "@cartwheel/templates";
import { db, type Transaction, withTransaction } from "../../db.ts";
import type { Template } from "../../generated/prisma/client.ts";
import { NotFoundError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import { sendingEngine } from "./engines.ts";
import {
  type CreateTemplateInput,
  createTemplateInput,
  type UpdateTemplateInput,
  updateTemplateInput,
  versionedColumns,
} from "./template-input.ts";

const syntaxCheckData = {
  shop: {
    name: "Shop",
    url: "https://shop.example",
    currency: "USD",
    locale: "en-US",
    postal_address: "1 Main Street",
    support_email: "help@shop.example",
  },
  contact: { email: "someone@example.com" },
  unsubscribe_url: "https://shop.example/unsubscribe",
  preferences_url: "https://shop.example/preferences",
};

/** Throws `TemplateRenderError` (with line and column) when the Liquid does not parse. */
export async function checkTemplateSyntax(source: {
  subject: string;
  preheader?: string | null;
  html: string;
  text?: string | null;
}): Promise<void> {
  await renderEmail(sendingEngine(), source, syntaxCheckData);
}

/**
 * Creates a template with its first version. The Liquid is parsed first: a syntax error is
 * thrown as `TemplateRenderError` and nothing is stored.
 *
 * @example createTemplate(workspaceId, { name: "Welcome", kind: "MARKETING", subject: "Hi {{ contact.first_name }}", html: "<p>Welcome!</p>" })
 */
export async function createTemplate(
  workspaceId: string,
  rawInput: CreateTemplateInput | Record<string, unknown>,
): Promise<Template> {
  const input = parseInput(createTemplateInput, rawInput);
  await checkTemplateSyntax(input);
  return withTransaction(async (tx) => {
    const template = await tx.template.create({ data: { workspaceId, ...input, version: 1 } });
    await writeVersion(tx, template);
    return template;
  });
}

/**
 * Changes a template. When any content field changes, the version number goes up and the new
 * content is kept as a TemplateVersion; messages already queued keep the version they had.
 */
export async function updateTemplate(
  workspaceId: string,
  templateId: string,
  rawInput: UpdateTemplateInput | Record<string, unknown>,
): Promise<Template> {
  const input = parseInput(updateTemplateInput, rawInput);
  const changes = Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== undefined),
  ) as Partial<Template>;
  return withTransaction(async (tx) => {
    const current = await lockTemplate(tx, workspaceId, templateId);
    const next = { ...current, ...changes };
    const changed = versionedColumns.some((column) => next[column] !== current[column]);
    if (!changed) {
      return changes.description === undefined && changes.requiredData === undefined
        ? current
        : tx.template.update({
            where: { id_workspaceId: { workspaceId: current.workspaceId, id: current.id } },
            data: changes,
          });
    }
    await checkTemplateSyntax(next);
    const template = await tx.template.update({
      where: { id_workspaceId: { workspaceId: current.workspaceId, id: current.id } },
      data: { ...changes, version: current.version + 1 },
    });
    await writeVersion(tx, template);
    return template;
  });
}

/** Archives a template: it leaves the default list and cannot be sent. Repeating is harmless. */
export async function archiveTemplate(workspaceId: string, templateId: string): Promise<Template> {
  const template = await findTemplateIn(workspaceId, templateId);
  if (template.archivedAt) return template;
  return db().template.update({
    where: { id_workspaceId: { workspaceId: template.workspaceId, id: template.id } },
    data: { archivedAt: new Date() },
  });
}

export async function findTemplateIn(workspaceId: string, templateId: string): Promise<Template> {
  const template = isUuid(templateId)
    ? await db().template.findFirst({ where: { id: templateId, workspaceId } })
    : null;
  if (!template) throw new NotFoundError("Template", templateId);
  return template;
}

/** Loads one template of the workspace with Pothos's selection, or null. */
export function loadTemplate<Q extends object>(workspaceId: string, templateId: string, query: Q) {
  if (!isUuid(templateId)) return Promise.resolve(null);
  return db().template.findFirst({ ...query, where: { id: templateId, workspaceId } });
}

/** The workspace's templates, newest first; archived ones only when asked for. */
export function listTemplates<Q extends object>(
  workspaceId: string,
  options: { includeArchived?: boolean; query: Q },
) {
  return db().template.findMany({
    ...options.query,
    where: templatesWhere(workspaceId, options.includeArchived),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

export function countTemplates(workspaceId: string, includeArchived?: boolean): Promise<number> {
  return db().template.count({ where: templatesWhere(workspaceId, includeArchived) });
}

function templatesWhere(workspaceId: string, includeArchived?: boolean) {
  return { workspaceId, ...(!includeArchived && { archivedAt: null }) };
}

async function lockTemplate(
  tx: Transaction,
  workspaceId: string,
  templateId: string,
): Promise<Template> {
  if (!isUuid(templateId)) throw new NotFoundError("Template", templateId);
  await tx.$executeRaw`SELECT 1 FROM templates WHERE id = ${templateId}::uuid AND workspace_id = ${workspaceId}::uuid FOR UPDATE`;
  const template = await tx.template.findFirst({ where: { id: templateId, workspaceId } });
  if (!template) throw new NotFoundError("Template", templateId);
  return template;
}

export async function writeVersion(tx: Transaction, template: Template): Promise<void> {
  await tx.templateVersion.create({
    data: {
      templateId: template.id,
      workspaceId: template.workspaceId,
      version: template.version,
      name: template.name,
      kind: template.kind,
      subject: template.subject,
      preheader: template.preheader,
      html: template.html,
      text: template.text,
      fromName: template.fromName,
      fromEmail: template.fromEmail,
    },
  });
}
