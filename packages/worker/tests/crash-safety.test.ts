import { type ChildProcess, spawn } from "node:child_process";
import {
  createScenario,
  createTag,
  createTemplate,
  db,
  ingestEvents,
  publishScenario,
} from "@cartwheel/api/domain";
import {
  createEmailWorkspace,
  createMailContact,
  type LocalSes,
  startLocalSes,
} from "@cartwheel/api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The worker process is killed with SIGKILL at random moments while 200 scenario runs go through
 * sends, tags, scores, a condition and a split. Every run must still finish, each send node with
 * exactly one message and at most one mail at SES, each internal action once.
 */

const runCount = 200;
const kills = Number(process.env.CRASH_KILLS ?? 20);
const deadAfterSeconds = 1;

let ses: LocalSes;
let worker: ChildProcess | null = null;
let workerLog = "";

beforeAll(async () => {
  ses = await startLocalSes();
});
afterAll(async () => {
  worker?.kill("SIGKILL");
  await ses.close();
});

/** Starts `npm start`'s worker process; `ready` settles once it takes jobs. */
function startWorkerProcess(): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", new URL("../src/main.ts", import.meta.url).pathname],
    {
      env: {
        ...process.env,
        SES_ENDPOINT: ses.endpoint,
        WORKER_CONCURRENCY: "4",
        WORKER_EMAIL_FAST_LANE_CONCURRENCY: "1",
        WORKER_DEAD_AFTER_SECONDS: String(deadAfterSeconds),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const keep = (chunk: Buffer) => {
    workerLog = (workerLog + chunk.toString()).slice(-20_000);
    if (workerLog.includes("cartwheel worker: running")) markReady();
  };
  workerLog = "";
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.once("exit", markReady);
  return { child, ready };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function killWorker(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

async function unfinishedRuns(scenarioId: string) {
  return db().scenarioRun.count({
    where: { scenarioId, status: { notIn: ["COMPLETED", "CONVERTED", "EXITED", "FAILED"] } },
  });
}

/** A run is done once its last send is queued; the send job itself may still be waiting. */
async function unsettledMessages(workspaceId: string) {
  return db().message.count({ where: { workspaceId, status: { in: ["QUEUED", "SENDING"] } } });
}

/** What a stalled test shows: runs by status and node, and the jobs left. */
async function stateOf(scenarioId: string) {
  const runs = await db().$queryRaw`
    SELECT status, node_id, count(*)::int AS n FROM scenario_runs WHERE scenario_id = ${scenarioId}::uuid
     GROUP BY 1, 2`;
  const jobs = await db().$queryRaw`
    SELECT t.identifier, j.locked_by, j.attempts, j.run_at, left(j.last_error, 200) AS last_error
      FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
     LIMIT 20`;
  const heartbeats = await db().$queryRaw`SELECT * FROM worker_heartbeats`;
  return JSON.stringify({ runs, jobs, heartbeats }, null, 1) + workerLog.slice(-3000);
}

describe("crash safety", () => {
  it("finishes every run exactly once while the worker is SIGKILLed 20 times", async () => {
    const { workspace } = await createEmailWorkspace();
    const template = (name: string) =>
      createTemplate(workspace.id, {
        name,
        kind: "TRANSACTIONAL",
        subject: name,
        html: `<p>${name} for {{ contact.first_name }}</p>`,
      });
    const [first, secondA, secondB] = await Promise.all([
      template("First"),
      template("Second A"),
      template("Second B"),
    ]);
    await createTag(workspace.id, "crash-tested");
    const draft = await createScenario(workspace.id, {
      name: "Crash course",
      definition: {
        version: 1,
        trigger: { kind: "event", event: "Crash Course Started" },
        start: "first",
        nodes: [
          { id: "first", kind: "send_email", templateId: first.id, next: "tag" },
          { id: "tag", kind: "add_tag", tag: "crash-tested", next: "score" },
          { id: "score", kind: "adjust_score", delta: 7, reason: "crash course", next: "check" },
          {
            id: "check",
            kind: "condition",
            filter: { score: { min: 7 } },
            yes: "split",
            no: null,
          },
          {
            id: "split",
            kind: "split",
            branches: [
              { name: "A", weight: 1, next: "second-a" },
              { name: "B", weight: 1, next: "second-b" },
            ],
          },
          { id: "second-a", kind: "send_email", templateId: secondA.id },
          { id: "second-b", kind: "send_email", templateId: secondB.id },
        ],
      },
    });
    const scenario = await publishScenario(workspace.id, draft.id);
    const contacts = [];
    for (let i = 0; i < runCount; i++) contacts.push(await createMailContact(workspace.id));

    // Events arrive in waves while the worker is killed and restarted.
    const waves = 20;
    const perWave = runCount / waves;
    let sent = 0;
    const feed = (async () => {
      for (let wave = 0; wave < waves; wave++) {
        const batch = contacts.slice(wave * perWave, (wave + 1) * perWave);
        const result = await ingestEvents(
          workspace.id,
          batch.map((contact) => ({
            messageId: `crash-${contact.id}`,
            type: "track" as const,
            event: "Crash Course Started",
            properties: {},
            userId: contact.email!,
            timestamp: new Date().toISOString(),
          })),
          { source: "trusted" },
        );
        expect(result.rejected).toEqual([]);
        sent += result.accepted;
        await pause(150);
      }
    })();
    feed.catch(() => {}); // awaited below, after the kills

    let killsHoldingJobs = 0;
    for (let kill = 0; kill < kills; kill++) {
      const started = startWorkerProcess();
      worker = started.child;
      await started.ready;
      await pause(50 + Math.random() * 1000);
      await killWorker(worker);
      const [held] = await db().$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE locked_by IS NOT NULL`;
      if (held && held.n > 0) killsHoldingJobs += 1;
    }
    await feed;
    expect(sent).toBe(runCount);
    // The kills landed mid-job (a job left locked by the dead process), not only between jobs.
    expect(killsHoldingJobs).toBeGreaterThanOrEqual(kills / 4);

    // A last worker finishes the work: the dead ones' locked jobs are handed back to it.
    worker = startWorkerProcess().child;
    const deadline = Date.now() + 120_000;
    while (
      (await db().scenarioRun.count({ where: { scenarioId: scenario.id } })) < runCount ||
      (await unfinishedRuns(scenario.id)) > 0 ||
      (await unsettledMessages(workspace.id)) > 0
    ) {
      if (Date.now() > deadline)
        throw new Error(`runs did not finish: ${await stateOf(scenario.id)}`);
      await pause(250);
    }

    const runs = await db().scenarioRun.findMany({
      where: { scenarioId: scenario.id },
      include: { history: { orderBy: { seq: "asc" } } },
    });
    expect(runs).toHaveLength(runCount);
    expect(runs.filter((run) => run.status !== "COMPLETED")).toEqual([]);
    expect(new Set(runs.map((run) => run.contactId)).size).toBe(runCount);

    const messages = await db().message.findMany({
      where: { workspaceId: workspace.id },
      select: { scenarioRunId: true, scenarioNodeId: true, status: true, statusReason: true },
    });
    // One message per run for "first", one per run for the branch it took.
    expect(messages).toHaveLength(runCount * 2);
    const perStep = new Map<string, number>();
    for (const message of messages) {
      const key = `${message.scenarioRunId}:${message.scenarioNodeId}`;
      perStep.set(key, (perStep.get(key) ?? 0) + 1);
    }
    expect([...perStep.values()].every((count) => count === 1)).toBe(true);
    for (const run of runs) {
      const nodes = run.history.map((step) => step.nodeId);
      expect(nodes.slice(0, 5)).toEqual(["first", "tag", "score", "check", "split"]);
      expect(nodes).toHaveLength(6);
      expect(perStep.get(`${run.id}:first`)).toBe(1);
      expect(perStep.get(`${run.id}:${nodes[5]}`)).toBe(1);
    }

    // Sent, or (a kill between SES's answer and the commit) failed as interrupted: never twice.
    const stuck = messages.filter((m) => m.status !== "SENT");
    for (const message of stuck) expect(message.statusReason).toMatch(/interrupted/i);
    expect(stuck.length).toBeLessThanOrEqual(kills);
    const mails = await ses.emails();
    const perMail = new Map<string, number>();
    for (const mail of mails) {
      const key = `${mail.destination.to.join(",")}:${mail.subject}`;
      perMail.set(key, (perMail.get(key) ?? 0) + 1);
    }
    expect([...perMail.values()].filter((count) => count > 1)).toEqual([]);
    expect(mails.length).toBeGreaterThanOrEqual(runCount * 2 - stuck.length);

    // Internal actions once: one tag each, score exactly 7.
    const tagged = await db().contactTag.count({
      where: { contact: { workspaceId: workspace.id }, tag: { name: "crash-tested" } },
    });
    expect(tagged).toBe(runCount);
    const scores = await db().contact.findMany({
      where: { workspaceId: workspace.id },
      select: { score: true },
    });
    expect(scores.every((contact) => contact.score === 7)).toBe(true);
  }, 300_000);
});
