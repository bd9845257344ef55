import { z } from "zod";
import { db, type Transaction, withTransaction } from "../../../db.ts";
import { assertTemplateData } from "../../email-templates/required-data.ts";
import { addJobs } from "../../jobs/add-job.ts";
import { NotFoundError } from "../../shared/errors.ts";
import { isUuid, parseInput } from "../../shared/validation.ts";
import { loadEmailSettings } from "../email-settings.ts";
import { assertSendable } from "./queue-email.ts";
import { sendJobKey, sendJobSettings } from "./send-job.ts";

const queueEmailsInput = z.object({
  templateId: z.string().refine(isUuid, "is not a template id"),
  recipients: z
    .array(
      z.object({
        contactId: z.string().refine(isUuid, "is not a contact id"),
        data: z.record(z.string(), z.unknown()).default({}),
        idempotencyKey: z.string().trim().min(1).max(255),
      }),
    )
    .max(10_000),
});

/**
 * Queues one template to many contacts in one transaction (a campaign, a scenario step): the
 * Message rows and their `send_email` jobs in two statements. Recipients whose idempotency key
 * was used before, who are not contacts of the workspace or have no email are skipped.
 * Returns the ids of the messages it created.
 *
 * Runs in `tx` when given.
 *
 * @example await queueEmails(workspaceId, { templateId, recipients: carts.map((cart) => ({ contactId: cart.contactId, data: { cart }, idempotencyKey: `cart-${cart.id}` })) })
 */
export async function queueEmails(
  workspaceId: string,
  rawInput: z.input<typeof queueEmailsInput>,
  tx?: Transaction,
): Promise<{ messageIds: string[] }> {
  const input = parseInput(queueEmailsInput, rawInput);
  const settings = await loadEmailSettings(workspaceId, tx);
  const template = await (tx ?? db()).template.findFirst({
    where: { id: input.templateId, workspaceId },
    include: { versions: { orderBy: { version: "desc" }, take: 1, select: { id: true } } },
  });
  if (!template) throw new NotFoundError("Template", input.templateId);
  assertSendable(template, settings);
  input.recipients.forEach((recipient, index) => {
    assertTemplateData(template, recipient.data, ["recipients", String(index), "data"]);
  });
  const versionId = template.versions[0]?.id ?? null;
  const contactIds = input.recipients.map((recipient) => recipient.contactId);
  const keys = input.recipients.map((recipient) => recipient.idempotencyKey);
  const data = input.recipients.map((recipient) => JSON.stringify(recipient.data));
  return withTransaction(
    async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO messages (workspace_id, contact_id, template_id, template_version_id, kind, idempotency_key, to_email, data)
      SELECT ${workspaceId}::uuid, c.id, ${template.id}::uuid, ${versionId}::uuid, ${template.kind}::email_kind,
             r.idempotency_key, c.email, r.data
        FROM unnest(${contactIds}::uuid[], ${keys}::text[], ${data}::jsonb[]) WITH ORDINALITY
             AS r(contact_id, idempotency_key, data, position)
        JOIN contacts c ON c.id = r.contact_id AND c.workspace_id = ${workspaceId}::uuid AND c.email IS NOT NULL
       ORDER BY r.position
      ON CONFLICT (workspace_id, idempotency_key) DO NOTHING
      RETURNING id`;
      const messageIds = rows.map((row) => row.id);
      await addJobs(
        tx,
        "send_email",
        messageIds.map((messageId) => ({ payload: { messageId }, jobKey: sendJobKey(messageId) })),
        sendJobSettings(template.kind),
      );
      return { messageIds };
    },
    { tx },
  );
}
