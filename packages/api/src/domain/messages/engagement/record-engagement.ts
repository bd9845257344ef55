import { createHash } from "node:crypto";
import { withTransaction } from "../../../db.ts";
import { recordInternalEvent } from "../../events/record-internal-event.ts";
import { isUuid } from "../../shared/validation.ts";
import { isApplePrivacyPrefetch } from "./apple-privacy.ts";
import { linkCategory } from "./link-category.ts";
import { recordTouch } from "./record-touch.ts";

export interface RequestOrigin {
  userAgent?: string | null;
  ip?: string | null;
}

interface EngagedMessage {
  workspace_id: string;
  contact_id: string | null;
  template_id: string | null;
  first: boolean;
}

/**
 * Counts an open of a message's pixel. The first open by a person sets `openedAt` and records
 * an `Email Opened` event for the contact; an Apple Mail privacy pre-fetch sets
 * `machineOpenedAt` instead and its event says `machine_open: true`. Test sends are ignored.
 * Every open goes to the touch log. Returns whether it counted as a pre-fetch, or null for an
 * unknown message.
 */
export async function recordEmailOpen(
  messageId: string,
  origin: RequestOrigin,
  at: Date = new Date(),
): Promise<{ machineOpen: boolean } | null> {
  if (!isUuid(messageId)) return null;
  const machineOpen = isApplePrivacyPrefetch(origin);
  return withTransaction(async (tx) => {
    const rows = await tx.$queryRaw<EngagedMessage[]>`
      UPDATE messages m SET open_count = m.open_count + 1, updated_at = now(),
             opened_at = CASE WHEN ${machineOpen} THEN m.opened_at ELSE COALESCE(m.opened_at, ${at}) END,
             machine_opened_at = CASE WHEN ${machineOpen} THEN COALESCE(m.machine_opened_at, ${at}) ELSE m.machine_opened_at END
        FROM messages before
       WHERE m.id = ${messageId}::uuid AND before.workspace_id = m.workspace_id AND before.id = m.id
         AND NOT m.is_test
       RETURNING m.workspace_id, m.contact_id, m.template_id,
                 (CASE WHEN ${machineOpen} THEN before.machine_opened_at ELSE before.opened_at END) IS NULL AS first`;
    const message = rows[0];
    if (!message) return null;
    await recordTouch(tx, { messageId, kind: "OPENED", machine: machineOpen, at });
    if (message.first && message.contact_id) {
      await recordInternalEvent(tx, {
        workspaceId: message.workspace_id,
        contactId: message.contact_id,
        name: "Email Opened",
        activity: !machineOpen,
        occurredAt: at,
        properties: {
          message_id: messageId,
          template_id: message.template_id,
          machine_open: machineOpen,
          user_agent: origin.userAgent ?? null,
        },
        idempotencyKey: `email-opened:${machineOpen ? "machine:" : ""}${messageId}`,
      });
    }
    return { machineOpen };
  });
}

/**
 * Counts a click on a tracked link (a click also proves an open) and records `Email Clicked`
 * once per message and destination URL, with the link's product `category` when it leads to
 * one (see `linkCategory`). Every click goes to the touch log, where a link
 * scanner's is flagged.
 */
export async function recordEmailClick(
  messageId: string,
  url: string,
  origin: RequestOrigin,
  at: Date = new Date(),
): Promise<void> {
  if (!isUuid(messageId)) return;
  await withTransaction(async (tx) => {
    const rows = await tx.$queryRaw<Omit<EngagedMessage, "first">[]>`
      UPDATE messages SET click_count = click_count + 1, updated_at = now(),
             clicked_at = COALESCE(clicked_at, ${at}), opened_at = COALESCE(opened_at, ${at})
       WHERE id = ${messageId}::uuid AND NOT is_test
       RETURNING workspace_id, contact_id, template_id`;
    const message = rows[0];
    if (!message) return;
    await recordTouch(tx, { messageId, kind: "CLICKED", url, at });
    if (!message.contact_id) return;
    const category = linkCategory(url);
    const urlKey = createHash("sha256").update(url).digest("base64url").slice(0, 16);
    await recordInternalEvent(tx, {
      workspaceId: message.workspace_id,
      contactId: message.contact_id,
      name: "Email Clicked",
      activity: true,
      occurredAt: at,
      properties: {
        message_id: messageId,
        template_id: message.template_id,
        url,
        ...(category && { category }),
        user_agent: origin.userAgent ?? null,
      },
      idempotencyKey: `email-clicked:${messageId}:${urlKey}`,
    });
  });
}
