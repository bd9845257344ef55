import { z } from "zod";
import { db, withTransaction } from "../../../db.ts";
import { queueContactDataChange } from "../../contacts/contact-changes.ts";
import { lockContact } from "../../contacts/lock-contact.ts";
import { installTemplateLibrary } from "../../email-templates/template-library.ts";
import { recordInternalEvent } from "../../events/record-internal-event.ts";
import { parseInput } from "../../shared/validation.ts";
import { loadEmailSettings } from "../email-settings.ts";
import { queueEmail } from "../queue/queue-email.ts";

export const confirmationTemplateKey = "subscription-confirmation";

const subscribeInput = z.strictObject({
  email: z
    .email("is not a valid email address")
    .max(320)
    .transform((email) => email.toLowerCase()),
  /** Where the shopper subscribed: `footer-form`, `exit-intent`, `checkout`. */
  source: z.string().trim().min(1).max(100).default("storefront"),
  firstName: z.string().trim().min(1).max(100).optional(),
});
export type SubscribeInput = z.input<typeof subscribeInput>;

/** Who asked, kept as the consent's proof. */
export interface ConsentOrigin {
  ip?: string | null;
  userAgent?: string | null;
}

export type SubscribeOutcome =
  | "confirmation_sent"
  | "confirmation_already_sent"
  | "subscribed"
  | "already_subscribed";

/**
 * A storefront's signup (a footer form, an exit-intent popup): finds or creates the contact by
 * email — never changing an existing contact's fields, since a browser cannot prove it is them —
 * then, with the workspace's double opt-in (the default), leaves it PENDING and mails the
 * confirmation link (at most one a day); without it, subscribes at once. Either way the
 * request's time, source, IP and user agent are kept as `consentProof`. A contact already
 * SUBSCRIBED gets nothing.
 *
 * @example await requestSubscription(workspaceId, { email: "ada@example.com", source: "footer-form" }, { ip, userAgent })
 */
export async function requestSubscription(
  workspaceId: string,
  rawInput: SubscribeInput,
  origin: ConsentOrigin = {},
  now: Date = new Date(),
): Promise<{ outcome: SubscribeOutcome; contactId: string }> {
  const input = parseInput(subscribeInput, rawInput);
  const settings = await loadEmailSettings(workspaceId);
  const template = settings.doubleOptIn ? await confirmationTemplate(workspaceId) : null;
  return withTransaction(async (tx) => {
    const [created] = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO contacts (workspace_id, email, first_name, consent_status)
      VALUES (${workspaceId}::uuid, ${input.email}, ${input.firstName ?? null}, 'UNKNOWN')
      ON CONFLICT DO NOTHING
      RETURNING id::text`;
    const contact = await tx.contact.findFirstOrThrow({
      where: { workspaceId, email: input.email },
      select: { id: true, consentStatus: true },
    });
    if (created) await queueContactDataChange(tx, workspaceId, [contact.id]);
    await lockContact(tx, workspaceId, contact.id);
    if (contact.consentStatus === "SUBSCRIBED") {
      return { outcome: "already_subscribed" as const, contactId: contact.id };
    }
    const proof = {
      method: template ? "double_opt_in" : "single_opt_in",
      source: input.source,
      requested_at: now.toISOString(),
      ip: origin.ip ?? null,
      user_agent: origin.userAgent ?? null,
    };
    if (!template) {
      await tx.contact.update({
        where: { id_workspaceId: { workspaceId, id: contact.id } },
        data: {
          consentStatus: "SUBSCRIBED",
          consentSource: input.source,
          consentUpdatedAt: now,
          consentProof: proof,
        },
      });
      await recordSubscribed(tx, workspaceId, contact.id, input.source, now);
      return { outcome: "subscribed" as const, contactId: contact.id };
    }
    await tx.contact.update({
      where: { id_workspaceId: { workspaceId, id: contact.id } },
      data: {
        consentStatus: "PENDING",
        consentSource: input.source,
        consentUpdatedAt: now,
        consentProof: proof,
      },
    });
    const { created: sent } = await queueEmail(
      workspaceId,
      {
        templateId: template.id,
        contactId: contact.id,
        data: { subscription_request: { source: input.source, requested_at: proof.requested_at } },
        idempotencyKey: `subscribe:${contact.id}:${now.toISOString().slice(0, 10)}`,
      },
      tx,
    );
    return {
      outcome: sent ? ("confirmation_sent" as const) : ("confirmation_already_sent" as const),
      contactId: contact.id,
    };
  });
}

/** The workspace's confirmation template, installed from the library the first time. */
async function confirmationTemplate(workspaceId: string) {
  const installed = await db().template.findFirst({
    where: { workspaceId, libraryKey: confirmationTemplateKey },
  });
  if (installed) return installed;
  const { templates } = await installTemplateLibrary(workspaceId, {
    keys: [confirmationTemplateKey],
  });
  const template = templates.find((t) => t.libraryKey === confirmationTemplateKey);
  if (!template) throw new Error("the library has no subscription-confirmation template");
  return template;
}

export function recordSubscribed(
  tx: Parameters<typeof recordInternalEvent>[0],
  workspaceId: string,
  contactId: string,
  source: string,
  now: Date,
) {
  return recordInternalEvent(tx, {
    workspaceId,
    contactId,
    name: "Subscribed",
    activity: true,
    occurredAt: now,
    properties: { source, channel: "email" },
    idempotencyKey: `subscribed:${contactId}:${now.toISOString()}`,
  });
}
