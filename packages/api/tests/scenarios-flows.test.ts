import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { deliverMessage } from "../src/domain/messages/delivery/deliver-message.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import { recordEmailOpen } from "../src/domain/messages/engagement/record-engagement.ts";
import {
  createFlowTemplate,
  liveScenario,
  messagesTo,
  runsOf,
  track,
} from "./scenario-fixtures.ts";
import { createEmailWorkspace, createMailContact } from "./support/email-factories.ts";
import { createTestShop, postBatch, wireEvent } from "./support/events.ts";
import { type LocalSes, makeTestApi, startLocalSes } from "./support/index.ts";
import { day, hour, makeClock, minute, runDueWork } from "./support/scenarios.ts";

const api = makeTestApi();
let ses: LocalSes;
beforeAll(async () => {
  ses = await startLocalSes();
});
afterAll(() => ses.close());

describe("the abandoned-cart flow, from the storefront's events", () => {
  it("reminds the shopper of this cart after the delay, one run per cart, and stops the cart that converts", async () => {
    const shop = await createTestShop(api);
    await updateEmailSettings(shop.id, {
      shopName: "Northwind",
      postalAddress: "1 Main St",
      fromEmail: "hello@northwind.example",
      currency: "EUR",
      sendRatePerSecond: 1000,
    });
    const { contact: ada } = await upsertContact(shop.id, {
      email: "ada@example.com",
      firstName: "Ada",
      consent: { status: "SUBSCRIBED", source: "checkout" },
    });
    const reminder = await createFlowTemplate(shop.id, "Your cart");
    const scenario = await liveScenario(shop.id, {
      trigger: { kind: "event", event: "Product Added" },
      entityKey: "cart_id",
      entry: { rule: "once_per_entity" },
      goals: [{ name: "ordered", event: "Order Completed", sameEntity: true }],
      start: "wait-1h",
      nodes: [
        { id: "wait-1h", kind: "delay", duration: { hours: 1 }, next: "still-in-cart" },
        {
          id: "still-in-cart",
          kind: "condition",
          fact: { kind: "cart_has_items" },
          yes: "reminder",
        },
        { id: "reminder", kind: "send_email", templateId: reminder.id },
      ],
    });
    const clock = makeClock();
    const add = (cart: string, sku: string, price: number) =>
      wireEvent({
        event: "Product Added",
        anonymousId: "browser-1",
        properties: {
          cart_id: cart,
          product_id: sku,
          name: `Linen ${sku}`,
          price,
          quantity: 1,
          currency: "EUR",
        },
        timestamp: clock.now().toISOString(),
      });
    // Anonymous: nobody to remind yet.
    expect(
      (await postBatch(api.app, { writeKey: shop.publicKey, batch: [add("cart-1", "s1", 49)] }))
        .status,
    ).toBe(200);
    await runDueWork(clock.now());
    expect(await runsOf(scenario.id)).toEqual([]);

    // The shopper identifies at checkout, then starts a second cart.
    clock.advance(minute);
    const identify = wireEvent({
      type: "identify",
      event: undefined,
      anonymousId: "browser-1",
      userId: "ada@example.com",
      timestamp: clock.now().toISOString(),
    });
    await postBatch(api.app, {
      writeKey: shop.publicKey,
      batch: [identify, add("cart-2", "s2", 19.5)],
    });
    await runDueWork(clock.now());
    const runs = await runsOf(scenario.id);
    expect(runs.map((run) => [run.entityKey, run.status, run.nodeId])).toEqual([
      ["cart-1", "WAITING", "wait-1h"],
      ["cart-2", "WAITING", "wait-1h"],
    ]);
    expect(runs.every((run) => run.contactId === ada.id)).toBe(true);

    // Cart 1 converts mid-delay: its run ends at once, cart 2's goes on.
    clock.advance(30 * minute);
    await postBatch(api.app, {
      writeKey: shop.publicKey,
      batch: [
        wireEvent({
          event: "Order Completed",
          anonymousId: "browser-1",
          userId: "ada@example.com",
          properties: { cart_id: "cart-1", order_id: "o-1", total: 49, currency: "EUR" },
          timestamp: clock.now().toISOString(),
        }),
      ],
    });
    await runDueWork(clock.now());
    expect((await runsOf(scenario.id)).map((run) => [run.entityKey, run.status])).toEqual([
      ["cart-1", "CONVERTED"],
      ["cart-2", "WAITING"],
    ]);

    clock.advance(31 * minute);
    await runDueWork(clock.now());
    const [first, second] = await runsOf(scenario.id);
    expect(first?.history.map((step) => step.nodeId)).toEqual(["wait-1h"]);
    expect(second?.status).toBe("COMPLETED");
    expect(second?.history.map((step) => [step.nodeId, step.output])).toEqual([
      ["wait-1h", "next"],
      ["still-in-cart", "yes"],
      ["reminder", "next"],
    ]);
    const messages = await messagesTo(ada.id);
    expect(messages).toHaveLength(1);
    const message = messages[0]!;
    expect(message.scenarioRunId).toBe(second?.id);
    expect((message.data as any).cart.items).toEqual([
      expect.objectContaining({ product_id: "s2", name: "Linen s2", price: 1950, quantity: 1 }),
    ]);
    expect(await deliverMessage(message.id, { sender: ses.sender })).toMatchObject({
      status: "SENT",
    });
    const [received] = await ses.emails("ada@example.com");
    expect(received?.body.html).toContain("Linen s2");
    expect(received?.body.html).toContain("€19.50");
    expect(received?.body.html).not.toContain("Linen s1");
  });
});

