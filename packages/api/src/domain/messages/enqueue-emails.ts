import { z } from "zod";
import { db } from "../../db.ts";
import { NotFoundError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import { loadEmailSettings } from "./email-settings.ts";
import { assertSendable } from "./enqueue-email.ts";
import { sendEmailTask, sendJobKey, sendJobSettings } from "./send-job.ts";

const enqueueEmailsInput = z.object({
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
 * @example await enqueueEmails(workspaceId, { templateId, recipients: carts.map((cart) => ({ contactId: cart.contactId, data: { cart }, idempotencyKey: `cart-${cart.id}` })) })
 */
export async function enqueueEmails(
  workspaceId: string,
  rawInput: z.input<typeof enqueueEmailsInput>,
): Promise<{ messageIds: string[] }> {
  const input = parseInput(enqueueEmailsInput, rawInput);
  const settings = await loadEmailSettings(workspaceId);
  const template = await db().template.findFirst({
    where: { id: input.templateId, workspaceId },
    include: { versions: { orderBy: { version: "desc" }, take: 1, select: { id: true } } },
  });
  if (!template) throw new NotFoundError("Template", input.templateId);
  assertSendable(template, settings);
  const versionId = template.versions[0]?.id ?? null;
  const contactIds = input.recipients.map((recipient) => recipient.contactId);
  const keys = input.recipients.map((recipient) => recipient.idempotencyKey);
  const data = input.recipients.map((recipient) => JSON.stringify(recipient.data));
  return db().$transaction(async (tx) => {
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
    if (messageIds.length > 0) {
      const { priority, flags, maxAttempts } = sendJobSettings(template.kind);
      await tx.$executeRaw`
        SELECT graphile_worker.add_jobs(array_agg((
          ${sendEmailTask}, json_build_object('messageId', id::text), NULL, NULL, ${maxAttempts}::int,
          job_key, ${priority}::int, ${flags}::text[]
        )::graphile_worker.job_spec))
          FROM unnest(${messageIds}::uuid[], ${messageIds.map(sendJobKey)}::text[]) AS j(id, job_key)`;
    }
    return { messageIds };
  });
}
