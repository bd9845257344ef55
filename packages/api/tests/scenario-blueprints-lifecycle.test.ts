import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { deliverMessage } from "../src/domain/messages/delivery/deliver-message.ts";
import { recordEmailOpen } from "../src/domain/messages/engagement/record-engagement.ts";
import { queueEmail } from "../src/domain/messages/queue/queue-email.ts";
import { adjustScore } from "../src/domain/reactions/adjust-score.ts";
import { installScenarioBlueprint } from "../src/domain/scenarios/blueprints/install-blueprint.ts";
import { callWebhook } from "../src/domain/scenarios/runs/webhook.ts";
import { publishScenario } from "../src/domain/scenarios/scenarios.ts";
import { sweepDateTriggers } from "../src/domain/scenarios/triggers/date-triggers.ts";
import { refreshSegment } from "../src/domain/segments/refresh.ts";
import { isHeldOut, updateHoldoutSettings } from "../src/domain/workspaces/holdout-groups.ts";
import { messagesTo, runsOf, track } from "./scenario-fixtures.ts";
import {
  createEmailWorkspace,
  createMailContact,
  createSimpleTemplate,
} from "./support/email-factories.ts";
import { type LocalSes, startLocalSes } from "./support/index.ts";
import { day, hour, makeClock, minute, runDueWork } from "./support/scenarios.ts";

let ses: LocalSes;
let crm: Server;
let crmBase: string;
const crmRequests: { headers: Record<string, unknown>; body: string }[] = [];
beforeAll(async () => {
  ses = await startLocalSes();
  crm = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      crmRequests.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => crm.listen(0, "127.0.0.1", resolve));
  crmBase = `http://127.0.0.1:${(crm.address() as AddressInfo).port}`;
});
afterAll(async () => {
  crm.closeAllConnections();
  crm.close();
  await ses.close();
});

/** Sends a queued message through the local SES API and returns what reached it. */
async function delivered(messageId: string, to: string) {
  expect(await deliverMessage(messageId, { sender: ses.sender })).toMatchObject({
    status: "SENT",
  });
  const emails = await ses.emails(to);
  return emails[emails.length - 1]!;
}

const order = (id: string, extra: Record<string, unknown> = {}) => ({
  name: "Order Completed",
  properties: {
    order_id: id,
    order_number: `#${id}`,
    total: 64,
    currency: "USD",
    products: [
      { product_id: "tent", name: "Dome tent", price: 52, quantity: 1 },
      { product_id: "lamp", name: "Head lamp", price: 12, quantity: 1 },
    ],
    ...extra,
  },
});