describe("branching on opens, and the welcome flow with a discount", () => {
  it("sends A to openers and B to the others, then C to those who clicked A", async () => {
    const { workspace } = await createEmailWorkspace();
    const [first, a, b, c] = await Promise.all(
      ["First", "A", "B", "C"].map((name) => createFlowTemplate(workspace.id, name)),
    );
    const scenario = await liveScenario(workspace.id, {
      trigger: { kind: "event", event: "Signed Up" },
      start: "first",
      nodes: [
        { id: "first", kind: "send_email", templateId: first!.id, next: "wait" },
        { id: "wait", kind: "delay", duration: { days: 1 }, next: "opened" },
        {
          id: "opened",
          kind: "condition",
          fact: { kind: "email_opened", node: "first" },
          yes: "a",
          no: "b",
        },
        { id: "a", kind: "send_email", templateId: a!.id, next: "wait-a" },
        { id: "b", kind: "send_email", templateId: b!.id },
        { id: "wait-a", kind: "delay", duration: { days: 2 }, next: "clicked" },
        { id: "clicked", kind: "condition", fact: { kind: "email_clicked", node: "a" }, yes: "c" },
        { id: "c", kind: "send_email", templateId: c!.id },
      ],
    });
    const clock = makeClock();
    const opener = await createMailContact(workspace.id);
    const ignorer = await createMailContact(workspace.id);
    for (const contact of [opener, ignorer])
      await track(workspace.id, contact.email!, clock.now(), { name: "Signed Up" });
    await runDueWork(clock.now());
    const [firstToOpener] = await messagesTo(opener.id);
    await recordEmailOpen(firstToOpener!.id, {
      userAgent: "Mozilla/5.0 (Macintosh) AppleWebKit",
      ip: "192.0.2.1",
    });
    clock.advance(day + minute);
    await runDueWork(clock.now());
    const aMessage = (await messagesTo(opener.id)).find((m) => m.template?.name === "A");
    expect(aMessage).toBeDefined();
    await db().message.update({
      where: { id_workspaceId: { workspaceId: aMessage!.workspaceId, id: aMessage!.id } },
      data: { clickedAt: clock.now(), openedAt: clock.now() },
    });
    clock.advance(2 * day + minute);
    await runDueWork(clock.now());
    expect((await messagesTo(opener.id)).map((m) => m.template?.name)).toEqual(["First", "A", "C"]);
    expect((await messagesTo(ignorer.id)).map((m) => m.template?.name)).toEqual(["First", "B"]);
    const stats = await db().scenarioStep.groupBy({
      by: ["nodeId", "output"],
      where: { scenarioId: scenario.id, nodeId: "opened" },
      _count: true,
    });
    expect(stats.map((s) => [s.output, s._count]).sort()).toEqual([
      ["no", 1],
      ["yes", 1],
    ]);
  });

  it("welcomes, sends the code two days later, and reminds a week later only if it was not used", async () => {
    const { workspace } = await createEmailWorkspace();
    const [welcome, code, reminder] = await Promise.all(
      ["Welcome", "Your code", "Code reminder"].map((name) =>
        createFlowTemplate(workspace.id, name),
      ),
    );
    await liveScenario(workspace.id, {
      trigger: { kind: "event", event: "Signed Up" },
      entry: { rule: "once" },
      start: "welcome",
      nodes: [
        { id: "welcome", kind: "send_email", templateId: welcome!.id, next: "two-days" },
        { id: "two-days", kind: "delay", duration: { days: 2 }, next: "code" },
        {
          id: "code",
          kind: "send_email",
          templateId: code!.id,
          data: { coupon: "WELCOME10" },
          next: "used",
        },
        {
          id: "used",
          kind: "wait_for_event",
          event: "Order Completed",
          where: [{ key: "coupon", type: "STRING", op: "EQUALS", value: "WELCOME10" }],
          timeout: { days: 7 },
          timedOut: "reminder",
        },
        {
          id: "reminder",
          kind: "send_email",
          templateId: reminder!.id,
          data: { coupon: "WELCOME10" },
        },
      ],
    });
    const clock = makeClock();
    const buyer = await createMailContact(workspace.id);
    const saver = await createMailContact(workspace.id);
    for (const contact of [buyer, saver])
      await track(workspace.id, contact.email!, clock.now(), { name: "Signed Up" });
    await runDueWork(clock.now());
    // Signing up again does not start the flow again (entry: once).
    await track(workspace.id, buyer.email!, clock.advance(hour), { name: "Signed Up" });
    await runDueWork(clock.now());
    clock.advance(2 * day);
    await runDueWork(clock.now());
    // An order before the code was sent does not count for the wait; one with the code does.
    await track(workspace.id, buyer.email!, clock.advance(day), {
      name: "Order Completed",
      properties: { coupon: "WELCOME10", order_id: "1" },
    });
    await runDueWork(clock.now());
    clock.advance(7 * day);
    await runDueWork(clock.now());
    expect((await messagesTo(buyer.id)).map((m) => m.template?.name)).toEqual([
      "Welcome",
      "Your code",
    ]);
    expect(
      (await messagesTo(saver.id)).map((m) => [m.template?.name, (m.data as any).coupon ?? null]),
    ).toEqual([
      ["Welcome", null],
      ["Your code", "WELCOME10"],
      ["Code reminder", "WELCOME10"],
    ]);
  });
});

