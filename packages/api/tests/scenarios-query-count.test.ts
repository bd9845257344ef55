import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { startScenario, startScenarioRuns } from "../src/domain/scenarios/runs/start-scenario.ts";
import { createFlowTemplate, fourStepDefinition, liveScenario } from "./scenario-fixtures.ts";
import { createEmailWorkspace, createMailContact } from "./support/email-factories.ts";

const originalQuery = pg.Client.prototype.query;
afterEach(() => {
  pg.Client.prototype.query = originalQuery;
});

/** The SQL statements `work` sends, transaction control left out. */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const recorded: string[] = [];
  pg.Client.prototype.query = function recordingQuery(this: pg.Client, ...args: unknown[]) {
    const config = args[0] as string | { text?: string };
    const text = typeof config === "string" ? config : config?.text;
    if (text && !/^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/.test(text)) recorded.push(text);
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = originalQuery;
  }
  return recorded.map((text) => text.replace(/\s+/g, " ").slice(0, 160));
}

describe("the engine's round trips", () => {
  it("starts a four-step run (send, condition, split, send) in a bounded number of statements", async () => {
    const { workspace } = await createEmailWorkspace();
    const template = await createFlowTemplate(workspace.id, "Hi", "TRANSACTIONAL");
    const scenario = await liveScenario(workspace.id, fourStepDefinition(template.id));
    const warm = await createMailContact(workspace.id);
    await startScenario(workspace.id, scenario.id, warm.id, { payload: {} });
    const ada = await createMailContact(workspace.id);
    const statements = await statementsOf(() =>
      startScenario(workspace.id, scenario.id, ada.id, { payload: {} }),
    );
    // Locks, the run's insert and read-back, contact, scenario, settings; per send the template,
    // the message and its job; the condition's query; the split's winner, if one was chosen; the
    // workspace's holdout salt and control group; the new steps in one insert; the run's update.
    expect(statements.length, statements.join("\n")).toBeLessThanOrEqual(20);
  });

  it("starts runs in bulk at about one statement per run: the condition's query", async () => {
    const { workspace } = await createEmailWorkspace();
    const template = await createFlowTemplate(workspace.id, "Hi");
    const scenario = await liveScenario(workspace.id, fourStepDefinition(template.id));
    const contacts = await Promise.all(
      Array.from({ length: 61 }, () => createMailContact(workspace.id)),
    );
    const start = (some: typeof contacts) =>
      statementsOf(() =>
        startScenarioRuns(workspace.id, scenario.id, {
          runs: some.map((contact) => ({ contactId: contact.id })),
        }),
      );
    await start(contacts.slice(60)); // warms the caches (the scenario's version)
    const ten = await start(contacts.slice(0, 10));
    const fifty = await start(contacts.slice(10, 60));
    // Everything but the condition is read or written once for the whole call.
    expect(ten.length, ten.join("\n")).toBeLessThanOrEqual(25 + 10);
    expect(fifty.length - ten.length).toBe(40);
    expect(await db().message.count({ where: { workspaceId: workspace.id } })).toBe(122);
  });
});