describe("more blueprints on the real engine", () => {
  it("order updates: the confirmation at once and the shipping mail with tracking, transactional, even for the control group", async () => {
    const { workspace } = await createEmailWorkspace();
    const settings = await updateHoldoutSettings(workspace.id, { controlGroupPercent: 50 });
    let held = await createMailContact(workspace.id);
    for (let n = 0; !isHeldOut(settings.holdoutSalt, "control_group", held.id, 50); n++) {
      if (n > 40) throw new Error("no contact fell in the control group");
      held = await createMailContact(workspace.id);
    }
    const draft = await installScenarioBlueprint(workspace.id, "order_updates", {});
    await publishScenario(workspace.id, draft.id);
    const clock = makeClock(new Date("2026-11-20T10:00:00.000Z"));
    await track(workspace.id, held.email!, clock.now(), order("o-1"), order("o-2"));
    await runDueWork(clock.now());
    const confirmations = await messagesTo(held.id);
    expect(confirmations.map((m) => m.template?.name)).toEqual([
      "Order confirmation",
      "Order confirmation",
    ]);
    const confirmation = await delivered(confirmations[0]!.id, held.email!);
    expect(confirmation.subject).toBe("Order #o-1 confirmed");
    expect(confirmation.body.html).toContain("Dome tent");

    await track(workspace.id, held.email!, clock.advance(hour), {
      name: "Order Cancelled",
      properties: { order_id: "o-2" },
    });
    await track(workspace.id, held.email!, clock.advance(day), {
      name: "Order Shipped",
      properties: {
        order_id: "o-1",
        carrier: "UPS",
        tracking_number: "1Z999",
        tracking_url: "https://track.example-carrier.com/1Z999",
      },
    });
    await runDueWork(clock.now());
    const all = await messagesTo(held.id);
    expect(all).toHaveLength(3);
    const shipped = await delivered(all[2]!.id, held.email!);
    expect(shipped.subject).toBe("Your order #o-1 is on its way");
    expect(shipped.body.html).toContain("with UPS");
    expect(shipped.body.html).toContain("Tracking number 1Z999");
    expect(shipped.body.html).toContain("Track your package");

    const runs = await runsOf(draft.id);
    expect(runs.map((run) => [run.entityKey, run.status, run.holdout])).toEqual([
      ["o-1", "COMPLETED", "control_group"],
      ["o-2", "EXITED", "control_group"],
    ]);
  });

  it("review request: a week after shipping, the order's products and the thank-you code; a review first ends it", async () => {
    const { workspace } = await createEmailWorkspace();
    const ada = await createMailContact(workspace.id);
    const bob = await createMailContact(workspace.id);
    const draft = await installScenarioBlueprint(workspace.id, "review_request", {
      reviewUrl: "https://northwind.example/reviews",
      discountCode: "THANKS10",
    });
    await publishScenario(workspace.id, draft.id);
    const clock = makeClock(new Date("2026-11-20T10:00:00.000Z"));
    for (const [contact, id] of [
      [ada, "o-1"],
      [bob, "o-2"],
    ] as const) {
      await track(workspace.id, contact.email!, clock.now(), order(id));
      await track(workspace.id, contact.email!, clock.now(), {
        name: "Order Shipped",
        properties: { order_id: id },
      });
    }
    await runDueWork(clock.now());
    await track(workspace.id, bob.email!, clock.advance(2 * day), {
      name: "Product Reviewed",
      properties: { product_id: "tent", rating: 5 },
    });
    await runDueWork(clock.now());
    clock.advance(5 * day - minute);
    await runDueWork(clock.now());
    expect(await messagesTo(ada.id)).toHaveLength(0);
    clock.advance(2 * minute);
    await runDueWork(clock.now());

    const [ask] = await messagesTo(ada.id);
    expect(ask?.template?.name).toBe("Review request");
    const mail = await delivered(ask!.id, ada.email!);
    expect(mail.subject).toBe("How are you liking your Dome tent?");
    expect(mail.body.html).toContain("Head lamp");
    expect(mail.body.html).toContain("THANKS10");
    expect(mail.body.html).toContain("Write a review");
    expect(await messagesTo(bob.id)).toHaveLength(0);
    const runs = await runsOf(draft.id);
    expect(runs.map((run) => [run.entityKey, run.status]).sort()).toEqual([
      ["o-1", "COMPLETED"],
      ["o-2", "EXITED"],
    ]);
  });

  it("sunset: a last chance for silent subscribers, then the tag and the unsubscribe; a human open keeps them, Apple's pre-fetch does not", async () => {
    const { workspace } = await createEmailWorkspace();
    // The segment is computed when installed, at the real time: contacts become unengaged
    // after that, as time passes (those unengaged already are members, not newly entered).
    const start = new Date();
    const contact = async (createdDaysAgo: number) => {
      const row = await createMailContact(workspace.id);
      return db().contact.update({
        where: { id_workspaceId: { workspaceId: row.workspaceId, id: row.id } },
        data: { createdAt: new Date(start.getTime() - createdDaysAgo * day) },
      });
    };
    const silent = await contact(80);
    const opener = await contact(80);
    const prefetched = await contact(80);
    const newcomer = await contact(5);
    const draft = await installScenarioBlueprint(workspace.id, "sunset", {});
    await publishScenario(workspace.id, draft.id);
    const segment = await db().segment.findFirstOrThrow({
      where: { workspaceId: workspace.id, templateKey: "unengaged-subscribers" },
    });
    const clock = makeClock(start);
    await refreshSegment(segment.id, { now: clock.now() });
    await runDueWork(clock.now());
    expect(await runsOf(draft.id)).toHaveLength(0);
    await refreshSegment(segment.id, { now: clock.advance(11 * day) });
    await runDueWork(clock.now());
    for (const who of [silent, opener, prefetched]) {
      const [mail] = await messagesTo(who.id);
      expect(mail?.template?.name).toBe("Sunset: last chance");
    }
    expect(await messagesTo(newcomer.id)).toHaveLength(0);
    const [lastChance] = await messagesTo(silent.id);
    const received = await delivered(lastChance!.id, silent.email!);
    expect(received.subject).toBe("Should we keep writing to you, Zoë?");
    expect(received.body.html).toContain("within 14 days");

    const human = { userAgent: "Mozilla/5.0 (Macintosh) Firefox/140.0", ip: "203.0.113.9" };
    const apple = { userAgent: "Mozilla/5.0", ip: "17.58.0.1" };
    const [toOpener] = await messagesTo(opener.id);
    const [toPrefetched] = await messagesTo(prefetched.id);
    await recordEmailOpen(toOpener!.id, human, clock.advance(day));
    await recordEmailOpen(toPrefetched!.id, apple, clock.now());
    await runDueWork(clock.now());
    clock.advance(13 * day + minute);
    await runDueWork(clock.now());

    const tagged = await db().contactTag.findMany({
      where: { contact: { workspaceId: workspace.id } },
      select: { contactId: true, tag: { select: { name: true } } },
    });
    expect(tagged.map((link) => [link.contactId, link.tag.name]).sort()).toEqual(
      [
        [silent.id, "Sunset"],
        [prefetched.id, "Sunset"],
      ].sort(),
    );
    const runs = await runsOf(draft.id);
    const byContact = new Map(runs.map((run) => [run.contactId, run]));
    expect(byContact.get(opener.id)?.history.at(-1)).toMatchObject({ nodeId: "stays" });
    expect(byContact.get(silent.id)?.history.at(-1)).toMatchObject({ nodeId: "unsubscribe" });

    // The silent and the pre-fetched are unsubscribed as the unsubscribe link does it.
    const consent = await db().contact.findMany({
      where: { id: { in: [silent.id, opener.id, prefetched.id, newcomer.id] } },
      select: { id: true, consentStatus: true, consentSource: true, consentUpdatedAt: true },
    });
    const consentOf = new Map(consent.map((row) => [row.id, row]));
    expect(consentOf.get(silent.id)).toMatchObject({
      consentStatus: "UNSUBSCRIBED",
      consentSource: "scenario step",
      consentUpdatedAt: clock.now(),
    });
    expect(consentOf.get(prefetched.id)?.consentStatus).toBe("UNSUBSCRIBED");
    expect(consentOf.get(opener.id)?.consentStatus).toBe("SUBSCRIBED");
    expect(consentOf.get(newcomer.id)?.consentStatus).toBe("SUBSCRIBED");
    const unsubscribed = await db().event.findMany({
      where: { workspaceId: workspace.id, name: "Unsubscribed" },
      select: { contactId: true, properties: true },
    });
    expect(unsubscribed.map((event) => event.contactId).sort()).toEqual(
      [silent.id, prefetched.id].sort(),
    );
    expect(unsubscribed[0]?.properties).toMatchObject({
      source: "scenario step",
      channel: "email",
      scenario_id: draft.id,
    });

    // Later marketing mail is suppressed for them and still goes to the opener; transactional
    // mail still reaches them.
    const sale = await createSimpleTemplate(workspace.id, "MARKETING");
    const shipped = await createSimpleTemplate(workspace.id, "TRANSACTIONAL");
    const send = async (templateId: string, contactId: string) => {
      const { message } = await queueEmail(workspace.id, {
        templateId,
        contactId,
        idempotencyKey: `after-sunset:${templateId}:${contactId}`,
      });
      return deliverMessage(message.id, { sender: ses.sender });
    };
    expect(await send(sale.id, silent.id)).toMatchObject({
      status: "SUPPRESSED",
      reason: "UNSUBSCRIBED",
    });
    expect(await send(sale.id, prefetched.id)).toMatchObject({ status: "SUPPRESSED" });
    expect(await send(sale.id, opener.id)).toMatchObject({ status: "SENT" });
    expect(await send(shipped.id, silent.id)).toMatchObject({ status: "SENT" });
    expect((await ses.emails(silent.email!)).map((mail) => mail.subject)).toEqual([
      "Should we keep writing to you, Zoë?",
      "Grüße, Zoë — Northwind Göods",
    ]);

    // Tagged, they are not asked again when the segment is re-checked.
    await refreshSegment(segment.id, { now: clock.advance(day) });
    await runDueWork(clock.now());
    expect(await runsOf(draft.id)).toHaveLength(3);
  });

  it("sunset with afterSilence: tag only tags the silent contact; their consent stays", async () => {
    const { workspace } = await createEmailWorkspace();
    const start = new Date();
    const silent = await db().contact.update({
      where: {
        id_workspaceId: {
          workspaceId: workspace.id,
          id: (await createMailContact(workspace.id)).id,
        },
      },
      data: { createdAt: new Date(start.getTime() - 80 * day) },
    });
    const draft = await installScenarioBlueprint(workspace.id, "sunset", {
      afterSilence: "tag",
    });
    await publishScenario(workspace.id, draft.id);
    const segment = await db().segment.findFirstOrThrow({
      where: { workspaceId: workspace.id, templateKey: "unengaged-subscribers" },
    });
    const clock = makeClock(start);
    await refreshSegment(segment.id, { now: clock.advance(11 * day) });
    await runDueWork(clock.now());
    clock.advance(14 * day + minute);
    await runDueWork(clock.now());
    const [run] = await runsOf(draft.id);
    expect(run?.history.at(-1)).toMatchObject({ nodeId: "tag" });
    const after = await db().contact.findFirstOrThrow({ where: { id: silent.id } });
    expect(after.consentStatus).toBe("SUBSCRIBED");
  });

  it("VIP reward: the order that makes a VIP gets the welcome; each further order a thank-you with the code, one per day", async () => {
    const { workspace } = await createEmailWorkspace();
    const vip = await createMailContact(workspace.id);
    const other = await createMailContact(workspace.id);
    const welcome = await installScenarioBlueprint(workspace.id, "vip_welcome", {
      vipMinimumSpend: 100,
    });
    const reward = await installScenarioBlueprint(workspace.id, "vip_reward", {
      discountCode: "VIPTHANKS",
      percent: 15,
    });
    await publishScenario(workspace.id, welcome.id);
    await publishScenario(workspace.id, reward.id);
    const clock = makeClock(new Date("2026-11-20T10:00:00.000Z"));
    const templateNames = async (contactId: string) =>
      (await messagesTo(contactId)).map((message) => message.template?.name);

    await track(workspace.id, vip.email!, clock.now(), order("o-1"));
    await track(workspace.id, other.email!, clock.now(), order("x-1"));
    await runDueWork(clock.now());
    expect(await templateNames(vip.id)).toEqual([]);
    // The second order passes 100 spent: the welcome, and no reward for that order.
    await track(workspace.id, vip.email!, clock.advance(hour), order("o-2"));
    await runDueWork(clock.now());
    expect(await templateNames(vip.id)).toEqual(["VIP welcome"]);
    expect(await runsOf(reward.id)).toHaveLength(0);

    await track(workspace.id, vip.email!, clock.advance(hour), order("o-3"));
    await runDueWork(clock.now());
    await track(workspace.id, vip.email!, clock.advance(3 * hour), order("o-4"));
    await runDueWork(clock.now());
    expect(await templateNames(vip.id)).toEqual(["VIP welcome", "VIP thank-you"]);
    const [, thanks] = await messagesTo(vip.id);
    const received = await delivered(thanks!.id, vip.email!);
    expect(received.subject).toBe("Thank you for order #o-3, Zoë");
    expect(received.body.html).toContain("VIPTHANKS");
    expect(received.body.html).toContain("15% off");

    // A day after the first thank-you, the next order is thanked again.
    await track(workspace.id, vip.email!, clock.advance(day - 3 * hour - minute), order("o-5"));
    await runDueWork(clock.now());
    expect(await templateNames(vip.id)).toHaveLength(2);
    await track(workspace.id, vip.email!, clock.advance(2 * minute), order("o-6"));
    await runDueWork(clock.now());
    expect(await templateNames(vip.id)).toEqual(["VIP welcome", "VIP thank-you", "VIP thank-you"]);
    const [, , again] = await messagesTo(vip.id);
    expect((await delivered(again!.id, vip.email!)).subject).toBe("Thank you for order #o-6, Zoë");

    // Someone outside the VIP segment is never thanked, however often they order.
    await track(workspace.id, other.email!, clock.advance(hour), order("x-2", { total: 20 }));
    await runDueWork(clock.now());
    expect(await templateNames(other.id)).toEqual([]);
    expect((await runsOf(reward.id)).map((run) => run.contactId)).toEqual([vip.id, vip.id]);
  });

  it("lead score: crossing the threshold tags the prospect and posts to the shop's CRM, once", async () => {
    const { workspace } = await createEmailWorkspace();
    const ada = await createMailContact(workspace.id);
    const draft = await installScenarioBlueprint(workspace.id, "lead_score", {
      threshold: 60,
      webhookUrl: "https://crm.shop.example/hooks/cartwheel",
    });
    await publishScenario(workspace.id, draft.id);
    const clock = makeClock(new Date("2026-11-20T10:00:00.000Z"));
    await adjustScore(workspace.id, ada.id, { delta: 40, reason: "demo" }, { now: clock.now() });
    await runDueWork(clock.now());
    expect(await runsOf(draft.id)).toHaveLength(0);
    await adjustScore(workspace.id, ada.id, { delta: 30, reason: "pricing" }, { now: clock.now() });
    await runDueWork(clock.now());
    const [run] = await runsOf(draft.id);
    expect(run).toMatchObject({ status: "WAITING", nodeId: "notify-crm" });
    const tags = await db().contactTag.findMany({
      where: { contactId: ada.id },
      select: { tag: { select: { name: true } } },
    });
    expect(tags.map((link) => link.tag.name)).toEqual(["Sales-ready"]);

    crmRequests.length = 0;
    const outcome = await callWebhook(run!.id, run!.steps - 1, 1, {
      lookup: async () => [{ address: "93.184.216.34" }],
      fetch: ((url: string, init: RequestInit) =>
        fetch(url.replace("https://crm.shop.example", crmBase), init)) as typeof fetch,
      timeoutMs: 1000,
    });
    expect(outcome).toEqual({ done: true, status: 204 });
    await runDueWork(clock.now());
    expect(crmRequests).toHaveLength(1);
    expect(JSON.parse(crmRequests[0]!.body)).toMatchObject({
      contact_id: ada.id,
      reason: "lead_score_crossed",
      threshold: 60,
      trigger: { name: "Score Crossed", properties: { score_before: 40, score: 70 } },
    });
    expect(crmRequests[0]!.headers["x-cartwheel-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect((await runsOf(draft.id))[0]!.status).toBe("COMPLETED");

    // Down and up again: one run per contact.
    await adjustScore(workspace.id, ada.id, { delta: -30, reason: "decay" }, { now: clock.now() });
    await adjustScore(workspace.id, ada.id, { delta: 30, reason: "again" }, { now: clock.now() });
    await runDueWork(clock.now());
    expect(await runsOf(draft.id)).toHaveLength(1);
    await expect(
      installScenarioBlueprint(workspace.id, "lead_score", { webhookUrl: "http://10.0.0.5/x" }),
    ).rejects.toMatchObject({ problems: [{ path: ["options", "webhookUrl"] }] });
  });

  it("offer ending: three days before the contact's offer date, at 09:00 their time, the reminder with their code", async () => {
    const { workspace } = await createEmailWorkspace();
    const withCode = async (properties: Record<string, unknown>) =>
      (
        await upsertContact(workspace.id, {
          email: `offer-${Math.random().toString(36).slice(2, 10)}@example.com`,
          firstName: "Ada",
          timezone: "Europe/Berlin",
          consent: { status: "SUBSCRIBED", source: "test" },
          properties,
        })
      ).contact;
    const ada = await withCode({ offer_code: "ADA20", offer_expires_at: "2026-12-10" });
    const noCode = await withCode({ offer_expires_at: "2026-12-10" });
    const later = await withCode({ offer_code: "LATE", offer_expires_at: "2026-12-20" });
    const draft = await installScenarioBlueprint(workspace.id, "offer_ending", {
      description: "20% off",
    });
    await publishScenario(workspace.id, draft.id, { now: new Date("2026-12-01T00:00:00Z") });

    // 09:00 in Berlin on 7 December is 08:00 UTC.
    await sweepDateTriggers(new Date("2026-12-07T07:59:00Z"));
    expect(await runsOf(draft.id)).toHaveLength(0);
    const clock = makeClock(new Date("2026-12-07T08:00:00Z"));
    await sweepDateTriggers(clock.now());
    await runDueWork(clock.now());
    const [reminder] = await messagesTo(ada.id);
    expect(reminder?.template?.name).toBe("Offer ending soon");
    const mail = await delivered(reminder!.id, ada.email!);
    expect(mail.subject).toBe("Your 20% off ends December 10, 2026");
    expect(mail.body.html).toContain("ADA20");
    expect(await messagesTo(noCode.id)).toHaveLength(0);
    expect(await messagesTo(later.id)).toHaveLength(0);
    await sweepDateTriggers(clock.advance(day));
    await runDueWork(clock.now());
    expect(await messagesTo(ada.id)).toHaveLength(1);
  });
});
