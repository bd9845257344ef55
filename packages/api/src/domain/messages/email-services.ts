import { makeTemplateEngine, type TemplateEngine } from "@cartwheel/templates";
import { emailConfig } from "../../config.ts";
import { type EmailLinks, makeEmailLinks } from "./email-links.ts";
import { type EmailSender, makeSesEmailSender } from "./email-sender.ts";

let sender: (EmailSender & { close(): void }) | undefined;
let engines: { sending: TemplateEngine; preview: TemplateEngine } | undefined;

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

function templateEngines() {
  engines ??= {
    sending: makeTemplateEngine(),
    preview: makeTemplateEngine({ strict: true }),
  };
  return engines;
}

/** Lenient Liquid for real sends: a missing optional variable prints nothing. */
export const sendingEngine = (): TemplateEngine => templateEngines().sending;

/** Strict Liquid for previews: undefined variables and unknown filters are errors. */
export const previewEngine = (): TemplateEngine => templateEngines().preview;
