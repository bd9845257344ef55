import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { configuredEmailLinks } from "../src/domain/messages/delivery/email-services.ts";
import { queueEmail } from "../src/domain/messages/queue/queue-email.ts";
import {
  createEmailWorkspace,
  createMailContact,
  createSimpleTemplate,
  makeTestApi,
} from "./support/index.ts";

const api = makeTestApi();
const links = configuredEmailLinks();
const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, "http://cartwheel.test");

async function messageToSubscriber() {
  const { workspace } = await createEmailWorkspace();
  const contact = await createMailContact(workspace.id, { consent: "SUBSCRIBED" });
  const template = await createSimpleTemplate(workspace.id, "MARKETING");
  const { message } = await queueEmail(workspace.id, {
    templateId: template.id,
    contactId: contact.id,
    idempotencyKey: "u1",
  });
  return { contact, message };
}

const consentOf = (contactId: string) =>
  db().contact.findFirstOrThrow({ where: { id: contactId } });
const consentEvents = (contactId: string) =>
  db().event.findMany({
    where: { contactId, name: { in: ["Unsubscribed", "Resubscribed"] } },
    orderBy: { id: "asc" },
  });

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

describe("unsubscribe", () => {
  it("unsubscribes with the RFC 8058 one-click POST, once", async () => {
    const { contact, message } = await messageToSubscriber();
    const url = local(links.unsubscribe(message.id));
    const response = await api.app.request(url, form({ "List-Unsubscribe": "One-Click" }));
    expect(response.status).toBe(200);
    await api.app.request(url, form({ "List-Unsubscribe": "One-Click" }));
    expect(await consentOf(contact.id)).toMatchObject({
      consentStatus: "UNSUBSCRIBED",
      consentSource: "email one-click unsubscribe",
    });
    const recorded = await consentEvents(contact.id);
    expect(recorded.map((event) => [event.name, event.properties])).toEqual([
      [
        "Unsubscribed",
        expect.objectContaining({ source: "email one-click unsubscribe", message_id: message.id }),
      ],
    ]);
    const row = await db().message.findFirstOrThrow({ where: { id: message.id } });
    expect(row.unsubscribedAt).not.toBeNull();
  });

  it("changes nothing on GET (link scanners) and unsubscribes when the page's button posts", async () => {
    const { contact, message } = await messageToSubscriber();
    const url = local(links.unsubscribe(message.id));
    const page = await api.app.request(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Unsubscribe from Northwind Göods?");
    expect(html).toContain(contact.email!);
    expect((await consentOf(contact.id)).consentStatus).toBe("SUBSCRIBED");
    const confirmed = await api.app.request(url, form({ confirm: "1" }));
    expect(await confirmed.text()).toContain("You are unsubscribed");
    expect((await consentOf(contact.id)).consentSource).toBe("email unsubscribe page");
  });

  it("lets the preference centre unsubscribe and resubscribe, recording each change with its source", async () => {
    const { contact, message } = await messageToSubscriber();
    const url = local(links.preferences(message.id));
    expect(await (await api.app.request(url)).text()).toContain("<strong>subscribed</strong>");
    const off = await api.app.request(url, form({ action: "unsubscribe" }));
    expect(await off.text()).toContain("<strong>unsubscribed</strong>");
    const on = await api.app.request(url, form({ action: "resubscribe" }));
    expect(await on.text()).toContain("<strong>subscribed</strong>");
    expect((await consentOf(contact.id)).consentStatus).toBe("SUBSCRIBED");
    const recorded = await consentEvents(contact.id);
    expect(
      recorded.map((event) => [event.name, (event.properties as { source: string }).source]),
    ).toEqual([
      ["Unsubscribed", "email preference centre"],
      ["Resubscribed", "email preference centre"],
    ]);
    expect((await api.app.request(url, form({ action: "nonsense" }))).status).toBe(400);
  });

  it("refuses links with a wrong signature or another message's signature", async () => {
    const { contact, message } = await messageToSubscriber();
    const other = await messageToSubscriber();
    const forged = local(links.unsubscribe(message.id)).replace(/[^/]+$/, "AAAAAAAAAAAAAAAAAAAAAA");
    const swapped = local(links.unsubscribe(other.message.id)).replace(
      other.message.id,
      message.id,
    );
    for (const url of [forged, swapped]) {
      expect((await api.app.request(url, form({ "List-Unsubscribe": "One-Click" }))).status).toBe(
        404,
      );
    }
    expect((await consentOf(contact.id)).consentStatus).toBe("SUBSCRIBED");
    expect(await consentEvents(contact.id)).toHaveLength(0);
  });
});
