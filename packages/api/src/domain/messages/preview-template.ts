import { renderEmail } from "@cartwheel/templates";
import { z } from "zod";
import { db } from "../../db.ts";
import { previewEngine } from "../email-templates/engines.ts";
import { updateTemplateInput } from "../email-templates/template-input.ts";
import { libraryFixture } from "../email-templates/template-library.ts";
import { findTemplateIn } from "../email-templates/templates.ts";
import { NotFoundError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import { buildTemplateData, type TemplateRecipient } from "./compose/template-data.ts";
import { configuredEmailLinks } from "./delivery/email-services.ts";
import { loadEmailSettings } from "./email-settings.ts";

const previewInput = z.object({
  templateId: z.string().refine(isUuid, "is not a template id"),
  contactId: z.string().refine(isUuid, "is not a contact id").nullable().optional(),
  sampleData: z.record(z.string(), z.unknown()).nullable().optional(),
  draft: updateTemplateInput.nullable().optional(),
});

const noMessage = "00000000-0000-0000-0000-000000000000";
const sampleRecipient: TemplateRecipient = {
  email: "jane@example.com",
  firstName: "Jane",
  lastName: "Doe",
};

/**
 * Renders a template as a contact (or sample data) would receive it, with strict Liquid so a
 * typo shows: throws `TemplateRenderError` with the part, line and column. `sampleData` adds
 * template variables (cart, order…); without it a library template uses its own fixture.
 * Links are not rewritten for tracking. `draft` holds unsaved changes (as `updateTemplate`
 * takes them) rendered in place of the saved fields; nothing is saved.
 *
 * @example const { subject, html, text } = await previewTemplate(workspaceId, { templateId, contactId })
 * @example await previewTemplate(workspaceId, { templateId, draft: { subject: "Hi {{ contact.first_name }}" } })
 */
export async function previewTemplate(
  workspaceId: string,
  rawInput: z.input<typeof previewInput> | Record<string, unknown>,
): Promise<{ subject: string; preheader: string; html: string; text: string }> {
  const input = parseInput(previewInput, rawInput);
  const template = await findTemplateIn(workspaceId, input.templateId);
  const [settings, workspace, contact] = await Promise.all([
    loadEmailSettings(workspaceId),
    db().workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { name: true } }),
    input.contactId
      ? db().contact.findFirst({ where: { id: input.contactId, workspaceId } })
      : Promise.resolve(null),
  ]);
  if (input.contactId && !contact) throw new NotFoundError("Contact", input.contactId);
  const fixture = libraryFixture(template.libraryKey) ?? {};
  const { shop: _shop, contact: _contact, ...fixtureExtras } = fixture;
  const links = configuredEmailLinks();
  const data = buildTemplateData({
    settings,
    workspaceName: workspace.name,
    recipient: contact?.email ? { ...contact, email: contact.email } : sampleRecipient,
    links: { unsubscribe: links.unsubscribe(noMessage), preferences: links.preferences(noMessage) },
    data: input.sampleData ?? fixtureExtras,
  });
  const draft = Object.fromEntries(
    Object.entries(input.draft ?? {}).filter(([, value]) => value !== undefined),
  );
  return renderEmail(previewEngine(), { ...template, ...draft }, data);
}
