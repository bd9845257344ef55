import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import { createSegment } from "../src/domain/segments/segments.ts";
import { InvalidInputError } from "../src/domain/shared/errors.ts";
import { simulateScenario } from "../src/domain/simulation/simulate-scenario.ts";
import { createFlowTemplate, liveScenario } from "./scenario-fixtures.ts";
import { createEmailWorkspace, createMailContact } from "./support/email-factories.ts";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";
import { day, hour } from "./support/scenarios.ts";

const api = makeTestApi();

const start = new Date("2026-03-02T10:00:00Z");
const at = (ms: number) => new Date(start.getTime() + ms);

/** Every row count the simulation could touch, to prove it wrote nothing. */
async function footprint(workspaceId: string) {
  const [jobs] = await db().$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM graphile_worker._private_jobs`;
  return {
    contacts: await db().contact.count({ where: { workspaceId } }),
    events: await db().event.count({ where: { workspaceId } }),
    messages: await db().message.count({ where: { workspaceId } }),
    scenarios: await db().scenario.count({ where: { workspaceId } }),
    live: await db().scenario.count({ where: { workspaceId, status: "LIVE" } }),
    runs: await db().scenarioRun.count({ where: { workspaceId } }),
    jobs: Number(jobs?.n),
  };
}

async function welcomeWithDiscount(workspaceId: string) {
  const welcome = await createFlowTemplate(workspaceId, "Welcome");
  const code = await createFlowTemplate(workspaceId, "Your code");
  const reminder = await createFlowTemplate(workspaceId, "Code reminder");
  return {
    version: 1,
    trigger: { kind: "event", event: "Signed Up" },
    goals: [
      {
        event: "Order Completed",
        where: [{ key: "coupon", type: "STRING", op: "EQUALS", value: "HELLO10" }],
      },
    ],
    start: "welcome",
    nodes: [
      { id: "welcome", kind: "send_email", templateId: welcome.id, next: "wait-2d" },
      { id: "wait-2d", kind: "delay", duration: { days: 2 }, next: "code" },
      {
        id: "code",
        kind: "send_email",
        templateId: code.id,
        data: { coupon: "HELLO10" },
        next: "wait-week",
      },
      { id: "wait-week", kind: "delay", duration: { days: 7 }, next: "opened" },
      {
        id: "opened",
        kind: "condition",
        fact: { kind: "email_opened", node: "code" },
        yes: "reminder",
        no: "done",
      },
      { id: "reminder", kind: "send_email", templateId: reminder.id, data: { coupon: "HELLO10" } },
      { id: "done", kind: "exit", reason: "never opened the code" },
    ],
  };
}

describe("simulateScenario", () => {
  it("walks a made-up contact through the real engine on a virtual clock, renders each mail, and writes nothing", async () => {
    const { workspace } = await createEmailWorkspace();
    const definition = await welcomeWithDiscount(workspace.id);
    // A live scenario on the same trigger must not act in the simulation.
    const other = await liveScenario(workspace.id, { ...definition, start: "welcome" }, "Live one");
    const before = await footprint(workspace.id);

    const simulation = await simulateScenario(workspace.id, {
      definition,
      contact: { email: "ada@example.com", firstName: "Ada" },
      start,
      events: [
        { at: at(hour), name: "Signed Up" },
        { at: at(2 * day + 2 * hour), name: "Email Opened", properties: { node: "code" } },
      ],
    });

    expect(await footprint(workspace.id)).toEqual(before);
    expect(await db().scenarioRun.count({ where: { scenarioId: other.id } })).toBe(0);
    expect(simulation.runs).toHaveLength(1);
    const [run] = simulation.runs;
    expect(run?.status).toBe("COMPLETED");
    expect(run?.steps.map((s) => [s.nodeId, s.output, s.enteredAt.toISOString()])).toEqual([
      ["welcome", "next", at(hour).toISOString()],
      ["wait-2d", "next", at(hour).toISOString()],
      ["code", "next", at(2 * day + hour).toISOString()],
      ["wait-week", "next", at(2 * day + hour).toISOString()],
      ["opened", "yes", at(9 * day + hour).toISOString()],
      ["reminder", "next", at(9 * day + hour).toISOString()],
    ]);
    const code = run?.steps.find((s) => s.nodeId === "code")?.email;
    expect(code?.subject).toBe("Your code for Ada");
    expect(code?.html).toContain("Code HELLO10");
    expect(code?.to).toBe("ada@example.com");
    expect(code?.error).toBeNull();
    expect(simulation.end.toISOString()).toBe(at(9 * day + hour).toISOString());
  });

  it("takes the other branch when the code mail was never opened, and stops at the goal", async () => {
    const { workspace } = await createEmailWorkspace();
    const definition = await welcomeWithDiscount(workspace.id);
    const unopened = await simulateScenario(workspace.id, {
      definition,
      contact: { email: "bo@example.com" },
      start,
      events: [{ at: start, name: "signed_up" }],
    });
    expect(unopened.runs[0]?.status).toBe("EXITED");
    expect(unopened.runs[0]?.reason).toBe("never opened the code");
    expect(unopened.runs[0]?.steps.at(-2)).toMatchObject({ nodeId: "opened", output: "no" });

    const converted = await simulateScenario(workspace.id, {
      definition,
      contact: { email: "bo@example.com" },
      start,
      events: [
        { at: start, name: "Signed Up" },
        {
          at: at(3 * day),
          name: "Order Completed",
          properties: { order_id: "o-1", total: 40, currency: "USD", coupon: "HELLO10" },
        },
      ],
    });
    expect(converted.runs[0]?.status).toBe("CONVERTED");
    expect(converted.runs[0]?.endedAt?.toISOString()).toBe(at(3 * day).toISOString());
    expect(converted.runs[0]?.steps.map((s) => s.nodeId)).toEqual([
      "welcome",
      "wait-2d",
      "code",
      "wait-week",
    ]);
    expect(converted.events.find((e) => e.name === "Order Completed")?.ended).toBe(1);
  });

  it("shows what consent and quiet hours do to an existing contact's sends, and explains each condition", async () => {
    const { workspace } = await createEmailWorkspace({ consentRequired: true });
    await updateEmailSettings(workspace.id, { quietHours: { from: "21:00", to: "08:00" } });
    const template = await createFlowTemplate(workspace.id, "Late offer");
    const subscribed = await createMailContact(workspace.id, { firstName: "Cy" });
    const unsubscribed = await createMailContact(workspace.id, { consent: "UNSUBSCRIBED" });
    const definition = {
      version: 1,
      trigger: { kind: "api" },
      start: "big-spender",
      nodes: [
        {
          id: "big-spender",
          kind: "condition",
          filter: { event: { name: "Product Viewed", atLeast: 2, withinHours: 2 } },
          yes: "offer",
        },
        { id: "offer", kind: "send_email", templateId: template.id },
      ],
    };
    const viewed = [
      { at: new Date("2026-03-02T19:00:00Z"), name: "Product Viewed" },
      { at: new Date("2026-03-02T22:00:00Z"), name: "Product Viewed" },
      { at: new Date("2026-03-02T22:10:00Z"), name: "Product Viewed" },
    ];
    const late = new Date("2026-03-02T22:30:00Z");

    const deferred = await simulateScenario(workspace.id, {
      definition,
      contactId: subscribed.id,
      start: late,
      events: viewed,
    });
    const [condition, offer] = deferred.runs[0]?.steps ?? [];
    expect(condition?.output).toBe("yes");
    expect(condition?.explanation).toMatchObject({ kind: "event", matches: true, actual: 2 });
    expect(condition?.explanation?.events).toHaveLength(2);
    expect(offer?.reason).toMatch(/^deferred: quiet hours until 2026-03-03T08:00:00.000Z/);
    expect(offer?.enteredAt.toISOString()).toBe(late.toISOString());
    expect(offer?.leftAt?.toISOString()).toBe("2026-03-03T08:00:00.000Z");
    expect(offer?.email?.subject).toBe("Late offer for Cy");

    const refused = await simulateScenario(workspace.id, {
      definition,
      contactId: unsubscribed.id,
      start: late,
      events: viewed,
    });
    expect(refused.runs[0]?.steps[1]).toMatchObject({ nodeId: "offer", email: null });
    expect(refused.runs[0]?.steps[1]?.reason).toMatch(/^skipped: /);
    expect(await db().event.count({ where: { workspaceId: workspace.id } })).toBe(0);
  });

  it("reacts to what Cartwheel records during the simulation: entering a segment ends the run by its exit", async () => {
    const { workspace } = await createEmailWorkspace();
    const template = await createFlowTemplate(workspace.id, "Come back");
    const buyers = await createSegment(workspace.id, {
      name: "Buyers",
      filter: { event: { name: "Order Completed", atLeast: 1 } },
    });
    const definition = {
      version: 1,
      trigger: { kind: "api" },
      exits: [{ name: "bought", segmentId: buyers.id }],
      start: "wait",
      nodes: [
        { id: "wait", kind: "delay", duration: { days: 2 }, next: "nudge" },
        { id: "nudge", kind: "send_email", templateId: template.id },
      ],
    };
    const bought = await simulateScenario(workspace.id, {
      definition,
      contact: { email: "di@example.com" },
      start,
      events: [
        { at: at(day), name: "Order Completed", properties: { order_id: "o-9", total: 20 } },
      ],
    });
    expect(bought.runs[0]).toMatchObject({ status: "EXITED" });
    expect(bought.runs[0]?.endedAt?.toISOString()).toBe(at(day).toISOString());
    expect(bought.runs[0]?.steps.map((step) => step.nodeId)).toEqual(["wait"]);
    const idle = await simulateScenario(workspace.id, {
      definition,
      contact: { email: "di@example.com" },
      start,
    });
    expect(idle.runs[0]?.status).toBe("COMPLETED");
    expect(await db().segmentMembership.count({ where: { segmentId: buyers.id } })).toBe(0);
  });

  it("refuses bad input with a typed error, and never reaches into another workspace", async () => {
    const { workspace } = await createEmailWorkspace();
    const { workspace: stranger } = await createEmailWorkspace();
    const { contact } = await upsertContact(stranger.id, { email: "x@example.com" });
    const definition = await welcomeWithDiscount(workspace.id);
    await expect(
      simulateScenario(workspace.id, { definition, start, contact: { email: "not-an-email" } }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      simulateScenario(workspace.id, { start, contact: { email: "a@example.com" } }),
    ).rejects.toThrow(/scenarioId: set scenarioId or definition/);
    await expect(
      simulateScenario(workspace.id, { definition, start, contactId: contact.id }),
    ).rejects.toThrow(/Contact/);
    await expect(
      simulateScenario(workspace.id, {
        definition: { ...definition, start: "nowhere" },
        start,
        contact: { email: "a@example.com" },
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});

const simulate = `query($input: SimulateScenarioInput!) {
  simulateScenario(input: $input) {
    __typename
    ... on QuerySimulateScenarioSuccess {
      data {
        end
        runs { status steps { nodeId output enteredAt email { subject templateId } } }
        events { name started }
      }
    }
    ... on InvalidInputError { problems { path message } }
    ... on Error { message }
  }
}`;

describe("simulateScenario over GraphQL", () => {
  it("simulates a saved scenario's draft with global ids, and needs scenarios:read and contacts:read", async () => {
    const shop = await createTestWorkspace(api);
    const workspaceId = decodeGlobalID(shop.workspaceId).id;
    await updateEmailSettings(workspaceId, {
      fromEmail: "hi@shop.example",
      postalAddress: "1 Main St",
    });
    const template = await createFlowTemplate(workspaceId, "Thanks");
    const templateId = encodeGlobalID("Template", template.id);
    const { createScenario } = await api.data(
      `mutation($input: CreateScenarioInput!) {
        createScenario(input: $input) { ... on MutationCreateScenarioSuccess { scenario { id } } }
      }`,
      {
        input: {
          name: "Thank buyers",
          definition: {
            version: 1,
            trigger: { kind: "event", event: "Order Completed" },
            start: "wait",
            nodes: [
              { id: "wait", kind: "delay", duration: { hours: 3 }, next: "thanks" },
              { id: "thanks", kind: "send_email", templateId },
            ],
          },
        },
      },
      shop.secretKey,
    );
    const input = {
      scenarioId: createScenario.scenario.id,
      contact: { email: "ada@example.com", firstName: "Ada" },
      start: start.toISOString(),
      events: [{ at: start.toISOString(), name: "order_completed", properties: { order_id: "1" } }],
    };
    const result = await api.data(simulate, { input }, shop.secretKey);
    expect(result.simulateScenario.__typename).toBe("QuerySimulateScenarioSuccess");
    const [run] = result.simulateScenario.data.runs;
    expect(run.status).toBe("COMPLETED");
    expect(run.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(["wait", "thanks"]);
    expect(run.steps[1].enteredAt).toBe(at(3 * hour).toISOString());
    expect(run.steps[1].email.subject).toBe("Thanks for Ada");
    expect(decodeGlobalID(run.steps[1].email.templateId).id).toBe(template.id);
    expect(result.simulateScenario.data.events).toEqual([{ name: "Order Completed", started: 1 }]);
    expect(await db().contact.count({ where: { workspaceId } })).toBe(0);

    const bad = await api
      .data(
        simulate,
        { input: { ...input, events: [{ at: "not a date", name: "x" }] } },
        shop.secretKey,
      )
      .catch((error: Error) => error);
    expect(String(bad)).toMatch(/DateTime/);
    const badUntil = await api.data(
      simulate,
      { input: { ...input, until: start.toISOString() } },
      shop.secretKey,
    );
    expect(badUntil.simulateScenario).toMatchObject({
      __typename: "InvalidInputError",
      problems: [{ path: ["until"], message: "must be after start" }],
    });

    const scenariosOnly = await shop.makeKey("SECRET", ["SCENARIOS_READ"]);
    const refused = await api.request(simulate, { input }, scenariosOnly.key);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const other = await createTestWorkspace(api);
    const stranger = await api.data(simulate, { input }, other.secretKey);
    expect(stranger.simulateScenario.__typename).toBe("NotFoundError");
  });
});
