import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { upsertProducts } from "../src/domain/catalog/upsert-products.ts";
import { tagContacts } from "../src/domain/contacts/tag-contacts.ts";
import { installScenarioBlueprint } from "../src/domain/scenarios/blueprints/install-blueprint.ts";
import { type SimulatedRun, simulateScenario } from "../src/domain/simulation/simulate-scenario.ts";
import { createEmailWorkspace, createMailContact } from "./support/email-factories.ts";
import { day, hour } from "./support/scenarios.ts";

const start = new Date("2026-04-01T08:00:00Z");
const at = (ms: number) => new Date(start.getTime() + ms);
const contact = { email: "ada@example.com", firstName: "Ada" };

/** The run's mails, each rendered strictly; fails on the first that cannot render. */
function mailsOf(run: SimulatedRun | undefined) {
  const mails = run?.steps.filter((step) => step.email) ?? [];
  for (const step of mails) expect(step.email?.error, step.nodeId).toBeNull();
  return mails;
}

const orderCompleted = (ms: number) => ({
  at: at(ms),
  name: "Order Completed",
  properties: {
    order_id: "o-1",
    order_number: "#1001",
    total: 120,
    currency: "USD",
    products: [{ product_id: "tent", name: "Dome tent", price: 120, quantity: 1 }],
  },
});
const orderShipped = (ms: number) => ({
  at: at(ms),
  name: "Order Shipped",
  properties: { order_id: "o-1", carrier: "DHL", tracking_url: "https://track.example/1" },
});

