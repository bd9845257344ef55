import { type TemplateEngine, TemplateRenderError } from "@cartwheel/templates";
import { pool } from "../../../db.ts";
import type { MessageStatus } from "../../../generated/prisma/client.ts";
import { sendingEngine } from "../../email-templates/engines.ts";
import { campaignName, composeEmail } from "../compose/compose-email.ts";
import type { EmailLinks } from "../compose/email-links.ts";
import { buildMimeMessage } from "../compose/mime-message.ts";
import { buildTemplateData } from "../compose/template-data.ts";
import { decideDelivery } from "../policy/delivery-policy.ts";
import { EmailSendError, type EmailSender } from "../providers/email-sender.ts";
import { isSubscriptionConfirmation } from "../subscriptions/confirm-subscription.ts";
import { loadDeliveryContext } from "./delivery-context.ts";
import { configuredEmailLinks, configuredEmailSender } from "./email-services.ts";
import { markMessageSent } from "./mark-sent.ts";
import { claimMessage, reserveSendSlot } from "./send-rate.ts";

export interface DeliveryDependencies {
  /** Default: SES as configured by `emailConfig()`. */
  sender?: EmailSender;
  /** Default: signed links under `CARTWHEEL_PUBLIC_URL`. */
  links?: EmailLinks;
  /** Default: the lenient sending engine. */
  engine?: TemplateEngine;
}

export type DeliveryResult =
  | { status: "SENT"; providerMessageId: string }
  | { status: "SUPPRESSED" | "FAILED"; reason: string }
  /** The rate limit has no slot soon: run the job again in `retryInMs`. */
  | { status: "DEFERRED"; retryInMs: number }
  /** Another attempt already finished the message, or it was erased with its contact. */
  | { status: "ALREADY_HANDLED"; current: MessageStatus | null };

/** SES refused for now (throttling, 5xx) or the connection failed: retry with backoff. */
export class TransientSendError extends Error {
  override name = "TransientSendError";
}

/** How long a send may wait for a rate-limit slot before its job is rescheduled instead. */
export const slotHorizonMs = { MARKETING: 1_000, TRANSACTIONAL: 10_000 } as const;

/**
 * Delivers one queued message, at most once:
 *
 * 1. Suppression rule (`decideDelivery`), rendering and the MIME build happen while the
 *    message is QUEUED; a crash here leaves it QUEUED and the retry starts over safely.
 * 2. A rate-limit slot is reserved; if none opens soon the result is DEFERRED.
 * 3. The row moves QUEUED → SENDING (a conditional update, committed) just before the
 *    SES call (v2 `SendEmail`, raw), and SENDING → SENT with SES's MessageId right after it.
 *
 * The window that cannot be closed is step 3: from the SENDING commit to the SENT commit, one
 * SES request and one UPDATE, shared with the sends finishing meanwhile (`markMessageSent`):
 * a few ms against the local SES API, tens of ms against SES.
 * A crash inside it leaves the message SENDING; the retried job then does not send again
 * (SES may have accepted it) but marks it FAILED with an `INTERRUPTED` reason, and a later SES
 * notification for it (matched by the X-Cartwheel-Message-Id header) sets it SENT. So a message
 * is never sent twice; the price is that a crash in that window can lose one.
 *
 * Throws `TransientSendError` when the job should be retried with backoff.
 *
 * @example const result = await deliverMessage(messageId)
 */
