import { createWorkspace, db, upsertContact } from "@cartwheel/api/domain";
import { runOnce } from "graphile-worker";
import { expect, it } from "vitest";
import { taskList } from "../src/task-list.ts";

const day = 86_400_000;

it("decide_split_winners gives a split whose end date has passed its leading branch, never the holdout", async () => {
  const workspace = await createWorkspace({ name: "Shop" });
  const definition = {
    version: 1,
    trigger: { kind: "api" },
    start: "ab",
    nodes: [
      {
        id: "ab",
        kind: "split",
        branches: [
          { name: "A", weight: 1 },
          { name: "B", weight: 1 },
          { name: "H", weight: 1, holdout: true },
        ],
        experiment: {
          metric: "conversion",
          windowHours: 24,
          confidence: 0.95,
          endsAt: new Date(Date.now() - day).toISOString(),
          autoSelect: true,
        },
      },
    ],
  };
  const scenario = await db().scenario.create({
    data: { workspaceId: workspace.id, name: "A/B", definition, status: "LIVE" },
  });
  const version = await db().scenarioVersion.create({
    data: { scenarioId: scenario.id, workspaceId: workspace.id, version: 1, definition },
  });
  await db().scenario.update({
    where: { id_workspaceId: { workspaceId: scenario.workspaceId, id: scenario.id } },
    data: { liveVersionId: version.id },
  });
  const entered = new Date(Date.now() - 3 * day);
  // A: 1 of 3 bought, B: 2 of 3, the holdout H: 3 of 3.
  for (const [branch, buyers] of [
    ["A", 1],
    ["B", 2],
    ["H", 3],
  ] as const) {
    for (let i = 0; i < 3; i++) {
      const { contact } = await upsertContact(workspace.id, { email: `${branch}${i}@example.com` });
      const run = await db().scenarioRun.create({
        data: {
          workspaceId: workspace.id,
          scenarioId: scenario.id,
          versionId: version.id,
          contactId: contact.id,
          trigger: {},
          startedAt: entered,
          status: "COMPLETED",
        },
      });
      await db().scenarioStep.create({
        data: {
          runId: run.id,
          workspaceId: workspace.id,
          scenarioId: scenario.id,
          seq: 1,
          nodeId: "ab",
          kind: "split",
          enteredAt: entered,
          leftAt: entered,
          output: branch,
        },
      });
      if (i < buyers) {
        await db().order.create({
          data: {
            workspaceId: workspace.id,
            contactId: contact.id,
            shopOrderId: `${branch}-${i}`,
            currency: "USD",
            total: 2000n,
            orderedAt: new Date(entered.getTime() + 3_600_000),
            statusAt: new Date(entered.getTime() + 3_600_000),
            source: "API",
          },
        });
      }
    }
  }
  await db().$executeRaw`SELECT graphile_worker.add_job('decide_split_winners', '{}'::json)`;
  await runOnce({ connectionString: process.env.DATABASE_URL, taskList });
  const winner = await db().scenarioSplitWinner.findUniqueOrThrow({
    where: {
      workspaceId_scenarioId_nodeId: {
        workspaceId: scenario.workspaceId,
        scenarioId: scenario.id,
        nodeId: "ab",
      },
    },
  });
  expect(winner).toMatchObject({
    branch: "B",
    decidedBy: "experiment",
    reason: "end date reached",
    metric: "conversion",
    applied: true,
  });
  expect(winner.probability).toBeGreaterThan(0.5);
  expect(winner.probability).toBeLessThan(0.95);
});
