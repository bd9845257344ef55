import { z } from "zod";
import { type Transaction, withTransaction } from "../../../db.ts";
import { recordInternalEvent } from "../../events/record-internal-event.ts";
import { isUuid } from "../../shared/validation.ts";
import { suppressAddress } from "../policy/suppressions.ts";
import { recordTouch } from "./record-touch.ts";
import { unsubscribeByMessage, unsubscribeSources } from "./unsubscribe.ts";

const recipient = z.object({ emailAddress: z.string() }).loose();

/** An SES notification (identity notifications or configuration-set event publishing). */
const sesNotification = z
  .object({
    notificationType: z.string().optional(),
    eventType: z.string().optional(),
    mail: z
      .object({
        messageId: z.string(),
        headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
        tags: z.record(z.string(), z.array(z.string())).optional(),
      })
      .loose(),
    bounce: z
      .object({
        bounceType: z.string(),
        bounceSubType: z.string().optional(),
        bouncedRecipients: z.array(recipient.extend({ diagnosticCode: z.string().optional() })),
      })
      .loose()
      .optional(),
    complaint: z
      .object({
        complainedRecipients: z.array(recipient),
        complaintFeedbackType: z.string().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

export type SesNotificationOutcome =
  | "bounce"
  | "soft-bounce"
  | "complaint"
  | "delivery"
  | "send"
  | "ignored"
  | "unknown-message";

interface NotifiedMessage {
  id: string;
  workspaceId: string;
  contactId: string | null;
  templateId: string | null;
  status: string;
  sesMessageId: string | null;
  toEmail: string;
}

/**
 * Applies one SES notification to its message and contact. A permanent bounce suppresses the
 * address for all mail; a complaint suppresses it for marketing and unsubscribes the contact;
 * a delivery sets `deliveredAt`. The message is found by SES's MessageId, or by our
 * `X-Cartwheel-Message-Id` header / message tag when its SENT update never landed (a worker
 * that crashed right after SES accepted): such a message becomes SENT here. Each notification
 * is applied once (`notificationId`, SNS's MessageId, keys its events).
 *
 * @example await applySesNotification(JSON.parse(snsEnvelope.Message), snsEnvelope.MessageId)
 */
export async function applySesNotification(
  payload: unknown,
  notificationId: string,
): Promise<SesNotificationOutcome> {
  const parsed = sesNotification.safeParse(payload);
  if (!parsed.success) return "ignored";
  const notification = parsed.data;
  const type = notification.notificationType ?? notification.eventType ?? "";
  return withTransaction(async (tx) => {
    const message = await findNotifiedMessage(tx, notification.mail);
    if (!message) return "unknown-message";
    await reconcileSent(tx, message, notification.mail.messageId);
    const event = (name: string, properties: Record<string, unknown>) =>
      message.contactId
        ? recordInternalEvent(tx, {
            workspaceId: message.workspaceId,
            contactId: message.contactId,
            name,
            properties: { message_id: message.id, template_id: message.templateId, ...properties },
            idempotencyKey: `ses:${notificationId}:${name}`,
          })
        : null;
    if (type === "Bounce" && notification.bounce) {
      const { bounceType, bounceSubType, bouncedRecipients } = notification.bounce;
      const hard = bounceType === "Permanent";
      await tx.message.update({
        where: { id_workspaceId: { workspaceId: message.workspaceId, id: message.id } },
        data: {
          bouncedAt: new Date(),
          bounceType: [bounceType, bounceSubType].filter(Boolean).join("/"),
        },
      });
      if (hard) {
        for (const bounced of bouncedRecipients.filter(isRecipientOf(message))) {
          await suppressAddress(tx, {
            workspaceId: message.workspaceId,
            email: bounced.emailAddress,
            reason: "HARD_BOUNCE",
            messageId: message.id,
            detail: bounced.diagnosticCode ?? bounceSubType ?? null,
          });
        }
      }
      await event("Email Bounced", {
        bounce_type: bounceType,
        bounce_sub_type: bounceSubType,
        hard,
      });
      return hard ? "bounce" : "soft-bounce";
    }
    if (type === "Complaint" && notification.complaint) {
      await tx.message.update({
        where: { id_workspaceId: { workspaceId: message.workspaceId, id: message.id } },
        data: { complainedAt: new Date() },
      });
      const complainedRecipients = notification.complaint.complainedRecipients;
      for (const complained of complainedRecipients.filter(isRecipientOf(message))) {
        await suppressAddress(tx, {
          workspaceId: message.workspaceId,
          email: complained.emailAddress,
          reason: "COMPLAINT",
          messageId: message.id,
          detail: notification.complaint.complaintFeedbackType ?? null,
        });
      }
      await event("Email Complained", {
        feedback_type: notification.complaint.complaintFeedbackType ?? null,
      });
      await unsubscribeByMessage(message.id, unsubscribeSources.complaint, tx);
      return "complaint";
    }
    if (type === "Delivery") {
      const deliveredAt = new Date();
      const first = await tx.message.updateMany({
        where: { id: message.id, deliveredAt: null },
        data: { deliveredAt },
      });
      if (first.count === 1) {
        await recordTouch(tx, { messageId: message.id, kind: "DELIVERED", at: deliveredAt });
      }
      await event("Email Delivered", {});
      return "delivery";
    }
    return type === "Send" ? "send" : "ignored";
  });
}

/**
 * Each message has one recipient; an address the notification names besides it is not
 * suppressed, so a notification about one message cannot stop mail to other addresses.
 */
function isRecipientOf(message: NotifiedMessage) {
  const to = message.toEmail.toLowerCase();
  return (recipient: { emailAddress: string }) => recipient.emailAddress.toLowerCase() === to;
}

async function findNotifiedMessage(
  tx: Transaction,
  mail: z.output<typeof sesNotification>["mail"],
): Promise<NotifiedMessage | null> {
  const select = {
    id: true,
    workspaceId: true,
    contactId: true,
    templateId: true,
    status: true,
    sesMessageId: true,
    toEmail: true,
  } as const;
  const workspaceId = mail.tags?.cartwheel_workspace_id?.[0];
  const bySes =
    workspaceId && isUuid(workspaceId)
      ? await tx.message.findUnique({
          where: { workspaceId_sesMessageId: { workspaceId, sesMessageId: mail.messageId } },
          select,
        })
      : // Mail sent before messages carried their workspace's tag: a look-up across workspaces.
        await tx.message.findFirst({ where: { sesMessageId: mail.messageId }, select });
  if (bySes) return bySes;
  const ours =
    mail.tags?.cartwheel_message_id?.[0] ??
    mail.headers?.find((header) => header.name.toLowerCase() === "x-cartwheel-message-id")?.value;
  if (!ours || !isUuid(ours)) return null;
  return tx.message.findFirst({
    where: { id: ours, ...(workspaceId && isUuid(workspaceId) && { workspaceId }) },
    select,
  });
}

/** SES knows the message, so it was accepted: record that if our own update never landed. */
async function reconcileSent(
  tx: Transaction,
  message: NotifiedMessage,
  sesMessageId: string,
): Promise<void> {
  if (message.sesMessageId) return;
  await tx.message.updateMany({
    where: {
      id: message.id,
      sesMessageId: null,
      OR: [
        { status: "SENDING" },
        { status: "FAILED", statusReason: { startsWith: "INTERRUPTED" } },
        { status: "FAILED", statusReason: { startsWith: "UNCERTAIN" } },
      ],
    },
    data: { status: "SENT", sesMessageId, sentAt: new Date(), statusReason: null },
  });
}
