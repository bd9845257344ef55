import { createSign, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { deliverMessage } from "../src/domain/messages/delivery/deliver-message.ts";
import { queueEmail } from "../src/domain/messages/queue/queue-email.ts";
import { makeSesNotificationRoutes } from "../src/http/ses-notifications.ts";
import {
  isSnsUrl,
  makeSnsVerifier,
  type SnsEnvelope,
  snsStringToSign,
} from "../src/http/ses-notifications-signature.ts";
import {
  createEmailWorkspace,
  createMailContact,
  createSimpleTemplate,
  type LocalSes,
  startLocalSes,
} from "./support/index.ts";

const certUrl = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem";
const topicArn = "arn:aws:sns:us-east-1:123456789012:ses-events";
let keys: { private: string; cert: string };
let ses: LocalSes;
let confirmServer: Server;
let confirmations: string[] = [];
let confirmBase: string;

beforeAll(async () => {
  keys = await generate([{ name: "commonName", value: "sns.amazonaws.com" }], { keySize: 2048 });
  ses = await startLocalSes();
  confirmServer = createServer((request, response) => {
    confirmations.push(request.url ?? "");
    response.end("<ConfirmSubscriptionResponse/>");
  });
  await new Promise<void>((resolve) => confirmServer.listen(0, "127.0.0.1", resolve));
  confirmBase = `http://127.0.0.1:${(confirmServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await ses.close();
  await new Promise((resolve) => confirmServer.close(resolve));
});

function sign(envelope: Omit<SnsEnvelope, "Signature">, privateKey = keys.private): SnsEnvelope {
  const signer = createSign(envelope.SignatureVersion === "1" ? "RSA-SHA1" : "RSA-SHA256");
  signer.update(snsStringToSign({ ...envelope, Signature: "" }));
  return { ...envelope, Signature: signer.sign(privateKey, "base64") };
}

function notification(message: object, signatureVersion: "1" | "2" = "2") {
  return sign({
    Type: "Notification",
    MessageId: randomUUID(),
    TopicArn: topicArn,
    Message: JSON.stringify(message),
    Timestamp: new Date().toISOString(),
    SignatureVersion: signatureVersion,
    SigningCertURL: certUrl,
  });
}

function routes(options: { trustLocal?: boolean; topicArns?: string[] } = {}) {
  const verifier = makeSnsVerifier({
    certificates: { [certUrl]: keys.cert },
    isTrustedUrl: (url) =>
      isSnsUrl(url) || (options.trustLocal === true && url.hostname === "127.0.0.1"),
  });
  return makeSesNotificationRoutes({ verifier, topicArns: options.topicArns ?? [topicArn] });
}

const post = (app: ReturnType<typeof routes>, body: unknown) =>
  app.request("http://cartwheel.test/email/ses-notifications", {
    method: "POST",
    headers: {
      "content-type": "text/plain; charset=UTF-8",
      "x-amz-sns-message-type": "Notification",
    },
    body: JSON.stringify(body),
  });

async function sentMessage(kind: "MARKETING" | "TRANSACTIONAL" = "MARKETING") {
  const { workspace } = await createEmailWorkspace();
  const contact = await createMailContact(workspace.id);
  const template = await createSimpleTemplate(workspace.id, kind);
  const { message } = await queueEmail(workspace.id, {
    templateId: template.id,
    contactId: contact.id,
    idempotencyKey: `m-${randomUUID()}`,
  });
  await deliverMessage(message.id, { sender: ses.sender });
  const sent = await db().message.findFirstOrThrow({ where: { id: message.id } });
  return { workspace, contact, template, message: sent };
}

const mail = (sesMessageId: string) => ({
  messageId: sesMessageId,
  source: "hello@northwind.example",
});

describe("SNS signatures", () => {
  it.each(["1", "2"] as const)(
    "accepts SignatureVersion %s and rejects a tampered message",
    async (version) => {
      const app = routes();
      const { message } = await sentMessage();
      const envelope = notification(
        { notificationType: "Delivery", mail: mail(message.sesMessageId!), delivery: {} },
        version,
      );
      const tampered = { ...envelope, Message: envelope.Message.replace("Delivery", "Bounce") };
      expect((await post(app, tampered)).status).toBe(403);
      const response = await post(app, envelope);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ outcome: "delivery" });
    },
  );

  it("takes no topic at all when the allowed list is empty outside development", async () => {
    const { message } = await sentMessage();
    const envelope = notification(
      { notificationType: "Delivery", mail: mail(message.sesMessageId!), delivery: {} },
      "2",
    );
    const response = await post(routes({ topicArns: [] }), envelope);
    expect(response.status).toBe(403);
    const after = await db().message.findFirstOrThrow({ where: { id: message.id } });
    expect(after.deliveredAt).toBeNull();
  });

  it("rejects a certificate from anywhere but SNS over https, another key, and unknown topics", async () => {
    const app = routes();
    const evil = await generate([{ name: "commonName", value: "evil" }], { keySize: 2048 });
    const body = { notificationType: "Delivery", mail: mail("x"), delivery: {} };
    const elsewhere = sign({
      ...notification(body),
      SigningCertURL: "https://evil.example/cert.pem",
    });
    expect((await post(app, elsewhere)).status).toBe(403);
    const plainHttp = sign({
      ...notification(body),
      SigningCertURL: "http://sns.us-east-1.amazonaws.com/c.pem",
    });
    expect((await post(app, plainHttp)).status).toBe(403);
    expect((await post(app, sign(notification(body), evil.private))).status).toBe(403);
    expect(
      (await post(app, sign({ ...notification(body), TopicArn: "arn:aws:sns:us-east-1:1:other" })))
        .status,
    ).toBe(403);
    expect((await post(app, { hello: "world" })).status).toBe(400);
  });

  it("confirms a subscription by fetching its SubscribeURL, only from a trusted host", async () => {
    confirmations = [];
    const subscription = (subscribeUrl: string) =>
      sign({
        Type: "SubscriptionConfirmation",
        MessageId: randomUUID(),
        TopicArn: topicArn,
        Message: "You have chosen to subscribe to the topic…",
        Timestamp: new Date().toISOString(),
        SignatureVersion: "1",
        SigningCertURL: certUrl,
        Token: "token-1",
        SubscribeURL: subscribeUrl,
      });
    const url = `${confirmBase}/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=token-1`;
    expect((await post(routes(), subscription(url))).status).toBe(403);
    expect(confirmations).toEqual([]);
    const response = await post(routes({ trustLocal: true }), subscription(url));
    expect(await response.json()).toEqual({ confirmed: true });
    expect(confirmations).toEqual([
      `/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=token-1`,
    ]);
  });
});

describe("SES notifications", () => {
  it("suppresses a hard-bounced address for all mail, but not a soft-bounced one", async () => {
    const app = routes();
    const { workspace, contact, message } = await sentMessage("TRANSACTIONAL");
    const bounce = (bounceType: string) =>
      notification({
        notificationType: "Bounce",
        mail: mail(message.sesMessageId!),
        bounce: {
          bounceType,
          bounceSubType: bounceType === "Permanent" ? "General" : "MailboxFull",
          bouncedRecipients: [
            { emailAddress: contact.email, diagnosticCode: "smtp; 550 5.1.1 user unknown" },
          ],
        },
      });
    expect(await (await post(app, bounce("Transient"))).json()).toEqual({ outcome: "soft-bounce" });
    expect(await db().emailSuppression.count({ where: { workspaceId: workspace.id } })).toBe(0);
    expect(await (await post(app, bounce("Permanent"))).json()).toEqual({ outcome: "bounce" });
    expect(await db().emailSuppression.findMany({ where: { workspaceId: workspace.id } })).toEqual([
      expect.objectContaining({
        email: contact.email,
        reason: "HARD_BOUNCE",
        messageId: message.id,
      }),
    ]);
    const row = await db().message.findFirstOrThrow({ where: { id: message.id } });
    expect(row.bounceType).toBe("Permanent/General");

    const template = await db().template.findFirstOrThrow({ where: { workspaceId: workspace.id } });
    const { message: next } = await queueEmail(workspace.id, {
      templateId: template.id,
      contactId: contact.id,
      idempotencyKey: "after-bounce",
    });
    expect(await deliverMessage(next.id, { sender: ses.sender })).toMatchObject({
      status: "SUPPRESSED",
      reason: "HARD_BOUNCED",
    });
    const { workspace: otherShop } = await createEmailWorkspace();
    expect(await db().emailSuppression.count({ where: { workspaceId: otherShop.id } })).toBe(0);
  });

  it("suppresses only the message's own recipient, whatever other addresses a notification names", async () => {
    const app = routes();
    const { workspace, contact, message } = await sentMessage();
    const bystander = "bystander@example.com";
    const bounce = notification({
      notificationType: "Bounce",
      mail: mail(message.sesMessageId!),
      bounce: {
        bounceType: "Permanent",
        bouncedRecipients: [{ emailAddress: bystander }, { emailAddress: contact.email }],
      },
    });
    expect(await (await post(app, bounce)).json()).toEqual({ outcome: "bounce" });
    const complaint = notification({
      notificationType: "Complaint",
      mail: mail(message.sesMessageId!),
      complaint: { complainedRecipients: [{ emailAddress: bystander }] },
    });
    expect(await (await post(app, complaint)).json()).toEqual({ outcome: "complaint" });
    expect(await db().emailSuppression.findMany({ where: { workspaceId: workspace.id } })).toEqual([
      expect.objectContaining({ email: contact.email, reason: "HARD_BOUNCE" }),
    ]);
  });

  it("turns a complaint into a suppression and an unsubscribe, once however often SNS repeats it", async () => {
    const app = routes();
    const { contact, message } = await sentMessage();
    const complaint = notification({
      notificationType: "Complaint",
      mail: mail(message.sesMessageId!),
      complaint: {
        complainedRecipients: [{ emailAddress: contact.email }],
        complaintFeedbackType: "abuse",
      },
    });
    expect(await (await post(app, complaint)).json()).toEqual({ outcome: "complaint" });
    expect(await (await post(app, complaint)).json()).toEqual({ outcome: "complaint" });
    const updated = await db().contact.findFirstOrThrow({ where: { id: contact.id } });
    expect(updated).toMatchObject({
      consentStatus: "UNSUBSCRIBED",
      consentSource: "spam complaint",
    });
    const recorded = await db().event.findMany({
      where: { contactId: contact.id, name: { in: ["Email Complained", "Unsubscribed"] } },
    });
    expect(recorded.map((event) => event.name).sort()).toEqual([
      "Email Complained",
      "Unsubscribed",
    ]);
    const row = await db().message.findFirstOrThrow({ where: { id: message.id } });
    expect(row.complainedAt).not.toBeNull();
    expect(row.unsubscribedAt).not.toBeNull();
  });

  it("ignores notifications about messages it does not know", async () => {
    const response = await post(
      routes(),
      notification({ notificationType: "Delivery", mail: mail("not-ours"), delivery: {} }),
    );
    expect(await response.json()).toEqual({ outcome: "unknown-message" });
  });
});
