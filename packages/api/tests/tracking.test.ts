import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { deliverMessage } from "../src/domain/messages/delivery/deliver-message.ts";
import { queueEmail } from "../src/domain/messages/queue/queue-email.ts";
import { createApiKey } from "../src/domain/workspaces/api-keys.ts";
import {
  createEmailWorkspace,
  createMailContact,
  createSimpleTemplate,
  type LocalSes,
  makeTestApi,
  recordingSender,
  startLocalSes,
} from "./support/index.ts";

const api = makeTestApi();
let ses: LocalSes;
beforeAll(async () => {
  ses = await startLocalSes();
});
afterAll(() => ses.close());

/** Sends a marketing email through the local SES API and returns its tracked URLs. */
async function sentEmail() {
  const { workspace } = await createEmailWorkspace();
  const contact = await createMailContact(workspace.id);
  const template = await createSimpleTemplate(workspace.id, "MARKETING");
  const { message } = await queueEmail(workspace.id, {
    templateId: template.id,
    contactId: contact.id,
    idempotencyKey: "t1",
  });
  const sender = recordingSender(ses.sender);
  await deliverMessage(message.id, { sender });
  const html = String((await simpleParser(Buffer.from(sender.sent[0]!.raw))).html);
  const urls = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) =>
    m[1]!.replaceAll("&amp;", "&"),
  );
  const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, "http://cartwheel.test");
  return {
    workspace,
    contact,
    template,
    message,
    pixel: local(urls.find((url) => url.includes("/email/open/"))!),
    shopClick: local(
      urls.find((url) => url.includes("/email/click/") && url.includes("%2Fsale%3F"))!,
    ),
  };
}

const events = (contactId: string, name: string) =>
  db().event.findMany({ where: { contactId, name }, orderBy: { id: "asc" } });

describe("open tracking", () => {
  it("serves the pixel, counts a person's first open once and records Email Opened with its job", async () => {
    const { pixel, message, contact } = await sentEmail();
    const browser = { "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Thunderbird/128.0" };
    const first = await api.app.request(pixel, { headers: browser });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("image/gif");
    await api.app.request(pixel, { headers: browser });
    const row = await db().message.findFirstOrThrow({ where: { id: message.id } });
    expect(row.openCount).toBe(2);
    expect(row.openedAt).not.toBeNull();
    expect(row.machineOpenedAt).toBeNull();
    const opened = await events(contact.id, "Email Opened");
    expect(opened).toHaveLength(1);
    expect(opened[0]!.properties).toMatchObject({ message_id: message.id, machine_open: false });
    const jobs = await db().$queryRaw<{ count: bigint }[]>`
      SELECT count(*) FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE t.identifier = 'process_event' AND j.payload->>'eventId' = ${String(opened[0]!.id)}`;
    expect(Number(jobs[0]!.count)).toBe(1);
  });

  it("marks Apple Mail privacy pre-fetches and does not count them as opens", async () => {
    const { pixel, message, contact } = await sentEmail();
    await api.app.request(pixel, { headers: { "user-agent": "Mozilla/5.0" } });
    await api.app.request(pixel, {
      headers: {
        "user-agent": "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15",
        "x-forwarded-for": "17.58.101.4",
      },
    });
    const row = await db().message.findFirstOrThrow({ where: { id: message.id } });
    expect(row.openedAt).toBeNull();
    expect(row.machineOpenedAt).not.toBeNull();
    const opened = await events(contact.id, "Email Opened");
    expect(opened.map((event) => event.properties)).toEqual([
      expect.objectContaining({ machine_open: true }),
    ]);
  });

  it("ignores a pixel with a forged signature", async () => {
    const { pixel, message } = await sentEmail();
    const forged = pixel.replace(/\/[^/]+\.gif$/, "/AAAAAAAAAAAAAAAAAAAAAA.gif");
    expect((await api.app.request(forged)).status).toBe(200);
    expect((await db().message.findFirstOrThrow({ where: { id: message.id } })).openCount).toBe(0);
  });
});

describe("click tracking", () => {
  it("redirects a signed click to its UTM-tagged destination and records Email Clicked", async () => {
    const { shopClick, message, contact } = await sentEmail();
    const response = await api.app.request(shopClick);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(
      "https://northwind.example/sale?ref=mail&utm_source=cartwheel&utm_medium=email&utm_campaign=spring-sale",
    );
    await api.app.request(shopClick);
    const row = await db().message.findFirstOrThrow({ where: { id: message.id } });
    expect(row).toMatchObject({ clickCount: 2 });
    expect(row.clickedAt).not.toBeNull();
    expect(row.openedAt).not.toBeNull();
    const clicked = await events(contact.id, "Email Clicked");
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.properties).toMatchObject({ url: response.headers.get("location") });
  });

  it("is no open redirect: a changed destination or a bad signature gets a 400", async () => {
    const { shopClick, message } = await sentEmail();
    const elsewhere = new URL(shopClick);
    elsewhere.searchParams.set("url", "https://evil.example/phish");
    expect((await api.app.request(elsewhere.toString())).status).toBe(400);
    const javascript = new URL(shopClick);
    javascript.searchParams.set("url", "javascript:alert(1)");
    expect((await api.app.request(javascript.toString())).status).toBe(400);
    expect((await db().message.findFirstOrThrow({ where: { id: message.id } })).clickCount).toBe(0);
  });
});

describe("statistics", () => {
  it("exposes unique counts per message and per template in GraphQL, in the caller's workspace only", async () => {
    const { pixel, shopClick, message, workspace, template } = await sentEmail();
    await api.app.request(pixel, {
      headers: { "user-agent": "Mozilla/5.0 (X11; Linux) Firefox/130" },
    });
    await api.app.request(pixel, {
      headers: { "user-agent": "Mozilla/5.0 (X11; Linux) Firefox/130" },
    });
    await api.app.request(shopClick);
    const { plaintext } = await createApiKey({
      workspaceId: workspace.id,
      name: "k",
      kind: "SECRET",
    });
    const stats = "sent delivered opened clicked bounced complained unsubscribed";
    const { templates } = await api.data(
      `{ templates { edges { node { id stats { ${stats} } } } } messages { edges { node { openCount stats { ${stats} } } } } }`,
      {},
      plaintext,
    );
    const expected = {
      sent: 1,
      delivered: 0,
      opened: 1,
      clicked: 1,
      bounced: 0,
      complained: 0,
      unsubscribed: 0,
    };
    expect(templates.edges[0].node.stats).toEqual(expected);
    const { messages } = await api.data(
      `{ messages { edges { node { openCount stats { ${stats} } } } } }`,
      {},
      plaintext,
    );
    expect(messages.edges).toEqual([{ node: { openCount: 2, stats: expected } }]);
    const other = await createEmailWorkspace();
    const otherKey = await createApiKey({
      workspaceId: other.workspace.id,
      name: "k",
      kind: "SECRET",
    });
    const foreign = await api.data("{ messages { totalCount } }", {}, otherKey.plaintext);
    expect(foreign.messages.totalCount).toBe(0);
    expect(template.id).toBeTruthy();
    expect(message.id).toBeTruthy();
  });
});
