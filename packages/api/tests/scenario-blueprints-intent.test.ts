import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { createTemplate } from "../src/domain/email-templates/templates.ts";
import { deliverMessage } from "../src/domain/messages/delivery/deliver-message.ts";
import { queueEmail } from "../src/domain/messages/queue/queue-email.ts";
import { installScenarioBlueprint } from "../src/domain/scenarios/blueprints/install-blueprint.ts";
import { publishScenario } from "../src/domain/scenarios/scenarios.ts";
import { messagesTo, runsOf, track } from "./scenario-fixtures.ts";
import { createEmailWorkspace, createMailContact } from "./support/email-factories.ts";
import { type LocalSes, makeTestApi, recordingSender, startLocalSes } from "./support/index.ts";
import { hour, makeClock, minute, runDueWork } from "./support/scenarios.ts";

const api = makeTestApi();
let ses: LocalSes;
beforeAll(async () => {
  ses = await startLocalSes();
});
afterAll(() => ses.close());

const added = (cartId: string, productId: string, name: string, price: number) => ({
  name: "Product Added",
  properties: { cart_id: cartId, product_id: productId, name, price, quantity: 1 },
});
const exitIntent = (cartId: string) => ({
  name: "Exit Intent",
  properties: { cart_id: cartId, trigger: "pointer", time_on_page_ms: 42_000 },
});
const pageViewed = { name: "Page Viewed", properties: { path: "/products/tent" } };

const tagsOf = async (contactId: string) =>
  (
    await db().contactTag.findMany({
      where: { contactId },
      select: { tag: { select: { name: true } } },
    })
  )
    .map((row) => row.tag.name)
    .sort();

