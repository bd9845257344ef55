import { z } from "zod";
import { type Transaction, withTransaction } from "../../../db.ts";
import type { Message } from "../../../generated/prisma/client.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../../shared/errors.ts";
import { isUuid, parseInput } from "../../shared/validation.ts";
import { loadEmailSettings } from "../email-settings.ts";
import { addSendJob } from "./send-job.ts";

const uuid = (what: string) => z.string().refine(isUuid, `is not a ${what} id`);

export const queueEmailInput = z.object({
  templateId: uuid("template"),
  contactId: uuid("contact"),
  /** Extra template variables: cart, order, recommendations, coupon… */
  data: z.record(z.string(), z.unknown()).default({}),
  /** The caller's key for this send: the same key never sends twice. */
  idempotencyKey: z.string().trim().min(1, "must not be empty").max(255),
});
export type QueueEmailInput = z.input<typeof queueEmailInput>;

/**
 * Queues one email to a contact: writes the Message (status QUEUED, the template's current
 * version) and its `send_email` job in one transaction. Calling again with the same
 * `idempotencyKey` returns the first message and queues nothing; the same key with another
 * template or contact is a ConflictError. Runs in `tx` when given; `origin` ties the message to
 * the scenario run and node that sent it.
 *
 * @example const { message } = await queueEmail(workspaceId, { templateId, contactId, data: { cart }, idempotencyKey: `cart-${cart.id}` })
 */
export async function queueEmail(
  workspaceId: string,
  rawInput: QueueEmailInput,
  tx?: Transaction,
  origin?: { scenarioRunId: string; scenarioNodeId: string; queuedAt?: Date },
): Promise<{ message: Message; created: boolean }> {
  const input = parseInput(queueEmailInput, rawInput);
  return withTransaction(
    async (tx) => {
      const settings = await loadEmailSettings(workspaceId, tx);
      const template = await tx.template.findFirst({
        where: { id: input.templateId, workspaceId },
      });
      if (!template) throw new NotFoundError("Template", input.templateId);
      const contact = await tx.contact.findFirst({ where: { id: input.contactId, workspaceId } });
      if (!contact) throw new NotFoundError("Contact", input.contactId);
      const existing = await tx.message.findUnique({
        where: {
          workspaceId_idempotencyKey: { workspaceId, idempotencyKey: input.idempotencyKey },
        },
      });
      if (existing) return { message: sameRequestOrConflict(existing, input), created: false };
      assertSendable(template, settings);
      if (!contact.email) throw InvalidInputError.field(["contactId"], "has no email address");
      const version = await tx.templateVersion.findUniqueOrThrow({
        where: { templateId_version: { templateId: template.id, version: template.version } },
        select: { id: true },
      });
      const rows = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO messages (workspace_id, contact_id, template_id, template_version_id, kind, idempotency_key, to_email, data,
                            scenario_run_id, scenario_node_id, queued_at)
      VALUES (${workspaceId}::uuid, ${contact.id}::uuid, ${template.id}::uuid, ${version.id}::uuid,
              ${template.kind}::email_kind, ${input.idempotencyKey}, ${contact.email}, ${JSON.stringify(input.data)}::jsonb,
              ${origin?.scenarioRunId ?? null}::uuid, ${origin?.scenarioNodeId ?? null},
              COALESCE(${origin?.queuedAt ?? null}::timestamptz, now()))
      ON CONFLICT (workspace_id, idempotency_key) DO NOTHING
      RETURNING id`;
      const id = rows[0]?.id;
      if (!id) {
        // A concurrent call with the same key committed first; its message is the answer.
        const winner = await tx.message.findUniqueOrThrow({
          where: {
            workspaceId_idempotencyKey: { workspaceId, idempotencyKey: input.idempotencyKey },
          },
        });
        return { message: sameRequestOrConflict(winner, input), created: false };
      }
      await addSendJob(tx, id, template.kind);
      return { message: await tx.message.findUniqueOrThrow({ where: { id } }), created: true };
    },
    { tx },
  );
}

/** Throws InvalidInputError unless mail can be queued with the template: not archived, with a from address. */
export function assertSendable(
  template: { archivedAt: Date | null; fromEmail: string | null },
  settings: { fromEmail: string | null },
): void {
  if (template.archivedAt) throw InvalidInputError.field(["templateId"], "is archived");
  if (!template.fromEmail && !settings.fromEmail) {
    throw InvalidInputError.field(
      ["templateId"],
      "has no from address: set one on the template or in the email settings",
    );
  }
}

function sameRequestOrConflict(
  existing: Message,
  input: z.output<typeof queueEmailInput>,
): Message {
  if (existing.templateId !== input.templateId || existing.contactId !== input.contactId) {
    throw new ConflictError(
      "this idempotency key was already used for another template or contact",
      ["idempotencyKey"],
    );
  }
  return existing;
}
