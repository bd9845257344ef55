import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { emailConfig } from "../config.ts";
import { applySesNotification } from "../domain/messages/engagement/ses-notifications.ts";
import {
  makeSnsVerifier,
  SnsVerificationError,
  type SnsVerifier,
  snsEnvelope,
} from "./ses-notifications-signature.ts";

export interface SesNotificationRoutesOptions {
  /** Default: certificates fetched from SNS over https. */
  verifier?: SnsVerifier;
  /** Only these topics are accepted; every topic when empty. Default `CARTWHEEL_SNS_TOPIC_ARNS`. */
  topicArns?: string[];
  /** Default: the global `fetch`, used to confirm subscriptions. */
  fetch?: typeof fetch;
}

/** SNS messages are at most 256 KB. */
const maxBodyBytes = 256 * 1024;

/**
 * `POST /email/ses-notifications`: the HTTPS endpoint of the SNS topic SES publishes bounces,
 * complaints and deliveries to. Every envelope's signature is verified (403 otherwise); a
 * SubscriptionConfirmation is confirmed by fetching its SubscribeURL (only from SNS itself);
 * a Notification is applied to its message and contact (`applySesNotification`). Answers 200
 * (`{ outcome }`, `{ confirmed: true }` or `{ ok: true }`), or `{ error }` with 400 (not an SNS
 * message), 403 (unknown topic, bad signature, untrusted URL), 413 (over 256 KB) or 502 (the
 * SubscribeURL failed).
 *
 * @example app.route("/", makeSesNotificationRoutes())
 */
export function makeSesNotificationRoutes(options: SesNotificationRoutesOptions = {}): Hono {
  const verifier = options.verifier ?? makeSnsVerifier();
  const topics = () => options.topicArns ?? emailConfig().snsTopicArns;
  const routes = new Hono();

  const limit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: (c) => c.json({ error: `the body is larger than ${maxBodyBytes} bytes` }, 413),
  });
  routes.post("/email/ses-notifications", limit, async (c) => {
    let envelope: ReturnType<typeof snsEnvelope.parse>;
    try {
      envelope = snsEnvelope.parse(JSON.parse(await c.req.text()));
    } catch {
      return c.json({ error: "not an SNS message" }, 400);
    }
    const allowedTopics = topics();
    const topicAllowed =
      allowedTopics.length > 0
        ? allowedTopics.includes(envelope.TopicArn)
        : options.topicArns === undefined && emailConfig().acceptAnySnsTopic;
    if (!topicAllowed) {
      return c.json({ error: "unknown topic: list it in CARTWHEEL_SNS_TOPIC_ARNS" }, 403);
    }
    try {
      await verifier.verify(envelope);
    } catch (error) {
      if (error instanceof SnsVerificationError) return c.json({ error: error.message }, 403);
      throw error;
    }
    if (envelope.Type === "SubscriptionConfirmation") {
      const url = envelope.SubscribeURL ?? "";
      if (!verifier.isTrustedUrl(url)) return c.json({ error: "untrusted SubscribeURL" }, 403);
      let confirmed: Response;
      try {
        confirmed = await (options.fetch ?? fetch)(url, { signal: AbortSignal.timeout(10_000) });
      } catch (cause) {
        return c.json({ error: `SubscribeURL could not be reached: ${String(cause)}` }, 502);
      }
      if (!confirmed.ok) return c.json({ error: `SubscribeURL answered ${confirmed.status}` }, 502);
      return c.json({ confirmed: true });
    }
    if (envelope.Type === "UnsubscribeConfirmation") return c.json({ ok: true });
    let payload: unknown;
    try {
      payload = JSON.parse(envelope.Message);
    } catch {
      return c.json({ outcome: "ignored" });
    }
    return c.json({ outcome: await applySesNotification(payload, envelope.MessageId) });
  });

  return routes;
}
