import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { updateContact } from "../src/domain/contacts/upsert-contact.ts";
import { installTemplateLibrary } from "../src/domain/email-templates/template-library.ts";
import { makeEmailLinks, verifyLinkSignature } from "../src/domain/messages/compose/email-links.ts";
import { deliverMessage } from "../src/domain/messages/delivery/deliver-message.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import { queueEmail } from "../src/domain/messages/queue/queue-email.ts";
import {
  cartData,
  createEmailWorkspace,
  createMailContact,
  createSimpleTemplate,
  type LocalSes,
  recordingSender,
  startLocalSes,
} from "./support/index.ts";

const secret = "test-secret-for-signing-email-links-0123456789";
const links = makeEmailLinks({
  publicUrl: "https://t.northwind.example",
  secret,
  unsubscribeMailbox: "unsubscribe@northwind.example",
});
let ses: LocalSes;

beforeAll(async () => {
  ses = await startLocalSes();
});
afterAll(() => ses.close());

async function queue(workspaceId: string, templateId: string, contactId: string, data = {}) {
  const { message } = await queueEmail(workspaceId, {
    templateId,
    contactId,
    data,
    idempotencyKey: `k-${Math.random()}`,
  });
  return message;
}

describe("deliverMessage against the local SES API", () => {
  it("sends a multipart/alternative UTF-8 message with one-click List-Unsubscribe, tracked links and a pixel", async () => {
    const { workspace } = await createEmailWorkspace();
    const contact = await createMailContact(workspace.id, { firstName: "Zoë" });
    const template = await createSimpleTemplate(workspace.id, "MARKETING");
    const message = await queue(workspace.id, template.id, contact.id, { coupon: "SPRING10" });
    const sender = recordingSender(ses.sender);

    const result = await deliverMessage(message.id, { sender, links });

    expect(result.status).toBe("SENT");
    const stored = await ses.emails(contact.email!);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.subject).toBe("Grüße, Zoë — Northwind Göods");
    const row = await db().message.findFirstOrThrow({ where: { id: message.id } });
    expect(row).toMatchObject({ status: "SENT", sesMessageId: stored[0]!.messageId, attempts: 1 });

    const raw = sender.sent[0]!.raw;
    const rawText = Buffer.from(raw).toString("utf8");
    expect(rawText).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(rawText).toMatch(/^Subject: =\?UTF-8\?/m);
    const parsed = await simpleParser(Buffer.from(raw));
    expect(parsed.subject).toBe("Grüße, Zoë — Northwind Göods");
    expect(parsed.from?.value[0]).toEqual({
      name: "Northwind Göods",
      address: "hello@northwind.example",
    });
    expect(parsed.to && !Array.isArray(parsed.to) && parsed.to.value[0]?.name).toBe("Zoë Ångström");
    expect(parsed.messageId).toBe(`<${message.id}@northwind.example>`);
    expect(parsed.headers.get("x-cartwheel-message-id")).toBe(message.id);
    const unsubscribeUrl = links.unsubscribe(message.id);
    expect(rawText).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(
      (parsed.headers.get("list") as { unsubscribe?: { url?: string } }).unsubscribe?.url,
    ).toBe(unsubscribeUrl);
    const listUnsubscribe = rawText.match(/^List-Unsubscribe: (.*)\r$/m)?.[1];
    expect(listUnsubscribe).toBe(`<${unsubscribeUrl}>, <${links.unsubscribeMailto(message.id)}>`);

    const html = String(parsed.html);
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((match) =>
      match[1]!.replaceAll("&amp;", "&"),
    );
    const clicks = hrefs.filter((href) =>
      href.startsWith("https://t.northwind.example/email/click/"),
    );
    const destinations = clicks.map((href) => new URL(href).searchParams.get("url"));
    expect(destinations).toContain(
      "https://northwind.example/sale?ref=mail&utm_source=cartwheel&utm_medium=email&utm_campaign=spring-sale",
    );
    expect(destinations).toContain("https://other.example/blog");
    for (const href of clicks) {
      const url = new URL(href);
      const [, , , id, signature] = url.pathname.split("/");
      expect(
        verifyLinkSignature(secret, "click", id!, signature!, url.searchParams.get("url")!),
      ).toBe(true);
    }
    expect(hrefs).toContain("mailto:help@northwind.example");
    expect(hrefs).toContain(unsubscribeUrl);
    expect(html).toContain(`src="${links.openPixel(message.id)}"`);
    expect(html).toContain("Code: SPRING10");
    expect(parsed.text).toContain("Hello Zoë");
    expect(parsed.text).not.toContain("<h1>");
    expect(stored[0]!.body.html).toContain("Hello Zoë");
  });

  it("leaves List-Unsubscribe off transactional mail and renders a library template with its data", async () => {
    const { workspace } = await createEmailWorkspace();
    const contact = await createMailContact(workspace.id, { consent: "UNSUBSCRIBED" });
    const { templates } = await installTemplateLibrary(workspace.id, {
      keys: ["abandoned-cart", "order-confirmation"],
    });
    const order = templates.find((template) => template.libraryKey === "order-confirmation")!;
    const message = await queue(workspace.id, order.id, contact.id, {
      order: {
        id: "o1",
        number: "#1042",
        created_at: "2026-03-01T10:00:00Z",
        items: cartData().cart.items,
        subtotal: 12800,
        shipping: 500,
        tax: 0,
        total: 13300,
        currency: "USD",
      },
    });
    const sender = recordingSender(ses.sender);
    expect(await deliverMessage(message.id, { sender, links })).toMatchObject({ status: "SENT" });
    const parsed = await simpleParser(Buffer.from(sender.sent[0]!.raw));
    expect(parsed.headers.has("list-unsubscribe")).toBe(false);
    expect(parsed.headers.has("list-unsubscribe-post")).toBe(false);
    expect(String(parsed.html)).toContain("#1042");
    expect(String(parsed.html)).toContain("410 Terry Ave N");
  });

  it("never sends marketing to an unsubscribed contact, and sends nothing at all after a hard bounce", async () => {
    const { workspace } = await createEmailWorkspace();
    const unsubscribed = await createMailContact(workspace.id, { consent: "UNSUBSCRIBED" });
    const bounced = await createMailContact(workspace.id);
    await db().emailSuppression.create({
      data: { workspaceId: workspace.id, email: bounced.email!, reason: "HARD_BOUNCE" },
    });
    const marketing = await createSimpleTemplate(workspace.id, "MARKETING");
    const transactional = await createSimpleTemplate(workspace.id, "TRANSACTIONAL");

    const toUnsubscribed = await queue(workspace.id, marketing.id, unsubscribed.id);
    const transactionalToBounced = await queue(workspace.id, transactional.id, bounced.id);
    expect(await deliverMessage(toUnsubscribed.id, { sender: ses.sender, links })).toEqual({
      status: "SUPPRESSED",
      reason: "UNSUBSCRIBED",
    });
    expect(await deliverMessage(transactionalToBounced.id, { sender: ses.sender, links })).toEqual({
      status: "SUPPRESSED",
      reason: "HARD_BOUNCED",
    });
    expect(await ses.emails(unsubscribed.email!)).toHaveLength(0);
    expect(await ses.emails(bounced.email!)).toHaveLength(0);
  });

  it("withholds marketing from contacts without consent only where consent is required", async () => {
    const { workspace } = await createEmailWorkspace({ consentRequired: true });
    const unknown = await createMailContact(workspace.id, { consent: "UNKNOWN" });
    const template = await createSimpleTemplate(workspace.id, "MARKETING");
    const first = await queue(workspace.id, template.id, unknown.id);
    expect(await deliverMessage(first.id, { sender: ses.sender, links })).toMatchObject({
      status: "SUPPRESSED",
      reason: "NO_CONSENT",
    });
    await updateEmailSettings(workspace.id, { consentRequired: false });
    const second = await queue(workspace.id, template.id, unknown.id);
    expect(await deliverMessage(second.id, { sender: ses.sender, links })).toMatchObject({
      status: "SENT",
    });
    expect(await ses.emails(unknown.email!)).toHaveLength(1);
  });

  it("uses the contact's current address and consent at send time, not at queue time", async () => {
    const { workspace } = await createEmailWorkspace();
    const contact = await createMailContact(workspace.id);
    const template = await createSimpleTemplate(workspace.id, "MARKETING");
    const message = await queue(workspace.id, template.id, contact.id);
    await updateContact(workspace.id, contact.id, {
      consent: { status: "UNSUBSCRIBED", source: "test" },
    });
    expect(await deliverMessage(message.id, { sender: ses.sender, links })).toMatchObject({
      status: "SUPPRESSED",
    });
  });

  it("records a Liquid runtime failure on the message and does not retry it", async () => {
    const { workspace } = await createEmailWorkspace();
    const contact = await createMailContact(workspace.id);
    const template = await createSimpleTemplate(workspace.id, "TRANSACTIONAL");
    await db().templateVersion.updateMany({
      where: { templateId: template.id },
      data: {
        html: "<p>{{ 'x' | money: 'NOT-A-CURRENCY' }}</p>{% for i in (1..100000000) %}{{ i }}{% endfor %}",
      },
    });
    const message = await queue(workspace.id, template.id, contact.id);
    const result = await deliverMessage(message.id, { sender: ses.sender, links });
    expect(result.status).toBe("FAILED");
    expect(result).toMatchObject({ reason: expect.stringMatching(/^TEMPLATE_ERROR/) });
    expect(await deliverMessage(message.id, { sender: ses.sender, links })).toEqual({
      status: "ALREADY_HANDLED",
      current: "FAILED",
    });
    expect(await ses.emails(contact.email!)).toHaveLength(0);
  });
});
