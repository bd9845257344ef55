import { type ChildProcess, spawn } from "node:child_process";
import { db, queueEmail } from "@cartwheel/api/domain";
import {
  createEmailWorkspace,
  createMailContact,
  createSimpleTemplate,
  type LocalSes,
  startLocalSes,
} from "@cartwheel/api/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

/**
 * The per-workspace send rate is one Postgres row (`email_send_buckets`), so two worker
 * processes together keep to it: 30 sends at 10 per second take at least 2.9 s between the
 * first and the last claim, whichever process made them (two buckets of their own would take
 * half that). The span is a lower bound that load on the machine can only lengthen. The mail
 * is transactional, whose 10 s slot horizon holds every slot of the 3 s: no send is deferred.
 * Jobs wait up to 3 s for their slot, locked, while each process's dead-worker recovery hands
 * back jobs locked over 1 s without a heartbeat: none may be taken from a live process.
 */

const ratePerSecond = 10;
const sends = 30;
let ses: LocalSes;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  ses = await startLocalSes();
});
afterAll(async () => {
  for (const worker of workers) worker.kill("SIGKILL");
  await ses.close();
});

/** `npm start`'s worker process; settles once it takes jobs. */
function startWorkerProcess(): Promise<void> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", new URL("../src/main.ts", import.meta.url).pathname],
    {
      env: {
        ...process.env,
        SES_ENDPOINT: ses.endpoint,
        WORKER_CONCURRENCY: "8",
        WORKER_EMAIL_FAST_LANE_CONCURRENCY: "0",
        WORKER_DEAD_AFTER_SECONDS: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  workers.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    const read = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (output.includes("cartwheel worker: running")) resolve();
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("exit", (code) => reject(new Error(`worker exited (${code}): ${output}`)));
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("keeps two worker processes together to the workspace's send rate", async () => {
  await Promise.all([startWorkerProcess(), startWorkerProcess()]);

  const { workspace } = await createEmailWorkspace({ sendRatePerSecond: ratePerSecond });
  const contact = await createMailContact(workspace.id);
  const template = await createSimpleTemplate(workspace.id, "TRANSACTIONAL");
  const messageIds: string[] = [];
  for (let i = 0; i < sends; i++) {
    const { message } = await queueEmail(workspace.id, {
      templateId: template.id,
      contactId: contact.id,
      idempotencyKey: `rate-${i}`,
    });
    messageIds.push(message.id);
  }

  const lockers = new Set<string>();
  const deadline = Date.now() + 90_000;
  for (;;) {
    const locked = await db().$queryRaw<{ locked_by: string }[]>`
      SELECT DISTINCT locked_by FROM graphile_worker._private_jobs WHERE locked_by IS NOT NULL`;
    for (const row of locked) lockers.add(row.locked_by);
    const sent = await db().message.count({ where: { id: { in: messageIds }, status: "SENT" } });
    if (sent === sends) break;
    if (Date.now() > deadline) {
      const state = await db().$queryRaw`
        SELECT m.status, m.status_reason, j.run_at, j.payload, j.attempts, left(j.last_error, 300) AS last_error
          FROM messages m LEFT JOIN graphile_worker._private_jobs j ON j.key = 'send_email:' || m.id
         WHERE m.id = ANY(${messageIds}::uuid[]) AND m.status <> 'SENT'`;
      throw new Error(`only ${sent} of ${sends} sent in 90 s: ${JSON.stringify(state)}`);
    }
    await pause(20);
  }

  // One graphile-worker pool per process (no fast lane): both processes took jobs.
  expect(lockers.size).toBe(2);
  const claims = await db().message.findMany({
    where: { id: { in: messageIds } },
    select: { sendingAt: true },
    orderBy: { sendingAt: "asc" },
  });
  const first = claims[0]!.sendingAt!.getTime();
  const last = claims.at(-1)!.sendingAt!.getTime();
  expect(last - first).toBeGreaterThanOrEqual(((sends - 1) * 1000) / ratePerSecond - 50);
  expect(await ses.emails(contact.email!)).toHaveLength(sends);
}, 120_000);
