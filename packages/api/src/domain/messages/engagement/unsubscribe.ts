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
  scenario: "scenario step",
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
  const message = await db().message.findFirst({
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
    const message = await tx.message.findFirst({
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
    await writeConsent(tx, {
      workspaceId: message.workspaceId,
      contactId: message.contactId,
      status,
      source,
      properties: { message_id: messageId, template_id: message.templateId },
      activity: true,
      idempotencyKey: `consent:${messageId}:${randomUUID()}`,
    });
    return true;
  };
  return withTransaction(run, { tx: client });
}

/**
 * Unsubscribes a contact from all marketing without a message to answer (a scenario's
 * `unsubscribe` step): consent becomes UNSUBSCRIBED with `source` at `now`, and an
 * `Unsubscribed` event with `properties` is recorded, as the unsubscribe link records it, but
 * not as the contact's activity (it does not move their last-seen time). Transactional mail
 * still goes. Idempotent per `idempotencyKey`, and an already unsubscribed
 * contact is left as it is. Returns whether the contact changed.
 *
 * @example await unsubscribeContact(tx, { workspaceId, contactId, source: unsubscribeSources.scenario, properties: { scenario_id }, idempotencyKey: `consent:scenario:${runId}:${seq}` })
 */
export function unsubscribeContact(
  client: Transaction | undefined,
  change: {
    workspaceId: string;
    contactId: string;
    source: UnsubscribeSource;
    properties?: Record<string, unknown>;
    idempotencyKey: string;
    now?: Date;
  },
): Promise<boolean> {
  return withTransaction(
    (tx) => writeConsent(tx, { ...change, status: "UNSUBSCRIBED", activity: false }),
    { tx: client },
  );
}

async function writeConsent(
  tx: Transaction,
  change: {
    workspaceId: string;
    contactId: string;
    status: "SUBSCRIBED" | "UNSUBSCRIBED";
    source: UnsubscribeSource;
    properties?: Record<string, unknown>;
    /** Whether the contact did it (moves their last-seen time). */
    activity: boolean;
    idempotencyKey: string;
    now?: Date;
  },
): Promise<boolean> {
  const at = change.now ?? new Date();
  const changed = await tx.contact.updateMany({
    where: {
      id: change.contactId,
      workspaceId: change.workspaceId,
      consentStatus: { not: change.status },
    },
    data: { consentStatus: change.status, consentSource: change.source, consentUpdatedAt: at },
  });
  if (changed.count === 0) return false;
  await recordInternalEvent(tx, {
    workspaceId: change.workspaceId,
    contactId: change.contactId,
    name: change.status === "UNSUBSCRIBED" ? "Unsubscribed" : "Resubscribed",
    activity: change.activity,
    properties: { source: change.source, channel: "email", ...change.properties },
    ...(change.now && { occurredAt: change.now }),
    idempotencyKey: change.idempotencyKey,
  });
  return true;
}