describe("exit intent and category interest on the real engine", () => {
  it("exit intent: an hour without coming back, the offer with the cart's items and the code, once per cart", async () => {
    const { workspace } = await createEmailWorkspace();
    const [ada, bob, dan] = await Promise.all([1, 2, 3].map(() => createMailContact(workspace.id)));
    const draft = await installScenarioBlueprint(workspace.id, "exit_intent", {
      discountCode: "STAY10",
    });
    await publishScenario(workspace.id, draft.id);
    const clock = makeClock(new Date("2026-11-20T10:00:00.000Z"));
    const now = clock.now();
    await track(workspace.id, ada!.email!, now, added("c-ada", "tent", "Dome tent", 120));
    await track(workspace.id, bob!.email!, now, added("c-bob", "lamp", "Head lamp", 20));
    await track(workspace.id, dan!.email!, now, added("c-dan", "mat", "Sleeping mat", 30));
    // A shopper the shop knows by id only, with no address: no run.
    await track(workspace.id, "user-77", now, added("c-anon", "mat", "Sleeping mat", 30));
    clock.advance(5 * minute);
    for (const [who, cart] of [
      [ada!.email!, "c-ada"],
      [bob!.email!, "c-bob"],
      [dan!.email!, "c-dan"],
      ["user-77", "c-anon"],
    ] as const) {
      await track(workspace.id, who, clock.now(), exitIntent(cart));
    }
    await runDueWork(clock.now());

    // Bob comes back after 20 minutes; Dan buys the cart.
    await track(workspace.id, bob!.email!, clock.advance(20 * minute), pageViewed);
    await track(workspace.id, dan!.email!, clock.advance(10 * minute), {
      name: "Order Completed",
      properties: { order_id: "o-dan", cart_id: "c-dan", total: 30 },
    });
    await runDueWork(clock.now());
    clock.advance(29 * minute); // 59 minutes after the exit intent
    await runDueWork(clock.now());
    expect(await messagesTo(ada!.id)).toEqual([]);

    clock.advance(2 * minute);
    await runDueWork(clock.now());
    const [offer, ...more] = await messagesTo(ada!.id);
    expect(more).toEqual([]);
    expect(offer?.template?.name).toBe("Exit intent");
    expect(await deliverMessage(offer!.id, { sender: ses.sender })).toMatchObject({
      status: "SENT",
    });
    const received = (await ses.emails(ada!.email!)).at(-1)!;
    expect(received.subject).toBe("10% off on your cart, Zoë");
    expect(received.body.html).toContain("Dome tent");
    expect(received.body.html).toContain("STAY10");
    expect(received.body.html).not.toContain("Head lamp");
    expect(await messagesTo(bob!.id)).toEqual([]);
    expect(await messagesTo(dan!.id)).toEqual([]);

    // Ada leaves the same cart again: at most one mail per cart.
    await track(workspace.id, ada!.email!, clock.advance(hour), exitIntent("c-ada"));
    await runDueWork(clock.now());
    clock.advance(2 * hour);
    await runDueWork(clock.now());
    expect(await messagesTo(ada!.id)).toHaveLength(1);

    // Bob, back on the site, leaves again and stays away: now he gets it.
    await track(workspace.id, bob!.email!, clock.now(), exitIntent("c-bob"));
    await runDueWork(clock.now());
    clock.advance(hour + minute);
    await runDueWork(clock.now());
    const [bobs] = await messagesTo(bob!.id);
    expect(bobs?.data).toMatchObject({
      cart: { id: "c-bob", items: [{ product_id: "lamp", name: "Head lamp" }] },
      coupon: { code: "STAY10", description: "10% off" },
    });

    const runs = await runsOf(draft.id);
    expect(runs.map((run) => [run.entityKey, run.status]).sort()).toEqual([
      ["c-ada", "COMPLETED"],
      ["c-bob", "COMPLETED"],
      ["c-dan", "CONVERTED"],
    ]);
    const bobRun = runs.find((run) => run.entityKey === "c-bob")!;
    expect(bobRun.history.map((step) => [step.nodeId, step.output])).toEqual([
      ["gone", "matched"],
      ["came-back", "matched"],
      ["gone", "timedOut"],
      ["still-in-cart", "yes"],
      ["offer", "next"],
    ]);
  });

  it("category interest: a click on a category link in a curated mail tags the contact interest:<category>", async () => {
    const { workspace } = await createEmailWorkspace();
    const { workspace: other } = await createEmailWorkspace();
    const draft = await installScenarioBlueprint(workspace.id, "category_interest", {});
    await publishScenario(workspace.id, draft.id);
    const ada = await createMailContact(workspace.id);
    const curated = await createTemplate(workspace.id, {
      name: "New this week",
      kind: "MARKETING",
      subject: "New this week at {{ shop.name }}",
      html: `<h1>Picked for you</h1>
<p><a href="https://northwind.example/collections/Lamps?utm_source=newsletter">Lamps</a></p>
<p><a href="https://northwind.example/category/rugs">Rugs</a></p>
<p><a href="https://northwind.example/journal/spring?cw_category=garden">Spring in the garden</a></p>
<p><a href="https://northwind.example/products/brass-lamp">The brass lamp</a></p>`,
    });
    const { message } = await queueEmail(workspace.id, {
      templateId: curated.id,
      contactId: ada.id,
      idempotencyKey: "curated-1",
    });
    const sender = recordingSender(ses.sender);
    expect(await deliverMessage(message.id, { sender })).toMatchObject({ status: "SENT" });
    expect((await ses.emails(ada.email!)).at(-1)?.subject).toBe("New this week at Northwind Göods");
    const html = String((await simpleParser(Buffer.from(sender.sent[0]!.raw))).html);
    const clicks = [...html.matchAll(/href="([^"]+\/email\/click\/[^"]+)"/g)].map((match) =>
      match[1]!.replaceAll("&amp;", "&").replace(/^https?:\/\/[^/]+/, "http://cartwheel.test"),
    );
    const link = (part: string) => clicks.find((url) => url.includes(encodeURIComponent(part)))!;
    const browser = { "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1" };

    for (const part of ["/collections/Lamps", "/products/brass-lamp", "cw_category=garden"]) {
      expect((await api.app.request(link(part), { headers: browser })).status).toBe(302);
    }
    await runDueWork(new Date());
    expect(await tagsOf(ada.id)).toEqual(["interest:garden", "interest:lamps"]);
    const clicked = await db().event.findMany({
      where: { contactId: ada.id, name: "Email Clicked" },
      orderBy: { id: "asc" },
    });
    expect(clicked.map((event) => (event.properties as any).category ?? null)).toEqual([
      "lamps",
      null,
      "garden",
    ]);

    // A second click on a category she already has changes nothing; a new one adds its tag.
    await api.app.request(link("/collections/Lamps"), { headers: browser });
    await api.app.request(link("/category/rugs"), { headers: browser });
    await runDueWork(new Date());
    expect(await tagsOf(ada.id)).toEqual(["interest:garden", "interest:lamps", "interest:rugs"]);
    const runs = await runsOf(draft.id);
    expect(runs.map((run) => [run.status, run.history[0]?.reason ?? null])).toEqual([
      ["COMPLETED", null],
      ["COMPLETED", null],
      ["COMPLETED", null],
    ]);
    expect(runs[2]?.history[0]?.detail).toEqual({ tag: "interest:rugs" });
    // The tags are the workspace's own.
    expect(await db().tag.count({ where: { workspaceId: other.id } })).toBe(0);
  });
});
