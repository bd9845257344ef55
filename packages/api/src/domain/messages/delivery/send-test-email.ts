import { randomUUID } from "node:crypto";
import { renderEmail } from "@cartwheel/templates";
import { z } from "zod";
import { db } from "../../../db.ts";
import type { Message, TemplateVersion } from "../../../generated/prisma/client.ts";
import { sendingEngine } from "../../email-templates/engines.ts";
import { libraryFixture } from "../../email-templates/template-library.ts";
import { findTemplateIn } from "../../email-templates/templates.ts";
import { InvalidInputError } from "../../shared/errors.ts";
import { isUuid, parseInput } from "../../shared/validation.ts";
import { buildTemplateData } from "../compose/template-data.ts";
import { loadEmailSettings } from "../email-settings.ts";
import { addSendJob } from "../queue/send-job.ts";
import {
  type DeliveryDependencies,
  deliverMessage,
  TransientSendError,
} from "./deliver-message.ts";
import { configuredEmailLinks } from "./email-services.ts";

const sendTestEmailInput = z.object({
  templateId: z.string().refine(isUuid, "is not a template id"),
  to: z.email().transform((email) => email.trim().toLowerCase()),
  sampleData: z.record(z.string(), z.unknown()).nullable().optional(),
});

/**
 * Sends a template to any address now, through the same path as real mail (rate limit,
 * tracking links, List-Unsubscribe for marketing), as a Message marked `isTest` with no contact.
 * Consent rules do not apply to a test; a hard-bounced address still gets nothing. If the rate
 * limit has no slot soon, the message is queued for the worker instead.
 *
 * @example const message = await sendTestEmail(workspaceId, { templateId, to: "me@shop.test" })
 */
export async function sendTestEmail(
  workspaceId: string,
  rawInput: z.input<typeof sendTestEmailInput>,
  dependencies: DeliveryDependencies = {},
): Promise<Message> {
  const input = parseInput(sendTestEmailInput, rawInput);
  const template = await findTemplateIn(workspaceId, input.templateId);
  if (template.archivedAt) throw InvalidInputError.field(["templateId"], "is archived");
  const { shop: _shop, contact: _contact, ...fixture } = libraryFixture(template.libraryKey) ?? {};
  const version = await db().templateVersion.findUniqueOrThrow({
    where: {
      workspaceId_templateId_version: {
        workspaceId,
        templateId: template.id,
        version: template.version,
      },
    },
  });
  const data = (input.sampleData ?? fixture) as Record<string, unknown>;
  await renderAsTheTestWill(workspaceId, version, input.to, data, dependencies);
  const message = await db().message.create({
    data: {
      workspaceId,
      templateId: template.id,
      templateVersionId: version.id,
      kind: template.kind,
      isTest: true,
      idempotencyKey: `test:${randomUUID()}`,
      toEmail: input.to,
      data: data as object,
    },
  });
  const queueForWorker = () => addSendJob(db(), message.id, template.kind);
  try {
    const result = await deliverMessage(message.id, dependencies);
    if (result.status === "DEFERRED") await queueForWorker();
  } catch (error) {
    // Whatever went wrong, the message exists: leave it to the worker rather than QUEUED forever.
    await queueForWorker();
    if (!(error instanceof TransientSendError)) throw error;
  }
  return db().message.findUniqueOrThrow({
    where: { id_workspaceId: { workspaceId: message.workspaceId, id: message.id } },
  });
}

const noMessage = "00000000-0000-0000-0000-000000000000";

/**
 * Renders the version with the data the test will carry, so a template that cannot render with
 * it (a Liquid error, a safety limit) is refused as `TemplateRenderError` before any message is
 * recorded, rather than leaving a FAILED test message behind.
 */
async function renderAsTheTestWill(
  workspaceId: string,
  version: TemplateVersion,
  to: string,
  data: Record<string, unknown>,
  dependencies: DeliveryDependencies,
): Promise<void> {
  const [settings, workspace] = await Promise.all([
    loadEmailSettings(workspaceId),
    db().workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { name: true } }),
  ]);
  const links = dependencies.links ?? configuredEmailLinks();
  const templateData = buildTemplateData({
    settings,
    workspaceName: workspace.name,
    recipient: { email: to },
    links: { unsubscribe: links.unsubscribe(noMessage), preferences: links.preferences(noMessage) },
    data,
  });
  await renderEmail(dependencies.engine ?? sendingEngine(), version, templateData);
}
