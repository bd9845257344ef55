import { describe, expect, it } from "vitest";
import { installScenarioBlueprint } from "../src/domain/scenarios/blueprints/install-blueprint.ts";
import { simulateScenario } from "../src/domain/simulation/simulate-scenario.ts";
import { createEmailWorkspace } from "./support/email-factories.ts";
import { day, hour } from "./support/scenarios.ts";

const start = new Date("2026-04-01T08:00:00Z");
const at = (ms: number) => new Date(start.getTime() + ms);

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
});
