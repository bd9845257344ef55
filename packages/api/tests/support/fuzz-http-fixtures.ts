import { createSign, generateKeyPairSync, randomUUID } from "node:crypto";
import { generate } from "selfsigned";
import { emailConfig } from "../../src/config.ts";
import { db } from "../../src/db.ts";
import { type LinkPurpose, signLink } from "../../src/domain/messages/compose/email-links.ts";
import { updateEmailSettings } from "../../src/domain/messages/email-settings.ts";
import { queueEmail } from "../../src/domain/messages/queue/queue-email.ts";
import type { SesNotificationRoutesOptions } from "../../src/http/ses-notifications.ts";
import {
  makeSnsVerifier,
  type SnsEnvelope,
  snsStringToSign,
} from "../../src/http/ses-notifications-signature.ts";
import { createMailContact, createSimpleTemplate } from "./email-factories.ts";
import { createTestShop, shopOrigin } from "./events.ts";
import type { TestApi } from "./graphql.ts";

export const snsCertUrl = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-fuzz.pem";
export const snsTopicArn = "arn:aws:sns:us-east-1:123456789012:ses-events";
/** The one destination the fuzzed message links to: the only URL its click may redirect to. */
export const linkedUrl = "https://northwind.example/sale?ref=mail";
/** A destination of workspace B's message, signed for B only. */
export const foreignLinkedUrl = "https://b-shop.example/sale";

/**
 * What the app fetched while verifying or confirming SNS messages: certificates and
 * SubscribeURLs. It never reaches the network: a path naming `down` throws as a DNS failure
 * would, `garbage` answers 200 with a body that is no certificate, anything else 404.
 */
export function makeRecordingFetch() {
  const fetched: string[] = [];
  const recording = (async (input: string | URL | Request) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    fetched.push(url);
    if (url.includes("down")) throw new TypeError("fetch failed");
    if (url.includes("garbage")) return new Response("-----BEGIN CERTIFICATE-----\nxx\n");
    if (url.includes("ConfirmSubscription")) return new Response("<ConfirmSubscriptionResponse/>");
    return new Response("not found", { status: 404 });
  }) as typeof fetch;
  return { fetch: recording, fetched };
}

async function shop(api: TestApi, name: string) {
  const created = await createTestShop(api);
  await updateEmailSettings(created.id, {
    shopName: name,
    postalAddress: "1 Main St",
    fromEmail: "hello@northwind.example",
    sendRatePerSecond: 1000,
    doubleOptIn: true,
  });
  const template = await createSimpleTemplate(created.id, "MARKETING");
  const message = async () => {
    const contact = await createMailContact(created.id, { consent: "SUBSCRIBED" });
    const { message: row } = await queueEmail(created.id, {
      templateId: template.id,
      contactId: contact.id,
      idempotencyKey: `fuzz-${randomUUID()}`,
    });
    return { id: row.id, contactId: contact.id };
  };
  /** A real double opt-in confirmation, asked for through `POST /v1/subscribe`. */
  const confirmation = async () => {
    const email = `pending-${randomUUID()}@example.com`;
    const response = await api.app.request("http://cartwheel.test/v1/subscribe", {
      method: "POST",
      headers: { "content-type": "text/plain", origin: shopOrigin },
      body: JSON.stringify({ writeKey: created.publicKey, email }),
    });
    if (response.status !== 200) throw new Error(`subscribe: ${await response.text()}`);
    const row = await db().message.findFirstOrThrow({
      where: { workspaceId: created.id, contact: { email } },
      select: { id: true, contactId: true },
    });
    return { id: row.id, contactId: row.contactId ?? "" };
  };
  return { ...created, message, confirmation };
}

/** SNS verification pinned to a self-signed test certificate, fetching through `fetch`. */
export async function makeTestSns(fetch: typeof globalThis.fetch) {
  const keys = await generate([{ name: "commonName", value: "sns.amazonaws.com" }], {
    keySize: 2048,
  });
  const options: SesNotificationRoutesOptions = {
    verifier: makeSnsVerifier({ certificates: { [snsCertUrl]: keys.cert }, fetch }),
    topicArns: [snsTopicArn],
    fetch,
  };
  return { privateKey: keys.private, options };
}

/**
 * Two shops with double opt-in, each with marketing messages and confirmations, and in A an
 * expired confirmation (queued 40 days ago). Only A's links are ever signed correctly.
 */
export async function seedFuzzShops(api: TestApi) {
  const a = await shop(api, "Shop A");
  const b = await shop(api, "Shop B");
  const seeded = {
    a,
    b,
    /** Clicked and opened. */
    trackedA: await a.message(),
    trackedB: await b.message(),
    /** Unsubscribed and resubscribed through its links. */
    managedA: await a.message(),
    managedB: await b.message(),
    /** Named by SES notifications. */
    notifiedA: await a.message(),
    notifiedB: await b.message(),
    confirmA: await a.confirmation(),
    expiredA: await a.confirmation(),
    confirmB: await b.confirmation(),
  };
  await db().message.update({
    where: { id_workspaceId: { id: seeded.expiredA.id, workspaceId: a.id } },
    data: { queuedAt: new Date(Date.now() - 40 * 86_400_000) },
  });
  return seeded;
}

/** A link signature as the app makes it. */
export const sign = (purpose: LinkPurpose, messageId: string, target = "") =>
  signLink(emailConfig().signingSecret, purpose, messageId, target);

/** Another RSA key: a signature by it must never verify against the pinned certificate. */
export const strangerKey = generateKeyPairSync("rsa", { modulusLength: 1024 })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();

/** Signs an SNS envelope as SNS would (version 1: SHA1, 2: SHA256). */
export function signEnvelope(envelope: Omit<SnsEnvelope, "Signature">, privateKey: string) {
  const signer = createSign(envelope.SignatureVersion === "1" ? "RSA-SHA1" : "RSA-SHA256");
  signer.update(snsStringToSign({ ...envelope, Signature: "" }));
  return { ...envelope, Signature: signer.sign(privateKey, "base64") };
}
