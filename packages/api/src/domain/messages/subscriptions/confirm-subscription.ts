import { db, withTransaction } from "../../../db.ts";
import { lockContact } from "../../contacts/lock-contact.ts";
import { isUuid } from "../../shared/validation.ts";
import { type ConsentOrigin, recordSubscribed } from "./request-subscription.ts";

/** How long a confirmation link works. */
export const confirmationLinkDays = 30;

export interface ConfirmationRequest {
  shopName: string;
  email: string;
  /** Whether the link can still be used (not expired). */
  valid: boolean;
  subscribed: boolean;
}

/** What a confirmation link's page shows, or null when the message is not a confirmation. */
export async function loadConfirmationRequest(
  messageId: string,
  now: Date = new Date(),
): Promise<ConfirmationRequest | null> {
  if (!isUuid(messageId)) return null;
  const message = await db().message.findFirst({
    where: { id: messageId },
    select: {
      data: true,
      queuedAt: true,
      contact: { select: { email: true, consentStatus: true } },
      workspace: { select: { name: true, emailSettings: { select: { shopName: true } } } },
    },
  });
  if (!message?.contact?.email || !isSubscriptionConfirmation(message.data)) return null;
  return {
    shopName: message.workspace.emailSettings?.shopName ?? message.workspace.name,
    email: message.contact.email,
    valid: now.getTime() - message.queuedAt.getTime() < confirmationLinkDays * 86_400_000,
    subscribed: message.contact.consentStatus === "SUBSCRIBED",
  };
}

/**
 * The confirmation link was followed and its button pressed: the contact becomes SUBSCRIBED,
 * the proof gains the confirmation's time, IP and user agent, and `Subscribed` is recorded (a
 * welcome scenario starts on it). Repeating it changes nothing. False for a link that is not a
 * live confirmation.
 */
export async function confirmSubscription(
  messageId: string,
  origin: ConsentOrigin = {},
  now: Date = new Date(),
): Promise<boolean> {
  const request = await loadConfirmationRequest(messageId, now);
  if (!request?.valid) return false;
  return withTransaction(async (tx) => {
    const message = await tx.message.findFirstOrThrow({
      where: { id: messageId },
      select: { workspaceId: true, contactId: true, data: true },
    });
    if (!message.contactId || !(await lockContact(tx, message.workspaceId, message.contactId))) {
      return false;
    }
    const contact = await tx.contact.findUniqueOrThrow({
      where: { id_workspaceId: { workspaceId: message.workspaceId, id: message.contactId } },
      select: { consentStatus: true, consentProof: true },
    });
    if (contact.consentStatus === "SUBSCRIBED") return true;
    const asked = (message.data as { subscription_request?: { source?: string } })
      .subscription_request;
    const source = asked?.source ?? "storefront";
    const earlier =
      contact.consentProof && typeof contact.consentProof === "object" ? contact.consentProof : {};
    await tx.contact.update({
      where: { id_workspaceId: { workspaceId: message.workspaceId, id: message.contactId } },
      data: {
        consentStatus: "SUBSCRIBED",
        consentSource: source,
        consentUpdatedAt: now,
        consentProof: {
          ...(earlier as Record<string, unknown>),
          method: "double_opt_in",
          source,
          confirmed_at: now.toISOString(),
          confirmation_message_id: messageId,
          confirmation_ip: origin.ip ?? null,
          confirmation_user_agent: origin.userAgent ?? null,
        },
      },
    });
    await recordSubscribed(tx, message.workspaceId, message.contactId, source, now);
    return true;
  });
}

/** A double opt-in confirmation carries its request; only it gets (and honours) a confirmation link. */
export function isSubscriptionConfirmation(data: unknown): boolean {
  return typeof data === "object" && data !== null && "subscription_request" in data;
}
