import { describe, expect, it } from "vitest";
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

  it("sunset: the last chance, then the tag when nothing is opened", async () => {
    const { workspace } = await createEmailWorkspace();
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
    ]);
    const [mail] = mailsOf(run);
    expect(mail?.email?.subject).toBe("Should we keep writing to you, Ada?");
    expect(mail?.email?.text).toContain("within 10 days");
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
});
