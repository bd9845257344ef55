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

/**
 * `POST /email/ses-notifications`: the HTTPS endpoint of the SNS topic SES publishes bounces,
 * complaints and deliveries to. Every envelope's signature is verified (403 otherwise); a
 * SubscriptionConfirmation is confirmed by fetching its SubscribeURL (only from SNS itself);
 * a Notification is applied to its message and contact (`applySesNotification`).
 *
 * @example app.route("/", makeSesNotificationRoutes())
 */
export function makeSesNotificationRoutes(options: SesNotificationRoutesOptions = {}): Hono {
  const verifier = options.verifier ?? makeSnsVerifier();
  const topics = () => options.topicArns ?? emailConfig().snsTopicArns;
  const routes = new Hono();

  routes.post("/email/ses-notifications", bodyLimit({ maxSize: 256 * 1024 }), async (c) => {
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
      const confirmed = await (options.fetch ?? fetch)(url, {
        signal: AbortSignal.timeout(10_000),
      });
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
