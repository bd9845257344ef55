import { db } from "../src/db.ts";
import { createTemplate } from "../src/domain/email-templates/templates.ts";
import { ingestEvents } from "../src/domain/events/ingest-events.ts";
import { createScenario, publishScenario } from "../src/domain/scenarios/scenarios.ts";

/** A marketing template that shows the trigger, the cart's lines and a coupon. */
export function createFlowTemplate(
  workspaceId: string,
  name: string,
  kind: "MARKETING" | "TRANSACTIONAL" = "MARKETING",
) {
  return createTemplate(workspaceId, {
    name,
    kind,
    subject: `${name} for {{ contact.first_name }}`,
    html: `<p>${name}</p>{% if cart %}{% for item in cart.items %}<p class="line">{{ item.name }} × {{ item.quantity }} {{ item.price | money: cart.currency }}</p>{% endfor %}{% endif %}{% if coupon %}<p>Code {{ coupon }}</p>{% endif %}<a href="https://northwind.example/shop">Shop</a>`,
  });
}

/** Creates and publishes a scenario; returns it. */
export async function liveScenario(
  workspaceId: string,
  definition: Record<string, unknown>,
  name = "Flow",
) {
  const scenario = await createScenario(workspaceId, {
    name,
    definition: { version: 1, ...definition },
  });
  return publishScenario(workspaceId, scenario.id);
}

/** Send, a condition on consent, a split into a second send: the engine's benchmark flow. */
export function fourStepDefinition(templateId: string) {
  return {
    trigger: { kind: "api" },
    start: "first",
    nodes: [
      { id: "first", kind: "send_email", templateId, next: "check" },
      {
        id: "check",
        kind: "condition",
        filter: { consent: { statuses: ["SUBSCRIBED"] } },
        yes: "split",
      },
      {
        id: "split",
        kind: "split",
        branches: [
          { name: "A", weight: 1, next: "second" },
          { name: "B", weight: 1, next: "second" },
        ],
      },
      { id: "second", kind: "send_email", templateId },
    ],
  };
}

let messageSequence = 0;

/** Stores events for a contact (by its email as userId) as a trusted backend would, at `at`. */
export async function track(
  workspaceId: string,
  userId: string,
  at: Date,
  ...events: { name: string; properties?: Record<string, unknown> }[]
) {
  const result = await ingestEvents(
    workspaceId,
    events.map((event) => ({
      messageId: `t-${++messageSequence}-${Math.random()}`,
      type: "track",
      event: event.name,
      properties: event.properties ?? {},
      userId,
      timestamp: at.toISOString(),
    })),
    { now: at, source: "trusted" },
  );
  if (result.rejected.length > 0) throw new Error(JSON.stringify(result.rejected));
}

export const runsOf = (scenarioId: string) =>
  db().scenarioRun.findMany({
    where: { scenarioId },
    // Runs started at the same instant come by entity key (cart-1 before cart-2), then by id:
    // random, but the same on every call.
    orderBy: [{ startedAt: "asc" }, { entityKey: "asc" }, { id: "asc" }],
    include: { history: { orderBy: { seq: "asc" } } },
  });

export const messagesTo = (contactId: string) =>
  db().message.findMany({
    where: { contactId },
    orderBy: { queuedAt: "asc" },
    include: { template: { select: { name: true } } },
  });

/**
 * A completed run that took `branch` at each of the split nodes `splitIds` at `enteredAt`, as
 * the engine records it: what split reports read, without driving the engine.
 */
export async function completedSplitRun(input: {
  workspaceId: string;
  scenarioId: string;
  versionId: string;
  contactId: string;
  splitIds: readonly string[];
  branch: string;
  enteredAt: Date;
}) {
  const { workspaceId, scenarioId, enteredAt } = input;
  const run = await db().scenarioRun.create({
    data: {
      workspaceId,
      scenarioId,
      versionId: input.versionId,
      contactId: input.contactId,
      trigger: {},
      startedAt: enteredAt,
      status: "COMPLETED",
    },
  });
  await db().scenarioStep.createMany({
    data: input.splitIds.map((nodeId, seq) => ({
      runId: run.id,
      workspaceId,
      scenarioId,
      seq: seq + 1,
      nodeId,
      kind: "split",
      enteredAt,
      leftAt: enteredAt,
      output: input.branch,
    })),
  });
  return run;
}