export async function deliverMessage(
  messageId: string,
  dependencies: DeliveryDependencies = {},
): Promise<DeliveryResult> {
  const message = await loadDeliveryContext(messageId);
  if (!message) return { status: "ALREADY_HANDLED", current: null };
  if (message.status === "SENDING") {
    return finish(messageId, "SENDING", "FAILED", interruptedReason);
  }
  if (message.status !== "QUEUED") return { status: "ALREADY_HANDLED", current: message.status };

  const { version, settings } = message;
  if (!version) return finish(messageId, "QUEUED", "FAILED", "TEMPLATE_MISSING");
  const to = message.contact ? message.contact.email : message.toEmail;
  if (!to) return finish(messageId, "QUEUED", "FAILED", "NO_EMAIL_ADDRESS");
  const decision = decideDelivery({
    kind: message.isTest ? "TRANSACTIONAL" : message.kind,
    consentRequired: settings.consentRequired,
    consentStatus: message.contact?.consentStatus ?? "UNKNOWN",
    hardBounced: message.hardBounced,
    complained: message.complained,
  });
  if (!decision.send) return finish(messageId, "QUEUED", "SUPPRESSED", decision.reason);
  const fromEmail = version.fromEmail ?? settings.fromEmail;
  if (!fromEmail) return finish(messageId, "QUEUED", "FAILED", "NO_FROM_ADDRESS");

  const links = dependencies.links ?? configuredEmailLinks();
  const unsubscribeUrl = links.unsubscribe(messageId);
  const data = buildTemplateData({
    settings,
    workspaceName: message.workspaceName,
    recipient: message.contact ? { ...message.contact, email: to } : { email: to },
    links: {
      unsubscribe: unsubscribeUrl,
      preferences: links.preferences(messageId),
      ...(isSubscriptionConfirmation(message.data) && {
        confirmSubscription: links.confirmSubscription(messageId),
      }),
    },
    data: message.data,
  });
  let composed: Awaited<ReturnType<typeof composeEmail>>;
  try {
    const source = { ...version, cacheKey: version.id };
    composed = await composeEmail(dependencies.engine ?? sendingEngine(), source, data, {
      messageId,
      links,
      campaign: campaignName(version),
      shopUrl: settings.shopUrl,
    });
  } catch (error) {
    if (!(error instanceof TemplateRenderError)) throw error;
    const where = error.line ? ` (${error.part} line ${error.line}, column ${error.column})` : "";
    return finish(messageId, "QUEUED", "FAILED", `TEMPLATE_ERROR: ${error.message}${where}`);
  }
  const raw = buildMimeMessage({
    messageId,
    from: { name: version.fromName ?? settings.fromName ?? settings.shopName, address: fromEmail },
    to: {
      name: [message.contact?.firstName, message.contact?.lastName].filter(Boolean).join(" "),
      address: to,
    },
    replyTo: settings.replyTo,
    subject: composed.subject,
    html: composed.html,
    text: composed.text,
    listUnsubscribe:
      message.kind === "MARKETING"
        ? { url: unsubscribeUrl, mailto: links.unsubscribeMailto(messageId) }
        : null,
  });

  const claim = { messageId, to, from: fromEmail, subject: composed.subject };
  const slot = await reserveSendSlot(message.workspaceId, settings.sendRatePerSecond, {
    horizonMs: slotHorizonMs[message.kind],
    claim,
  });
  if (!slot.reserved) return { status: "DEFERRED", retryInMs: slot.retryInMs };
  if (!slot.claimed) {
    await new Promise((resolve) => setTimeout(resolve, slot.waitMs));
    if (!(await claimMessage(claim))) return { status: "ALREADY_HANDLED", current: null };
  }

  const sender = dependencies.sender ?? configuredEmailSender();
  let providerMessageId: string;
  try {
    ({ providerMessageId } = await sender.send({
      from: fromEmail,
      to,
      raw,
      tags: { cartwheel_message_id: messageId, cartwheel_workspace_id: message.workspaceId },
    }));
  } catch (error) {
    const failure = error instanceof EmailSendError ? error : null;
    const reason = failure?.message ?? String(error);
    if (failure?.failure === "retry") {
      await pool().query(
        `UPDATE messages SET status = 'QUEUED', status_reason = $2, updated_at = now()
          WHERE id = $1 AND status = 'SENDING'`,
        [messageId, reason],
      );
      throw new TransientSendError(reason, { cause: error });
    }
    const prefix = failure?.failure === "permanent" ? "REJECTED" : "UNCERTAIN";
    return finish(messageId, "SENDING", "FAILED", `${prefix}: ${reason}`);
  }
  await markMessageSent({ messageId, providerMessageId });
  return { status: "SENT", providerMessageId };
}

const interruptedReason =
  "INTERRUPTED: a previous attempt stopped after handing the message to SES; not resent, as SES may have accepted it";

/**
 * Gives up on a message whose job ran out of attempts. A message caught SENDING may have
 * reached SES, so its reason starts with `UNCERTAIN:` and a later SES notification can still
 * set it SENT.
 */
export async function failMessage(messageId: string, reason: string): Promise<void> {
  await pool().query(
    `UPDATE messages SET status = 'FAILED', updated_at = now(),
            status_reason = CASE WHEN status = 'SENDING' THEN 'UNCERTAIN: ' || $2::text ELSE $2::text END
      WHERE id = $1 AND status IN ('QUEUED', 'SENDING')`,
    [messageId, reason],
  );
}

async function finish(
  messageId: string,
  from: "QUEUED" | "SENDING",
  to: "FAILED" | "SUPPRESSED",
  reason: string,
): Promise<DeliveryResult> {
  const updated = await pool().query(
    `UPDATE messages SET status = $3::message_status, status_reason = $4, updated_at = now()
      WHERE id = $1 AND status = $2::message_status`,
    [messageId, from, to, reason],
  );
  if (updated.rowCount === 0) return { status: "ALREADY_HANDLED", current: null };
  return { status: to, reason };
}
