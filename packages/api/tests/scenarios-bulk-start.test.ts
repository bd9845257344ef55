import { encodeGlobalID } from "@pothos/plugin-relay";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import { startScenarioRuns } from "../src/domain/scenarios/runs/start-scenario.ts";
import {
  createFlowTemplate,
  fourStepDefinition,
  liveScenario,
  runsOf,
} from "./scenario-fixtures.ts";
import { changedTables, connectFingerprints } from "./support/database-fingerprint.ts";
import { createEmailWorkspace, createMailContact } from "./support/email-factories.ts";
import { createTestShop } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";

const api = makeTestApi();

/** The benchmark's flow, with the scenario-level settings in `extra`. */
function fourSteps(templateId: string, extra: Record<string, unknown> = {}) {
  return { ...fourStepDefinition(templateId), ...extra };
}

describe("startScenarioRuns", () => {
  it("starts many runs in one call, a result per contact in order, each run through its first steps", async () => {
    const { workspace } = await createEmailWorkspace();
    const template = await createFlowTemplate(workspace.id, "Hello");
    const scenario = await liveScenario(
      workspace.id,
      fourSteps(template.id, { entry: { rule: "once" } }),
    );
    const contacts = await Promise.all(
      Array.from({ length: 6 }, () => createMailContact(workspace.id)),
    );
    const unsubscribed = await createMailContact(workspace.id, { consent: "UNSUBSCRIBED" });
    const other = await createEmailWorkspace();
    const theirs = await createMailContact(other.workspace.id);
    // One contact entered before: the scenario admits each contact once.
    const [entered] = await startScenarioRuns(workspace.id, scenario.id, {
      runs: [{ contactId: contacts[0]!.id }],
    });
    expect(entered?.run?.status).toBe("COMPLETED");

    const results = await startScenarioRuns(workspace.id, scenario.id, {
      runs: [
        ...contacts.map((contact) => ({ contactId: contact.id, payload: { batch: 2 } })),
        { contactId: unsubscribed.id },
        { contactId: contacts[1]!.id },
        { contactId: theirs.id },
        { contactId: "00000000-0000-4000-8000-000000000000" },
        { contactId: "not-a-uuid" },
      ],
    });
    expect(results.map((row) => [row.contactId, row.run?.status ?? row.reason])).toEqual([
      [contacts[0]!.id, "entered before (entry: once per contact)"],
      ...contacts.slice(1).map((contact) => [contact.id, "COMPLETED"]),
      [unsubscribed.id, "COMPLETED"],
      [contacts[1]!.id, "listed twice in this call"],
      [theirs.id, "no such contact"],
      ["00000000-0000-4000-8000-000000000000", "no such contact"],
      ["not-a-uuid", "no such contact"],
    ]);

    // Each started run took all four steps, with its two messages, exactly as a single start.
    const runs = await runsOf(scenario.id);
    expect(runs).toHaveLength(7);
    for (const run of runs) {
      expect(run.history.map((step) => [step.nodeId, step.output])).toEqual(
        run.contactId === unsubscribed.id
          ? [
              ["first", "next"],
              ["check", "no"],
            ]
          : [
              ["first", "next"],
              ["check", "yes"],
              ["split", (run.state as { splits: Record<string, string> }).splits.split],
              ["second", "next"],
            ],
      );
    }
    const messages = await db().message.findMany({
      where: { workspaceId: workspace.id },
      select: { scenarioRunId: true, scenarioNodeId: true, status: true, contactId: true },
    });
    // The unsubscribed contact's marketing sends were skipped, recorded on its steps.
    expect(messages.filter((m) => m.contactId === unsubscribed.id)).toEqual([]);
    const unsubscribedRun = runs.find((run) => run.contactId === unsubscribed.id)!;
    expect(unsubscribedRun.history[0]?.reason).toMatch(/skipped/);
    expect(messages).toHaveLength(2 * 6);
    const byRun = new Map<string | null, typeof messages>();
    for (const m of messages)
      byRun.set(m.scenarioRunId, [...(byRun.get(m.scenarioRunId) ?? []), m]);
    for (const run of runs.filter((r) => r.contactId !== unsubscribed.id)) {
      expect(
        byRun
          .get(run.id)
          ?.map((m) => m.scenarioNodeId)
          .sort(),
      ).toEqual(["first", "second"]);
      // The step rows and the run's state name the messages that were written.
      const stepMessages = run.history.flatMap((step) => (step.messageId ? [step.messageId] : []));
      const sent = (run.state as { messages: Record<string, string> }).messages;
      expect(new Set(stepMessages)).toEqual(new Set(Object.values(sent)));
    }
    const ids = new Set(
      (
        await db().message.findMany({ where: { workspaceId: workspace.id }, select: { id: true } })
      ).map((m) => m.id),
    );
    for (const run of runs) {
      for (const step of run.history)
        if (step.messageId) expect(ids.has(step.messageId)).toBe(true);
    }
    // One send job per message, none extra.
    const [jobs] = await db().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM graphile_worker._private_jobs j
        JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE t.identifier = 'send_email'
         AND (j.payload->>'messageId')::uuid IN (SELECT id FROM messages WHERE workspace_id = ${workspace.id}::uuid)`;
    expect(jobs?.n).toBe(2 * 6);
  });

  it("refuses a bad call whole, naming the row, and writes nothing", async () => {
    const { workspace } = await createEmailWorkspace();
    const template = await createFlowTemplate(workspace.id, "Cart");
    const carts = await liveScenario(workspace.id, {
      trigger: { kind: "api" },
      entityKey: "cart_id",
      start: "mail",
      nodes: [{ id: "mail", kind: "send_email", templateId: template.id }],
    });
    const byEvent = await liveScenario(workspace.id, {
      trigger: { kind: "event", event: "Signed Up" },
      start: "mail",
      nodes: [{ id: "mail", kind: "send_email", templateId: template.id }],
    });
    const ada = await createMailContact(workspace.id);
    const fingerprints = await connectFingerprints();
    const before = await fingerprints.workspace(workspace.id);
    try {
      await expect(
        startScenarioRuns(workspace.id, carts.id, {
          runs: [
            { contactId: ada.id, payload: { cart_id: "c1" } },
            { contactId: ada.id, payload: { other: 1 } },
          ],
        }),
      ).rejects.toMatchObject({
        problems: [{ path: ["runs", "1", "payload", "cart_id"] }],
      });
      await expect(
        startScenarioRuns(workspace.id, carts.id, {
          runs: [{ contactId: ada.id, payload: "cart" as never }],
        }),
      ).rejects.toMatchObject({ problems: [{ path: ["runs", "0", "payload"] }] });
      await expect(startScenarioRuns(workspace.id, carts.id, { runs: [] })).rejects.toMatchObject({
        problems: [{ path: ["runs"] }],
      });
      await expect(
        startScenarioRuns(workspace.id, carts.id, {
          runs: Array.from({ length: 1001 }, () => ({ contactId: ada.id })),
        }),
      ).rejects.toMatchObject({ problems: [{ path: ["runs"] }] });
      await expect(
        startScenarioRuns(workspace.id, byEvent.id, { runs: [{ contactId: ada.id }] }),
      ).rejects.toMatchObject({ problems: [{ path: ["scenarioId"] }] });
      // Another workspace's scenario does not exist for this one.
      const other = await createEmailWorkspace();
      await expect(
        startScenarioRuns(other.workspace.id, carts.id, { runs: [{ contactId: ada.id }] }),
      ).rejects.toMatchObject({ name: "NotFoundError" });
      expect(changedTables(before, await fingerprints.workspace(workspace.id))).toEqual([]);
    } finally {
      await fingerprints.end();
    }

    // Two carts of one contact are two runs.
    const results = await startScenarioRuns(workspace.id, carts.id, {
      runs: [
        { contactId: ada.id, payload: { cart_id: "c1" } },
        { contactId: ada.id, payload: { cart_id: "c2" } },
      ],
    });
    expect(results.map((row) => row.run?.entityKey)).toEqual(["c1", "c2"]);
  });

  it("checks the audience and holds out the control group for every contact of the call", async () => {
    const { workspace } = await createEmailWorkspace();
    const template = await createFlowTemplate(workspace.id, "VIP");
    await db().workspace.update({
      where: { id: workspace.id },
      data: { controlGroupPercent: 50 },
    });
    const scenario = await liveScenario(workspace.id, {
      trigger: { kind: "api" },
      audience: { consent: { statuses: ["SUBSCRIBED"] } },
      start: "mail",
      nodes: [{ id: "mail", kind: "send_email", templateId: template.id }],
    });
    const inside = await Promise.all(
      Array.from({ length: 40 }, () => createMailContact(workspace.id)),
    );
    const outside = await createMailContact(workspace.id, { consent: "UNSUBSCRIBED" });
    const results = await startScenarioRuns(workspace.id, scenario.id, {
      runs: [...inside, outside].map((contact) => ({ contactId: contact.id })),
    });
    expect(results.at(-1)?.reason).toBe("not in the audience");
    const started = results.slice(0, -1).map((row) => row.run!);
    const held = started.filter((run) => run.holdout === "control_group");
    // About half are held out (stable per contact), and they got no mail.
    expect(held.length).toBeGreaterThan(5);
    expect(held.length).toBeLessThan(35);
    const mailed = await db().message.count({ where: { workspaceId: workspace.id } });
    expect(mailed).toBe(started.length - held.length);
  });
});

describe("startScenarioRuns over GraphQL", () => {
  it("answers a row per contact, and a key without the scope may not start runs", async () => {
    const shop = await createTestShop(api);
    await updateEmailSettings(shop.id, {
      fromEmail: "hi@shop.example",
      postalAddress: "1 Main St",
    });
    const template = await createFlowTemplate(shop.id, "Hello");
    const scenario = await liveScenario(shop.id, {
      trigger: { kind: "api" },
      start: "mail",
      nodes: [{ id: "mail", kind: "send_email", templateId: template.id }],
    });
    const ada = await createMailContact(shop.id);
    const mutation = `mutation($input: StartScenarioRunsInput!) {
      startScenarioRuns(input: $input) {
        __typename
        ... on MutationStartScenarioRunsSuccess { result { startedCount rows { contactId notStartedReason run { status trigger } } } }
        ... on InvalidInputError { problems { path message } }
        ... on Error { message }
      }
    }`;
    const input = {
      scenarioId: encodeGlobalID("Scenario", scenario.id),
      runs: [
        { contactId: encodeGlobalID("Contact", ada.id), payload: { coupon: "TEN" } },
        { contactId: encodeGlobalID("Contact", ada.id) },
      ],
    };
    const answer = await api.data(mutation, { input }, shop.secretKey);
    expect(answer.startScenarioRuns.result).toMatchObject({
      startedCount: 1,
      rows: [
        {
          contactId: encodeGlobalID("Contact", ada.id),
          notStartedReason: null,
          run: { status: "COMPLETED", trigger: { properties: { coupon: "TEN" } } },
        },
        { notStartedReason: "listed twice in this call", run: null },
      ],
    });
    const wrongType = await api.data(
      mutation,
      { input: { ...input, runs: [{ contactId: input.scenarioId }] } },
      shop.secretKey,
    );
    expect(wrongType.startScenarioRuns.problems[0].path).toEqual(["runs", "0", "contactId"]);
    const reader = await shop.makeKey("SECRET", ["SCENARIOS_READ"]);
    const refused = await api.data(mutation, { input }, reader.key);
    expect(refused.startScenarioRuns.__typename).toBe("ForbiddenError");
  });
});
