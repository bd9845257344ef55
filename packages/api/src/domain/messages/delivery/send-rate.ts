import { pool } from "../../../db.ts";

export type SendSlot =
  /** A slot is held: send after `waitMs`. `claimed`: the message was moved to SENDING too. */
  | { reserved: true; waitMs: number; claimed: boolean }
  /** Every slot within the horizon is taken; try again in `retryInMs`. */
  | { reserved: false; retryInMs: number };

/**
 * Reserves one send slot of the workspace's shared rate limit, a GCRA token bucket held in one
 * Postgres row (`email_send_buckets.next_slot_at`) and moved atomically, so every worker
 * process shares it. Slots are `1 / ratePerSecond` apart; a slot is only taken if it opens
 * within `horizonMs`, so no caller holds a slot far ahead (transactional mail, with a longer
 * horizon, is never stuck behind a marketing backlog that reserved the next hour).
 * With `claim`, a slot that is free now also claims the message in the same statement, which
 * saves the send path a round trip when the rate is not the limit.
 *
 * @example const slot = await reserveSendSlot(workspaceId, 14, { horizonMs: 1000 })
 */
export async function reserveSendSlot(
  workspaceId: string,
  ratePerSecond: number,
  options: { horizonMs: number; claim?: MessageClaim },
): Promise<SendSlot> {
  const intervalMs = 1000 / ratePerSecond;
  const claim = options.claim;
  const { rows } = await pool().query<{ wait_ms: number | null; claimed: boolean }>({
    name: "cw_reserve_send_slot",
    text: `WITH slot AS (
       INSERT INTO email_send_buckets AS bucket (workspace_id, next_slot_at)
       VALUES ($1, clock_timestamp() + make_interval(secs => $2 / 1000.0))
       ON CONFLICT (workspace_id) DO UPDATE
          SET next_slot_at = GREATEST(bucket.next_slot_at, clock_timestamp()) + make_interval(secs => $2 / 1000.0)
        WHERE bucket.next_slot_at <= clock_timestamp() + make_interval(secs => $3 / 1000.0)
       RETURNING GREATEST(0, extract(epoch FROM next_slot_at - clock_timestamp()) * 1000 - $2)::float8 AS wait_ms
     ), claimed AS (
       ${claimSql("$4", "$5", "$6", "$7")}
          AND $4::uuid IS NOT NULL AND (SELECT wait_ms FROM slot) < ${immediateMs}
       RETURNING id
     )
     SELECT (SELECT wait_ms FROM slot) AS wait_ms, EXISTS (SELECT 1 FROM claimed) AS claimed`,
    values: [
      workspaceId,
      intervalMs,
      options.horizonMs,
      claim?.messageId ?? null,
      claim?.to ?? null,
      claim?.from ?? null,
      claim?.subject ?? null,
    ],
  });
  const reserved = rows[0];
  if (reserved && reserved.wait_ms !== null) {
    return { reserved: true, waitMs: reserved.wait_ms, claimed: reserved.claimed };
  }
  const { rows: current } = await pool().query<{ free_in_ms: number }>(
    `SELECT GREATEST(0, extract(epoch FROM next_slot_at - clock_timestamp()) * 1000 - $2)::float8 AS free_in_ms
       FROM email_send_buckets WHERE workspace_id = $1`,
    [workspaceId, options.horizonMs],
  );
  return { reserved: false, retryInMs: Math.max(intervalMs, current[0]?.free_in_ms ?? 0) };
}

/** A message to move QUEUED → SENDING together with the slot, when the slot is free now. */
export interface MessageClaim {
  messageId: string;
  to: string;
  from: string;
  subject: string;
}

/** Slots this close are taken at once: sleeping less than this is not worth a round trip. */
const immediateMs = 1;

/** The conditional QUEUED → SENDING update; the caller appends conditions and RETURNING. */
export function claimSql(id: string, to: string, from: string, subject: string): string {
  return `UPDATE messages SET status = 'SENDING', sending_at = now(), attempts = attempts + 1,
            to_email = ${to}, from_email = ${from}, subject = ${subject}, updated_at = now()
      WHERE id = ${id}::uuid AND status = 'QUEUED'`;
}

/**
 * Moves a message QUEUED → SENDING, committed, right before it is handed to SES; false when
 * another attempt already did.
 */
export async function claimMessage(claim: MessageClaim): Promise<boolean> {
  const { rowCount } = await pool().query(claimSql("$1", "$2", "$3", "$4"), [
    claim.messageId,
    claim.to,
    claim.from,
    claim.subject,
  ]);
  return rowCount === 1;
}
