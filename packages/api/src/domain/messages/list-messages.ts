import { db } from "../../db.ts";
import type { MessageStatus } from "../../generated/prisma/client.ts";
import { isUuid } from "../shared/validation.ts";

export interface MessageFilter {
  templateId?: string;
  contactId?: string;
  status?: MessageStatus[];
}

function messagesWhere(workspaceId: string, filter: MessageFilter = {}) {
  const nothing = "00000000-0000-0000-0000-000000000000";
  return {
    workspaceId,
    ...(filter.templateId && {
      templateId: isUuid(filter.templateId) ? filter.templateId : nothing,
    }),
    ...(filter.contactId && { contactId: isUuid(filter.contactId) ? filter.contactId : nothing }),
    ...(filter.status?.length && { status: { in: filter.status } }),
  };
}

/** The workspace's messages, newest first, with Pothos's selection (`query`). */
export function listMessages<Q extends object>(
  workspaceId: string,
  options: { filter?: MessageFilter; query: Q },
) {
  return db().message.findMany({
    ...options.query,
    where: messagesWhere(workspaceId, options.filter),
    orderBy: [{ queuedAt: "desc" }, { id: "desc" }],
  });
}

export function countMessages(workspaceId: string, filter?: MessageFilter): Promise<number> {
  return db().message.count({ where: messagesWhere(workspaceId, filter) });
}

/** Loads one message of the workspace with Pothos's selection, or null. */
export function loadMessage<Q extends object>(workspaceId: string, messageId: string, query: Q) {
  if (!isUuid(messageId)) return Promise.resolve(null);
  return db().message.findFirst({ ...query, where: { id: messageId, workspaceId } });
}

/** The workspace's messages among `messageIds` (others are left out), newest first. */
export function listMessagesByIds(workspaceId: string, messageIds: readonly string[]) {
  return db().message.findMany({
    where: { workspaceId, id: { in: messageIds.filter(isUuid) } },
    orderBy: [{ queuedAt: "desc" }, { id: "desc" }],
  });
}
