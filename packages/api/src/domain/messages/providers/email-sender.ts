export interface OutgoingEmail {
  /** Envelope sender (SES `Source`). */
  from: string;
  /** The one recipient. */
  to: string;
  /** The whole RFC 5322 message. */
  raw: Uint8Array;
  /** Provider tags (SES message tags), echoed in delivery notifications. */
  tags?: Record<string, string>;
}

/**
 * Hands a finished message to a mail provider. SES (real or the local SES API) is one
 * implementation; anything with the same contract may replace it.
 */
export interface EmailSender {
  /** Resolves with the provider's id once it accepted the message; throws `EmailSendError`. */
  send(email: OutgoingEmail): Promise<{ providerMessageId: string }>;
}

/**
 * What a failed send means for the message:
 * - `retry`: the provider refused it for now (throttling, 5xx) or it never left (connection
 *   refused); sending again cannot duplicate it.
 * - `permanent`: refused for good (rejected address, unverified sender); do not retry.
 * - `unknown`: the request may have reached the provider (timeout, reset); retrying could send
 *   it twice.
 */
export type SendFailure = "retry" | "permanent" | "unknown";

export class EmailSendError extends Error {
  override name = "EmailSendError";
  constructor(
    message: string,
    readonly failure: SendFailure,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
