import { randomUUID } from "node:crypto";
import { z } from "zod";
import { db } from "../../../db.ts";
import type { Message } from "../../../generated/prisma/client.ts";
import { libraryFixture } from "../../email-templates/template-library.ts";
import { findTemplateIn } from "../../email-templates/templates.ts";
import { InvalidInputError } from "../../shared/errors.ts";
import { isUuid, parseInput } from "../../shared/validation.ts";
import { addSendJob } from "../queue/send-job.ts";
import {
  type DeliveryDependencies,
  deliverMessage,
  TransientSendError,
} from "./deliver-message.ts";

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
    where: { templateId_version: { templateId: template.id, version: template.version } },
  });
  const message = await db().message.create({
    data: {
      workspaceId,
      templateId: template.id,
      templateVersionId: version.id,
      kind: template.kind,
      isTest: true,
      idempotencyKey: `test:${randomUUID()}`,
      toEmail: input.to,
      data: (input.sampleData ?? fixture) as object,
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
  return db().message.findUniqueOrThrow({ where: { id: message.id } });
}