describe("the lifecycle blueprints in the simulator", () => {
  it("order updates: the confirmation, then the shipping update when the order ships", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "order_updates", {});
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [orderCompleted(hour), orderShipped(2 * day)],
    });
    const run = simulation.runs[0];
    expect(run?.status).toBe("COMPLETED");
    const [confirmation, shipped, ...more] = mailsOf(run);
    expect(more).toEqual([]);
    expect(confirmation?.email?.subject).toBe("Order #1001 confirmed");
    expect(confirmation?.enteredAt).toEqual(at(hour));
    expect(shipped?.email?.subject).toBe("Your order #1001 is on its way");
    expect(shipped?.enteredAt).toEqual(at(2 * day));
    expect(shipped?.email?.html).toContain("with DHL");
  });

  it("review request: a week after shipping, with the thank-you code", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "review_request", {
      discountCode: "THANKS",
    });
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [orderCompleted(hour), orderShipped(day)],
    });
    const [mail, ...more] = mailsOf(simulation.runs[0]);
    expect(more).toEqual([]);
    expect(mail?.enteredAt).toEqual(at(8 * day));
    expect(mail?.email?.subject).toBe("How are you liking your Dome tent?");
    expect(mail?.email?.html).toContain("THANKS");
    expect(mail?.email?.html).not.toContain("Write a review");
  });

  it("sunset: the last chance, then the tag and the unsubscribe when nothing is opened, none of it written", async () => {
    const { workspace } = await createEmailWorkspace();
    const real = await createMailContact(workspace.id);
    const scenario = await installScenarioBlueprint(workspace.id, "sunset", {
      lastChanceDays: 10,
    });
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
    });
    const run = simulation.runs[0];
    expect(run?.steps.map((step) => [step.nodeId, step.output])).toEqual([
      ["last-chance", "next"],
      ["wait", "next"],
      ["engaged", "no"],
      ["tag", "next"],
      ["unsubscribe", "next"],
    ]);
    const [mail] = mailsOf(run);
    expect(mail?.email?.subject).toBe("Should we keep writing to you, Ada?");
    expect(mail?.email?.text).toContain("within 10 days");

    const ofReal = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contactId: real.id,
      start,
    });
    expect(ofReal.runs[0]?.steps.at(-1)).toMatchObject({
      nodeId: "unsubscribe",
      output: "next",
      reason: null,
    });
    const after = await db().contact.findFirstOrThrow({ where: { id: real.id } });
    expect(after.consentStatus).toBe(real.consentStatus);
    expect(after.consentStatus).toBe("SUBSCRIBED");
    expect(await db().event.count({ where: { contactId: real.id, name: "Unsubscribed" } })).toBe(0);

    const tagOnly = await installScenarioBlueprint(workspace.id, "sunset", {
      afterSilence: "tag",
    });
    const tagged = await simulateScenario(workspace.id, {
      scenarioId: tagOnly.id,
      contact,
      start,
    });
    expect(tagged.runs[0]?.steps.map((step) => step.nodeId).at(-1)).toBe("tag");
  });

  it("VIP reward: a tagged VIP is thanked for the order with the code, once per cooldown; an untagged one is not", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "vip_reward", {
      vipMinimumSpend: 100,
      discountCode: "VIPTHANKS",
      cooldownHours: 12,
    });
    const vip = await createMailContact(workspace.id, { firstName: "Ada" });
    await tagContacts(workspace.id, { contactIds: [vip.id], tags: ["VIP"] });
    const order = (id: string, ms: number) => ({
      ...orderCompleted(ms),
      properties: { ...orderCompleted(ms).properties, order_id: id, order_number: `#${id}` },
    });
    const events = [
      order("o-1", -day),
      order("o-2", hour),
      order("o-3", 2 * hour),
      order("o-4", day + 2 * hour),
    ];
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contactId: vip.id,
      start,
      events,
    });
    expect(simulation.runs.map((run) => run.steps[0]?.enteredAt)).toEqual([
      at(hour),
      at(day + 2 * hour),
    ]);
    const [first, second] = simulation.runs.map((run) => mailsOf(run)[0]);
    expect(first?.email?.subject).toBe("Thank you for order #o-2, Ada");
    expect(first?.email?.html).toContain("VIPTHANKS");
    expect(second?.email?.subject).toBe("Thank you for order #o-4, Ada");

    const untagged = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events,
    });
    expect(untagged.runs).toEqual([]);
  });

  it("offer ending: the code and the last day from the contact's properties", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "offer_ending", {
      description: "15% off",
    });
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact: {
        ...contact,
        timezone: "UTC",
        properties: { offer_code: "ADA15", offer_expires_at: "2026-04-04" },
      },
      start,
    });
    const [mail, ...more] = mailsOf(simulation.runs[0]);
    expect(more).toEqual([]);
    expect(mail?.email?.subject).toBe("Your 15% off ends April 4, 2026");
    expect(mail?.email?.preheader).toBe("Use code ADA15 by April 4, 2026 before it runs out.");
    expect(mail?.email?.html).toContain("ADA15");
  });

  it("lead score: the tag, then the CRM webhook, taken as answered and not called", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "lead_score", {
      webhookUrl: "https://crm.shop.example/hooks",
    });
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      payload: { threshold: 50, score_before: 40, score: 55 },
    });
    const run = simulation.runs[0];
    expect(run?.status).toBe("COMPLETED");
    expect(run?.steps.map((step) => [step.nodeId, step.output])).toEqual([
      ["tag", "next"],
      ["notify-crm", "next"],
    ]);
    expect(mailsOf(run)).toEqual([]);
  });

  it("exit intent: an hour without a page view, the offer with the cart's items; a page view first re-arms it", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "exit_intent", {
      discountCode: "STAY10",
    });
    const cart = {
      at: at(0),
      name: "Product Added",
      properties: { cart_id: "c-1", product_id: "tent", name: "Dome tent", price: 120 },
    };
    const exit = (ms: number) => ({
      at: at(ms),
      name: "Exit Intent",
      properties: { cart_id: "c-1", trigger: "pointer" },
    });
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [
        cart,
        exit(5 * 60_000),
        { at: at(30 * 60_000), name: "Page Viewed", properties: { path: "/" } },
        exit(2 * hour),
      ],
    });
    const run = simulation.runs[0];
    expect(run?.status).toBe("COMPLETED");
    expect(run?.steps.map((step) => [step.nodeId, step.output])).toEqual([
      ["gone", "matched"],
      ["came-back", "matched"],
      ["gone", "timedOut"],
      ["still-in-cart", "yes"],
      ["offer", "next"],
    ]);
    const [offer, ...more] = mailsOf(run);
    expect(more).toEqual([]);
    expect(offer?.enteredAt).toEqual(at(3 * hour));
    expect(offer?.email?.subject).toBe("10% off on your cart, Ada");
    expect(offer?.email?.html).toContain("Dome tent");
    expect(offer?.email?.preheader).toBe("Use code STAY10 before you go: your cart is saved.");

    const bought = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [
        cart,
        exit(5 * 60_000),
        {
          at: at(20 * 60_000),
          name: "Order Completed",
          properties: { order_id: "o-1", cart_id: "c-1", total: 120 },
        },
      ],
    });
    expect(bought.runs[0]?.status).toBe("CONVERTED");
    expect(mailsOf(bought.runs[0])).toEqual([]);
  });

  it("category interest: a click on a category link tags the contact with it; a product link does not", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "category_interest", {
      tagPrefix: "likes-",
    });
    const click = (ms: number, url: string) => ({
      at: at(ms),
      name: "Email Clicked",
      properties: { url },
    });
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [
        click(hour, "https://northwind.example/products/brass-lamp"),
        click(2 * hour, "https://northwind.example/collections/lamps?utm_source=cartwheel"),
      ],
    });
    expect(simulation.runs).toHaveLength(1);
    expect(
      simulation.runs[0]?.steps.map((step) => [step.nodeId, step.output, step.detail]),
    ).toEqual([["tag", "next", { tag: "likes-lamps" }]]);
    expect(simulation.events.map((event) => event.started)).toEqual([0, 1]);
  });

  it("welcome series: the welcome with its links, then bestsellers, articles, picks and the sale on their days; an order skips the sale", async () => {
    const { workspace } = await createEmailWorkspace();
    await upsertProducts(workspace.id, [
      { productId: "tent", title: "Dome tent", price: 120, currency: "USD" },
      { productId: "mat", title: "Sleeping mat", price: 30, currency: "USD" },
    ]);
    const scenario = await installScenarioBlueprint(workspace.id, "welcome_series", {
      blogUrl: "https://northwind.example/blog",
      socialLinks: [{ name: "Instagram", url: "https://instagram.com/northwind" }],
      articles: [{ title: "Camping in the rain", url: "https://northwind.example/blog/rain" }],
      discountCode: "SALE15",
      percent: 15,
    });
    const signedUp = { at: at(hour), name: "Signed Up", properties: {} };
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [signedUp],
    });
    const mails = mailsOf(simulation.runs[0]);
    expect(mails.map((mail) => [mail.nodeId, mail.enteredAt])).toEqual([
      ["welcome", at(hour)],
      ["bestsellers", at(3 * day + hour)],
      ["articles", at(7 * day + hour)],
      ["for-you", at(10 * day + hour)],
      ["sale", at(20 * day + hour)],
    ]);
    expect(mails[0]?.email?.subject).toBe("Welcome to Northwind Göods, Ada!");
    expect(mails[0]?.email?.text).toContain("https://northwind.example/blog?utm_source");
    expect(mails[0]?.email?.text).toContain("Instagram");
    expect(mails[1]?.email?.html).toContain("Dome tent");
    expect(mails[2]?.email?.text).toContain("Camping in the rain");
    expect(mails[3]?.email?.html).toContain("Sleeping mat");
    expect(mails[4]?.email?.subject).toBe("15% off: the sale is on");
    expect(mails[4]?.email?.text).toContain("SALE15");

    const ordered = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [signedUp, orderCompleted(15 * day)],
    });
    const run = ordered.runs[0];
    expect(mailsOf(run).map((mail) => mail.nodeId)).toEqual([
      "welcome",
      "bestsellers",
      "articles",
      "for-you",
    ]);
    expect(run?.status).toBe("EXITED");
  });
});
