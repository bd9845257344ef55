/** What the delivery rule needs to know about one recipient. */
export interface RecipientStanding {
  kind: "MARKETING" | "TRANSACTIONAL";
  /** The workspace sends marketing only to contacts who said yes (SUBSCRIBED). */
  consentRequired: boolean;
  consentStatus: "UNKNOWN" | "PENDING" | "SUBSCRIBED" | "UNSUBSCRIBED";
  /** The address hard-bounced before: no mail of any kind may go to it. */
  hardBounced: boolean;
  /** The recipient marked our mail as spam. */
  complained: boolean;
}

export const suppressionReasons = {
  hardBounced: "HARD_BOUNCED",
  complained: "COMPLAINED",
  unsubscribed: "UNSUBSCRIBED",
  noConsent: "NO_CONSENT",
} as const;
export type SuppressionReasonCode = (typeof suppressionReasons)[keyof typeof suppressionReasons];

export type DeliveryDecision = { send: true } | { send: false; reason: SuppressionReasonCode };

/**
 * The one rule for who may receive mail. A hard-bounced address gets nothing; transactional
 * mail otherwise always goes; marketing never goes to a contact who complained or unsubscribed,
 * nor, where consent is required, to one who is not SUBSCRIBED.
 *
 * @example decideDelivery({ kind: "MARKETING", consentRequired: true, consentStatus: "UNKNOWN", hardBounced: false, complained: false })
 * // { send: false, reason: "NO_CONSENT" }
 */
export function decideDelivery(recipient: RecipientStanding): DeliveryDecision {
  if (recipient.hardBounced) return { send: false, reason: suppressionReasons.hardBounced };
  if (recipient.kind === "TRANSACTIONAL") return { send: true };
  if (recipient.complained) return { send: false, reason: suppressionReasons.complained };
  if (recipient.consentStatus === "UNSUBSCRIBED") {
    return { send: false, reason: suppressionReasons.unsubscribed };
  }
  if (recipient.consentRequired && recipient.consentStatus !== "SUBSCRIBED") {
    return { send: false, reason: suppressionReasons.noConsent };
  }
  return { send: true };
}
