import {
  createScenario,
  createTag,
  createWorkspace,
  db,
  publishScenario,
  queueDueWakes,
  startScenarioRuns,
} from "@cartwheel/api/domain";
import { runOnce } from "graphile-worker";
import { expect, it } from "vitest";
import { taskList } from "../src/task-list.ts";

const minute = 60_000;
const runAll = () => runOnce({ connectionString: process.env.DATABASE_URL, taskList });

it("the sweep wakes runs due together with one batch job, and each run moves on once", async () => {
  const workspace = await createWorkspace({ name: "Timers" });
  const contacts = await db().$queryRaw<{ id: string }[]>`
    INSERT INTO contacts (workspace_id, email)
    SELECT ${workspace.id}::uuid, 'timer' || g || '@example.com' FROM generate_series(1, 250) g
    RETURNING id::text`;
  await createTag(workspace.id, "woken");
  const draft = await createScenario(workspace.id, {
    name: "Wait, then tag",
    definition: {
      version: 1,
      trigger: { kind: "api" },
      start: "wait",
      nodes: [
        { id: "wait", kind: "delay", duration: { minutes: 5 }, next: "tag" },
        { id: "tag", kind: "add_tag", tag: "woken" },
      ],
    },
  });
  const scenario = await publishScenario(workspace.id, draft.id);
  // Started ten minutes ago (by the injected clock): every delay ended five minutes ago, and
  // none was queued when it began (five minutes is beyond the two-minute horizon).
  const results = await startScenarioRuns(
    workspace.id,
    scenario.id,
    { runs: contacts.map((contact) => ({ contactId: contact.id })) },
    { now: new Date(Date.now() - 10 * minute) },
  );
  expect(results.every((row) => row.run?.status === "WAITING" && !row.run.wakeQueued)).toBe(true);

  expect(await queueDueWakes(db(), new Date())).toBe(250);
  expect(await queueDueWakes(db(), new Date())).toBe(0);
  const jobs = await db().$queryRaw<{ entries: number }[]>`
    SELECT json_array_length(j.payload)::int AS entries FROM graphile_worker._private_jobs j
      JOIN graphile_worker._private_tasks t ON t.id = j.task_id
     WHERE t.identifier = 'advance_scenario_runs' ORDER BY entries DESC`;
  // Due in the same half second: batches of at most 200.
  expect(jobs.map((job) => job.entries)).toEqual([200, 50]);

  await runAll();
  const runs = await db().scenarioRun.findMany({
    where: { scenarioId: scenario.id },
    include: { history: { orderBy: { seq: "asc" } } },
  });
  expect(runs.filter((run) => run.status === "COMPLETED")).toHaveLength(250);
  for (const run of runs) {
    expect(run.history.map((step) => [step.nodeId, step.output])).toEqual([
      ["wait", "next"],
      ["tag", "next"],
    ]);
  }
  expect(await db().contactTag.count({ where: { workspaceId: workspace.id } })).toBe(250);

  // The same wake-ups queued again (a sweep after a crash) change nothing.
  await db().$executeRaw`SELECT graphile_worker.add_job('advance_scenario_runs',
    ${JSON.stringify(runs.slice(0, 20).map((run) => ({ runId: run.id })))}::json)`;
  await runAll();
  const again = await db().scenarioStep.count({ where: { scenarioId: scenario.id } });
  expect(again).toBe(500);
});
