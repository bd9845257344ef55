import { describe, expect, it } from "vitest";
import { upsertProducts } from "../src/domain/catalog/upsert-products.ts";
import { installScenarioBlueprint } from "../src/domain/scenarios/blueprints/install-blueprint.ts";
import { type SimulatedRun, simulateScenario } from "../src/domain/simulation/simulate-scenario.ts";
import { createEmailWorkspace } from "./support/email-factories.ts";
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

describe("blueprints in the simulator", () => {
  it("welcome with a discount: three mails over nine days, or two when an order uses the code", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "welcome_discount", {
      discountCode: "HELLO5",
    });
    const contact = { email: "ada@example.com", firstName: "Ada" };
    const signedUp = { at: at(hour), name: "Signed Up" };

    const silent = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [signedUp],
    });
    const run = silent.runs[0];
    expect(run?.status).toBe("COMPLETED");
    const mails = run?.steps.filter((step) => step.email) ?? [];
    expect(mails.map((step) => [step.nodeId, step.enteredAt.toISOString()])).toEqual([
      ["welcome", at(hour).toISOString()],
      ["code", at(2 * day + hour).toISOString()],
      ["reminder", at(9 * day + hour).toISOString()],
    ]);
    expect(mails[0]?.email?.subject).toBe("Welcome to Northwind Göods, Ada!");
    expect(mails.map((step) => step.email?.error)).toEqual([null, null, null]);
    expect(mails[1]?.email?.data).toMatchObject({
      coupon: { code: "HELLO5", description: "10% off" },
    });
    expect(mails[1]?.email?.html).toContain("HELLO5");
    expect(mails[1]?.email?.preheader).toBe("Here is 10% off on your first order.");

    const used = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [
        signedUp,
        {
          at: at(4 * day),
          name: "Order Completed",
          properties: { order_id: "o-1", total: 30, coupon: "HELLO5" },
        },
      ],
    });
    const usedMails = used.runs[0]?.steps.filter((step) => step.email) ?? [];
    expect(usedMails.map((step) => step.nodeId)).toEqual(["welcome", "code"]);
    expect(used.runs[0]?.steps.find((step) => step.nodeId === "used")?.output).toBe("matched");
  });

  it("abandoned cart: the reminder shows the cart's items; the discount mail shows its code", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "abandoned_cart", {
      discountCode: "SAVE15",
      percent: 15,
    });
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [
        {
          at: at(hour),
          name: "Product Added",
          properties: { cart_id: "c-1", product_id: "tent", name: "Dome tent", price: 120 },
        },
        { at: at(3 * hour), name: "Email Opened", properties: { node: "reminder" } },
      ],
    });
    const run = simulation.runs[0];
    expect(run?.entityKey).toBe("c-1");
    const [reminder, discount, ...more] = mailsOf(run);
    expect(more).toEqual([]);
    expect(reminder?.nodeId).toBe("reminder");
    expect(reminder?.enteredAt).toEqual(at(2 * hour));
    expect(reminder?.email?.html).toContain("Dome tent");
    expect(reminder?.email?.html).not.toContain("SAVE15");
    expect(discount?.nodeId).toBe("discount");
    expect(discount?.enteredAt).toEqual(at(26 * hour));
    expect(discount?.email?.html).toContain("Dome tent");
    expect(discount?.email?.html).toContain("SAVE15");
    expect(discount?.email?.text).toContain("SAVE15");
    expect(discount?.email?.preheader).toBe("Take 15% off with code SAVE15: your cart is saved.");
  });

  it("post-purchase cross-sell: names the order's product and shows catalog products", async () => {
    const { workspace } = await createEmailWorkspace();
    await upsertProducts(workspace.id, [
      { productId: "tent", title: "Dome tent", price: 120, currency: "USD" },
      { productId: "stove", title: "Camping stove", price: 45, currency: "USD" },
      { productId: "mat", title: "Sleeping mat", price: 30, currency: "USD" },
    ]);
    const scenario = await installScenarioBlueprint(workspace.id, "post_purchase_cross_sell", {
      days: 10,
    });
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [
        {
          at: at(hour),
          name: "Order Completed",
          properties: {
            order_id: "o-1",
            total: 120,
            currency: "USD",
            products: [{ product_id: "tent", name: "Dome tent", price: 120, quantity: 1 }],
          },
        },
      ],
    });
    const [mail, ...more] = mailsOf(simulation.runs[0]);
    expect(more).toEqual([]);
    expect(mail?.enteredAt).toEqual(at(10 * day + hour));
    expect(mail?.email?.preheader).toBe("Hand-picked to go with the Dome tent.");
    const shown = ["Camping stove", "Sleeping mat"].filter((name) =>
      mail?.email?.html.includes(name),
    );
    expect(shown.length).toBeGreaterThan(0);
  });

  it("birthday coupon: on the birthday, the code and what it is worth", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "birthday_coupon", {});
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact: { ...contact, birthday: new Date("1990-04-01T00:00:00Z"), timezone: "UTC" },
      start,
    });
    const [mail, ...more] = mailsOf(simulation.runs[0]);
    expect(more).toEqual([]);
    expect(mail?.email?.subject).toBe("Happy birthday, Ada! A gift from Northwind Göods");
    expect(mail?.email?.preheader).toBe("15% off your next order, on us.");
    expect(mail?.email?.html).toContain("BIRTHDAY15");
    expect(mail?.email?.text).toContain("BIRTHDAY15");
    expect(mail?.email?.html).not.toContain("Valid until");
  });

  it("browse abandonment: hours after a view, the viewed product at the catalog's price; a cart add ends it", async () => {
    const { workspace } = await createEmailWorkspace();
    await upsertProducts(workspace.id, [
      { productId: "lamp", title: "Brass reading lamp", price: 99, currency: "USD" },
    ]);
    const { workspace: other } = await createEmailWorkspace();
    await upsertProducts(other.id, [
      { productId: "lamp", title: "Another shop's lamp", price: 5, currency: "USD" },
    ]);
    const scenario = await installScenarioBlueprint(workspace.id, "browse_abandonment", {
      afterHours: 2,
    });
    const viewed = {
      at: at(hour),
      name: "Product Viewed",
      properties: { product_id: "lamp", name: "Lamp", price: 129 },
    };
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [viewed, { ...viewed, at: at(2 * hour) }],
    });
    expect(simulation.runs).toHaveLength(1);
    const [mail, ...more] = mailsOf(simulation.runs[0]);
    expect(more).toEqual([]);
    expect(mail?.enteredAt).toEqual(at(3 * hour));
    expect(mail?.email?.subject).toBe("Still looking at the Brass reading lamp?");
    expect(mail?.email?.html).toContain("$99.00");
    expect(mail?.email?.text).toContain("Brass reading lamp");
    expect(mail?.email?.html).not.toContain("Another shop");

    const added = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [
        viewed,
        {
          at: at(2 * hour),
          name: "Product Added",
          properties: { cart_id: "c-1", product_id: "lamp", price: 99 },
        },
      ],
    });
    expect(added.runs.map((run) => [run.status, run.reason])).toEqual([
      ["EXITED", expect.stringContaining("Added to a cart")],
    ]);
    expect(mailsOf(added.runs[0])).toEqual([]);
  });

  it("win-back: a mail some days after the last order, then the coupon; a new order starts over", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "win_back", {
      days: 30,
      couponAfterDays: 7,
    });
    const order = (id: string, ms: number) => ({
      at: at(ms),
      name: "Order Completed",
      properties: {
        order_id: id,
        total: 20,
        products: [{ product_id: "mug", name: "Mug", price: 20, quantity: 1 }],
      },
    });
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [order("o-1", hour)],
    });
    const [missYou, coupon, ...more] = mailsOf(simulation.runs[0]);
    expect(more).toEqual([]);
    expect(missYou?.enteredAt).toEqual(at(30 * day + hour));
    expect(missYou?.email?.subject).toBe("We miss you, Ada!");
    expect(missYou?.email?.html).not.toContain("COMEBACK15");
    expect(coupon?.enteredAt).toEqual(at(37 * day + hour));
    expect(coupon?.email?.subject).toBe("We miss you, Ada! Here's 15% off");
    expect(coupon?.email?.preheader).toBe("Use code COMEBACK15.");
    expect(coupon?.email?.html).toContain("COMEBACK15");

    const again = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [order("o-1", hour), order("o-2", 10 * day)],
    });
    expect(again.runs.map((run) => run.status)).toEqual(["EXITED", "COMPLETED"]);
    expect(mailsOf(again.runs[0])).toEqual([]);
    expect(mailsOf(again.runs[1]).map((step) => step.enteredAt)).toEqual([
      at(40 * day),
      at(47 * day),
    ]);
  });

  it("replenishment: days after an order of the product, a reminder naming it; other orders start nothing", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "replenishment", {
      days: 20,
      productId: "beans",
    });
    const order = (productId: string, name: string) => ({
      at: at(hour),
      name: "Order Completed",
      properties: {
        order_id: `o-${productId}`,
        total: 18,
        products: [{ product_id: productId, name, price: 18, quantity: 1 }],
      },
    });
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [order("beans", "Espresso beans")],
    });
    const [mail, ...more] = mailsOf(simulation.runs[0]);
    expect(more).toEqual([]);
    expect(mail?.enteredAt).toEqual(at(20 * day + hour));
    expect(mail?.email?.subject).toBe("Running low on Espresso beans?");
    expect(mail?.email?.preheader).toBe("It's been 20 days: reorder in one click.");
    expect(mail?.email?.html).toContain("$18.00");

    const other = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
      events: [order("mug", "Mug")],
    });
    expect(other.runs).toEqual([]);
  });

  it("VIP welcome: tags the new VIP and welcomes them with the thank-you code", async () => {
    const { workspace } = await createEmailWorkspace();
    const scenario = await installScenarioBlueprint(workspace.id, "vip_welcome", {
      discountCode: "THANKS20",
      percent: 20,
    });
    const simulation = await simulateScenario(workspace.id, {
      scenarioId: scenario.id,
      contact,
      start,
    });
    const run = simulation.runs[0];
    expect(run?.status).toBe("COMPLETED");
    expect(run?.steps.map((step) => [step.nodeId, step.output])).toEqual([
      ["tag", "next"],
      ["welcome", "next"],
    ]);
    const [mail] = mailsOf(run);
    expect(mail?.email?.subject).toBe("You're a VIP at Northwind Göods, Ada");
    expect(mail?.email?.preheader).toBe("A thank-you from us: 20% off with code THANKS20.");
    expect(mail?.email?.html).toContain("THANKS20");
    expect(mail?.email?.text).toContain("Your thank-you: 20% off");
  });
});
