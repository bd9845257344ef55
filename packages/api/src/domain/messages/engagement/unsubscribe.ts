import { randomUUID } from "node:crypto";
import { db, type Transaction, withTransaction } from "../../../db.ts";
import { recordInternalEvent } from "../../events/record-internal-event.ts";
import { isUuid } from "../../shared/validation.ts";

/** Where a consent change came from; stored as the contact's consent source and on the event. */
export const unsubscribeSources = {
  oneClick: "email one-click unsubscribe",
  unsubscribePage: "email unsubscribe page",
  preferenceCentre: "email preference centre",
  complaint: "spam complaint",
} as const;
export type UnsubscribeSource = (typeof unsubscribeSources)[keyof typeof unsubscribeSources];

export interface EmailPreferences {
  email: string | null;
  shopName: string;
  consentStatus: "UNKNOWN" | "PENDING" | "SUBSCRIBED" | "UNSUBSCRIBED";
  /** A test send: there is no contact to change. */
  isTest: boolean;
}

/** What the preference centre shows for the message's contact, or null for an unknown message. */
export async function loadEmailPreferences(messageId: string): Promise<EmailPreferences | null> {
  if (!isUuid(messageId)) return null;
  const message = await db().message.findUnique({
    where: { id: messageId },
    select: {
      isTest: true,
      toEmail: true,
      contact: { select: { email: true, consentStatus: true } },
      workspace: { select: { name: true, emailSettings: { select: { shopName: true } } } },
    },
  });
  if (!message) return null;
  return {
    email: message.contact?.email ?? message.toEmail,
    shopName: message.workspace.emailSettings?.shopName ?? message.workspace.name,
    consentStatus: message.contact?.consentStatus ?? "UNKNOWN",
    isTest: message.isTest || !message.contact,
  };
}

/**
 * Unsubscribes the contact a message went to from all marketing: consent becomes UNSUBSCRIBED
 * with `source`, the message counts as unsubscribed, and an `Unsubscribed` event is recorded.
 * Idempotent: an already unsubscribed contact is left as it is. Returns false for an unknown
 * message or a test send.
 *
 * @example await unsubscribeByMessage(messageId, unsubscribeSources.oneClick)
 */
export function unsubscribeByMessage(
  messageId: string,
  source: UnsubscribeSource,
  client?: Transaction,
): Promise<boolean> {
  return changeConsent(messageId, "UNSUBSCRIBED", source, client);
}

/** Subscribes the message's contact to marketing again (preference centre); records `Resubscribed`. */
export function resubscribeByMessage(
  messageId: string,
  source: UnsubscribeSource,
): Promise<boolean> {
  return changeConsent(messageId, "SUBSCRIBED", source);
}

async function changeConsent(
  messageId: string,
  status: "SUBSCRIBED" | "UNSUBSCRIBED",
  source: UnsubscribeSource,
  client?: Transaction,
): Promise<boolean> {
  if (!isUuid(messageId)) return false;
  const run = async (tx: Transaction) => {
    const message = await tx.message.findUnique({
      where: { id: messageId },
      select: { workspaceId: true, contactId: true, templateId: true },
    });
    if (!message?.contactId) return false;
    if (status === "UNSUBSCRIBED") {
      await tx.message.updateMany({
        where: { id: messageId, unsubscribedAt: null },
        data: { unsubscribedAt: new Date() },
      });
    }
    const changed = await tx.contact.updateMany({
      where: { id: message.contactId, consentStatus: { not: status } },
      data: { consentStatus: status, consentSource: source, consentUpdatedAt: new Date() },
    });
    if (changed.count > 0) {
      await recordInternalEvent(tx, {
        workspaceId: message.workspaceId,
        contactId: message.contactId,
        name: status === "UNSUBSCRIBED" ? "Unsubscribed" : "Resubscribed",
        activity: true,
        properties: {
          source,
          channel: "email",
          message_id: messageId,
          template_id: message.templateId,
        },
        idempotencyKey: `consent:${messageId}:${randomUUID()}`,
      });
    }
    return true;
  };
  return withTransaction(run, { tx: client });
}
