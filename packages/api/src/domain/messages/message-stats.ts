import { pool } from "../../db.ts";

/** Unique counts: each message counts once however often it was opened or clicked. */
export interface EmailStats {
  queued: number;
  sent: number;
  delivered: number;
  /** Opened by a person (Apple Mail privacy pre-fetches excluded, clicks included). */
  opened: number;
  clicked: number;
  bounced: number;
  complained: number;
  unsubscribed: number;
  suppressed: number;
  failed: number;
}

export const emptyStats: EmailStats = {
  queued: 0,
  sent: 0,
  delivered: 0,
  opened: 0,
  clicked: 0,
  bounced: 0,
  complained: 0,
  unsubscribed: 0,
  suppressed: 0,
  failed: 0,
};

/**
 * Delivery and engagement counts of the workspace's templates, in one query, test sends left
 * out. Templates with no messages get zeros.
 *
 * @example const stats = await templateStats(workspaceId, [templateId]); stats.get(templateId)?.opened
 */
export async function templateStats(
  workspaceId: string,
  templateIds: readonly string[],
): Promise<Map<string, EmailStats>> {
  const { rows } = await pool().query<EmailStats & { template_id: string }>(
    `SELECT template_id,
            count(*) FILTER (WHERE status = 'QUEUED')::int AS queued,
            count(sent_at)::int AS sent,
            count(delivered_at)::int AS delivered,
            count(opened_at)::int AS opened,
            count(clicked_at)::int AS clicked,
            count(bounced_at)::int AS bounced,
            count(complained_at)::int AS complained,
            count(unsubscribed_at)::int AS unsubscribed,
            count(*) FILTER (WHERE status = 'SUPPRESSED')::int AS suppressed,
            count(*) FILTER (WHERE status = 'FAILED')::int AS failed
       FROM messages
      WHERE workspace_id = $1 AND template_id = ANY($2::uuid[]) AND NOT is_test
      GROUP BY template_id`,
    [workspaceId, templateIds],
  );
  const stats = new Map(templateIds.map((id) => [id, { ...emptyStats }]));
  for (const { template_id, ...counts } of rows) stats.set(template_id, counts);
  return stats;
}

/** The same counts for a single message: each is 0 or 1. */
export function messageStats(message: {
  status: string;
  sentAt: Date | null;
  deliveredAt: Date | null;
  openedAt: Date | null;
  clickedAt: Date | null;
  bouncedAt: Date | null;
  complainedAt: Date | null;
  unsubscribedAt: Date | null;
}): EmailStats {
  const one = (value: unknown) => (value ? 1 : 0);
  return {
    queued: one(message.status === "QUEUED"),
    sent: one(message.sentAt),
    delivered: one(message.deliveredAt),
    opened: one(message.openedAt),
    clicked: one(message.clickedAt),
    bounced: one(message.bouncedAt),
    complained: one(message.complainedAt),
    unsubscribed: one(message.unsubscribedAt),
    suppressed: one(message.status === "SUPPRESSED"),
    failed: one(message.status === "FAILED"),
  };
}
