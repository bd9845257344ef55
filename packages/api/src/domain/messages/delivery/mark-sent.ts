import { pool } from "../../../db.ts";
import { makeGroupedWrite } from "../../shared/grouped-write.ts";

/**
 * Records that SES accepted a message (SENDING → SENT with its MessageId). Sends finishing
 * while one of these updates is in flight share the next UPDATE (`makeGroupedWrite`), so a busy
 * worker pays one round trip and one commit for several. Resolves once this message's row is
 * committed; a message no longer SENDING is left as it is.
 *
 * @example await markMessageSent({ messageId, providerMessageId })
 */
export const markMessageSent = makeGroupedWrite<{ messageId: string; providerMessageId: string }>(
  async (sent) => {
    await pool().query({
      name: "cw_mark_messages_sent",
      text: `UPDATE messages m SET status = 'SENT', ses_message_id = s.ses_message_id, sent_at = now(),
                    status_reason = NULL, updated_at = now()
               FROM unnest($1::uuid[], $2::text[]) AS s(id, ses_message_id)
              WHERE m.id = s.id AND m.status = 'SENDING'`,
      values: [sent.map((row) => row.messageId), sent.map((row) => row.providerMessageId)],
    });
  },
);
