import { emailConfig } from "../../../config.ts";
import { type EmailLinks, makeEmailLinks } from "../compose/email-links.ts";
import type { EmailSender } from "../providers/email-sender.ts";
import { makeSesEmailSender } from "../providers/ses-email-sender.ts";

let sender: (EmailSender & { close(): void }) | undefined;

/** The process's SES sender, built from `emailConfig()` on first use. */
export function configuredEmailSender(): EmailSender {
  sender ??= makeSesEmailSender(emailConfig().ses);
  return sender;
}

/** Closes the configured sender's connections; the next use opens new ones. */
export function closeEmailSender(): void {
  sender?.close();
  sender = undefined;
}

/** Signed tracking and unsubscribe links under `CARTWHEEL_PUBLIC_URL`. */
export function configuredEmailLinks(): EmailLinks {
  const config = emailConfig();
  return makeEmailLinks({
    publicUrl: config.publicUrl,
    secret: config.signingSecret,
    unsubscribeMailbox: config.unsubscribeMailto,
  });
}
