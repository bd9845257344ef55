import type { Executor } from "../../../db.ts";
import { nextInWindow } from "../../shared/local-time.ts";

/** A workspace's limits on scenario marketing mail per contact. */
export interface SendingLimits {
  frequencyCaps: readonly { count: number; hours: number }[];
  quietHours: { from: string; to: string } | null;
}

export type LimitDecision =
  | { allowed: true }
  | { allowed: false; reason: "QUIET_HOURS" | "FREQUENCY_CAP"; retryAt: Date };

/** The limits as the workspace's email settings hold them. */
export function sendingLimitsOf(settings: {
  frequencyCaps: unknown;
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
}): SendingLimits {
  return {
    frequencyCaps: Array.isArray(settings.frequencyCaps)
      ? (settings.frequencyCaps as SendingLimits["frequencyCaps"])
      : [],
    quietHours:
      settings.quietHoursStart && settings.quietHoursEnd
        ? { from: settings.quietHoursStart, to: settings.quietHoursEnd }
        : null,
  };
}

/**
 * Whether a marketing email may go to a contact at `now` under the workspace's quiet hours
 * (in the contact's time zone `zone`) and frequency caps (marketing messages queued for the
 * contact in each window, whatever sent them), and if not, the first moment it may. Run in
 * the transaction that holds the contact's lock, so two sends cannot both take the last slot.
 * Transactional mail is never limited; callers do not ask for it.
 *
 * @example await checkSendingLimits(tx, { workspaceId, contactId, zone: "Asia/Tokyo", now, limits })
 */
export async function checkSendingLimits(
  executor: Executor,
  input: { workspaceId: string; contactId: string; zone: string; now: Date; limits: SendingLimits },
): Promise<LimitDecision> {
  const { limits, now } = input;
  let retryAt: Date | null = null;
  let reason: "QUIET_HOURS" | "FREQUENCY_CAP" = "QUIET_HOURS";
  if (limits.quietHours) {
    const allowedFrom = nextInWindow(
      now,
      { from: limits.quietHours.to, to: limits.quietHours.from },
      input.zone,
    );
    if (allowedFrom > now) retryAt = allowedFrom;
  }
  for (const cap of limits.frequencyCaps) {
    const windowStart = new Date(now.getTime() - cap.hours * 3_600_000);
    const [oldest] = await executor.$queryRaw<{ queued_at: Date }[]>`
      SELECT queued_at FROM messages
       WHERE workspace_id = ${input.workspaceId}::uuid AND contact_id = ${input.contactId}::uuid
         AND kind = 'MARKETING' AND NOT is_test AND status IN ('QUEUED', 'SENDING', 'SENT')
         AND queued_at > ${windowStart}::timestamptz AND queued_at <= ${now}::timestamptz
       ORDER BY queued_at DESC OFFSET ${cap.count - 1} LIMIT 1`;
    if (!oldest) continue;
    const freeAt = new Date(oldest.queued_at.getTime() + cap.hours * 3_600_000 + 1);
    if (!retryAt || freeAt > retryAt) {
      retryAt = freeAt;
      reason = "FREQUENCY_CAP";
    }
  }
  if (!retryAt) return { allowed: true };
  // A slot freed by the caps may fall in quiet hours: then the first minute after them.
  if (limits.quietHours) {
    const quietEnd = nextInWindow(
      retryAt,
      { from: limits.quietHours.to, to: limits.quietHours.from },
      input.zone,
    );
    if (quietEnd > retryAt) retryAt = quietEnd;
  }
  return { allowed: false, reason, retryAt };
}
