import type { Executor } from "../../../db.ts";

/** A click this soon after the message reached the inbox is a link scanner, not a person. */
export const scannerClickSeconds = 10;
/** Clicks on two different links of one message this close together are a scanner too. */
export const scannerBurstSeconds = 2;

export type TouchKind = "DELIVERED" | "OPENED" | "CLICKED";

interface TouchInput {
  messageId: string;
  kind: TouchKind;
  at: Date;
  /** For an open: whether a privacy pre-fetch or image proxy made it. */
  machine?: boolean;
  /** For a click: its destination. */
  url?: string;
}

/**
 * Appends one delivery, open or click of a sent message to the touch log, with the template,
 * scenario and node that sent it. A click is flagged `machine` when it comes within
 * `scannerClickSeconds` of the delivery (or of the send, before a delivery notification) or
 * within `scannerBurstSeconds` of a click on another link of the same message.
 */
export async function recordTouch(tx: Executor, touch: TouchInput): Promise<void> {
  const url = touch.url ?? null;
  const block = url ? recommendationBlockOf(url) : null;
  await tx.$executeRaw`
    INSERT INTO message_touches (workspace_id, message_id, contact_id, kind, machine, url, template_id,
                                 scenario_id, scenario_node_id, block, occurred_at)
    SELECT m.workspace_id, m.id, m.contact_id, ${touch.kind}::touch_kind,
           CASE WHEN ${touch.kind} = 'CLICKED' THEN
                  ${touch.at}::timestamptz - COALESCE(m.delivered_at, m.sent_at, m.queued_at)
                    < make_interval(secs => ${scannerClickSeconds})
                  OR EXISTS (SELECT 1 FROM message_touches c
                              WHERE c.workspace_id = m.workspace_id AND c.message_id = m.id AND c.kind = 'CLICKED' AND c.url IS DISTINCT FROM ${url}
                                AND c.occurred_at > ${touch.at}::timestamptz - make_interval(secs => ${scannerBurstSeconds})
                                AND c.occurred_at <= ${touch.at}::timestamptz)
                ELSE ${touch.machine ?? false} END,
           ${url}, m.template_id, r.scenario_id, m.scenario_node_id, ${block}, ${touch.at}::timestamptz
      FROM messages m
      LEFT JOIN scenario_runs r ON r.workspace_id = m.workspace_id AND r.id = m.scenario_run_id
     WHERE m.id = ${touch.messageId}::uuid AND NOT m.is_test`;
}

/** The `cw_block` query parameter recommendation blocks put on their links. */
function recommendationBlockOf(url: string): string | null {
  try {
    return new URL(url).searchParams.get("cw_block");
  } catch {
    return null;
  }
}
