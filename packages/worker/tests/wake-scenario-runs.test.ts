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

it("a batch that fails is advanced run by run: the good runs move on, only the bad ones are retried", async () => {
  const workspace = await createWorkspace({ name: "Mixed timers" });
  const contacts = await db().$queryRaw<{ id: string }[]>`
    INSERT INTO contacts (workspace_id, email)
    SELECT ${workspace.id}::uuid, 'mixed' || g || '@example.com' FROM generate_series(1, 6) g
    RETURNING id::text`;
  const waitThenEnd = async (name: string) => {
    const draft = await createScenario(workspace.id, {
      name,
      definition: {
        version: 1,
        trigger: { kind: "api" },
        start: "wait",
        nodes: [{ id: "wait", kind: "delay", duration: { minutes: 5 } }],
      },
    });
    return publishScenario(workspace.id, draft.id);
  };
  const good = await waitThenEnd("Good");
  const bad = await waitThenEnd("Bad");
  const start = (scenarioId: string, some: { id: string }[]) =>
    startScenarioRuns(
      workspace.id,
      scenarioId,
      { runs: some.map((contact) => ({ contactId: contact.id })) },
      { now: new Date(Date.now() - 10 * minute) },
    );
  const goodRuns = (await start(good.id, contacts.slice(0, 3))).map((row) => row.run!.id);
  const badRuns = (await start(bad.id, contacts.slice(3))).map((row) => row.run!.id);
  // The bad runs moved onto a version row that cannot be read as a definition (one this process
  // never cached): their advance throws.
  await db().$executeRaw`
    WITH broken AS (
      INSERT INTO scenario_versions (workspace_id, scenario_id, version, definition)
      VALUES (${workspace.id}::uuid, ${bad.id}::uuid, 99, '{"nodes": 5}'::jsonb) RETURNING id)
    UPDATE scenario_runs SET version_id = broken.id FROM broken
     WHERE scenario_runs.id = ANY(${badRuns}::uuid[])`;

  const entries = [...goodRuns, ...badRuns].map((runId) => ({ runId }));
  const outcomes = await Promise.allSettled(
    (await taskList.advance_scenario_runs(entries, {} as never)) as Promise<unknown>[],
  );
  expect(outcomes.map((outcome) => outcome.status)).toEqual([
    ...goodRuns.map(() => "fulfilled"),
    ...badRuns.map(() => "rejected"),
  ]);
  const status = async (ids: string[]) =>
    (await db().scenarioRun.findMany({ where: { id: { in: ids } } })).map((run) => run.status);
  expect(await status(goodRuns)).toEqual(["COMPLETED", "COMPLETED", "COMPLETED"]);
  expect(await status(badRuns)).toEqual(["WAITING", "WAITING", "WAITING"]);
});