describe("a condition on a window in hours, evaluated at the step's moment", () => {
  it("sends the reminder only to those with no Order Completed in the last 2 hours", async () => {
    const { workspace } = await createEmailWorkspace();
    const reminder = await createFlowTemplate(workspace.id, "Still thinking?");
    const scenario = await liveScenario(workspace.id, {
      trigger: { kind: "event", event: "Product Added" },
      start: "wait",
      nodes: [
        { id: "wait", kind: "delay", duration: { minutes: 30 }, next: "no-recent-order" },
        {
          id: "no-recent-order",
          kind: "condition",
          filter: { not: { event: { name: "Order Completed", withinHours: 2 } } },
          yes: "reminder",
        },
        { id: "reminder", kind: "send_email", templateId: reminder.id },
      ],
    });
    const clock = makeClock();
    const early = await createMailContact(workspace.id);
    const late = await createMailContact(workspace.id);
    const ordered = clock.now();
    for (const contact of [early, late])
      await track(workspace.id, contact.email!, ordered, { name: "Order Completed" });
    await runDueWork(clock.now());
    // Each adds to the cart after the order; the condition runs 30 minutes later.
    await track(workspace.id, early.email!, clock.advance(89 * minute), { name: "Product Added" });
    await runDueWork(clock.now());
    await track(workspace.id, late.email!, clock.advance(2 * minute), { name: "Product Added" });
    await runDueWork(clock.now());

    clock.advance(28 * minute); // 1h59m after the order: early's condition is due
    await runDueWork(clock.now());
    clock.advance(2 * minute); // 2h01m after the order: late's
    await runDueWork(clock.now());

    const outputs = async (contactId: string) => {
      const [run] = (await runsOf(scenario.id)).filter((r) => r.contactId === contactId);
      return run?.history.map((step) => [step.nodeId, step.output, step.leftAt?.getTime()]);
    };
    const at = (ms: number) => ordered.getTime() + ms;
    expect(await outputs(early.id)).toEqual([
      ["wait", "next", at(hour + 59 * minute)],
      ["no-recent-order", "no", at(hour + 59 * minute)],
    ]);
    expect(await outputs(late.id)).toEqual([
      ["wait", "next", at(2 * hour + minute)],
      ["no-recent-order", "yes", at(2 * hour + minute)],
      ["reminder", "next", at(2 * hour + minute)],
    ]);
    expect((await messagesTo(early.id)).map((m) => m.template?.name)).toEqual([]);
    expect((await messagesTo(late.id)).map((m) => m.template?.name)).toEqual(["Still thinking?"]);
  });
});
