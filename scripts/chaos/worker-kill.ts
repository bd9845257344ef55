/**
 * Kill -9 of the worker during marketing sends. Each trial queues `CHAOS_SENDS` marketing
 * emails (one per contact) for the real worker process (`packages/worker/src/main.ts`), which
 * sends them to the local SES API (run as a child process). The worker is SIGKILLed at random
 * moments `CHAOS_KILLS` times and started again each time; a last worker then finishes the
 * queue. Counted over all trials:
 * - double sends: a recipient with more than one mail at SES (goal 0);
 * - stuck: messages still QUEUED or SENDING once the last worker has drained the queue (goal 0);
 * - the window that cannot be closed: a kill after a message was marked SENDING and before SES's
 *   answer was recorded. The restarted job does not send it again (SES may have accepted it); it
 *   marks it FAILED with an `INTERRUPTED` reason, and an SES delivery notification for it (matched
 *   by the X-Cartwheel-Message-Id header) sets it SENT later. Split here by whether the mail
 *   reached SES (delivered but recorded as failed until that notification) or not (lost).
 *
 *   npm run chaos                                          (4 trials × 300 sends, 3 kills each)
 *   CHAOS_TRIALS=100 CHAOS_SENDS=1000 npm run chaos -- worker-kill       (the issue's figure)
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createBenchDatabase } from "../../bench/support/bench-database.ts";
import { startLocalSesProcess } from "../../bench/support/local-ses-process.ts";
import { describeMachine } from "../../bench/support/machine.ts";
import { address, sesMails } from "./support/ses-mails.ts";

const trials = Number(process.env.CHAOS_TRIALS ?? 4);
const sends = Number(process.env.CHAOS_SENDS ?? 300);
const killsPerTrial = Number(process.env.CHAOS_KILLS ?? 3);
const sendRate = Number(process.env.CHAOS_SEND_RATE ?? 400);
const concurrency = Number(process.env.CHAOS_WORKER_CONCURRENCY ?? 10);
/** A message not finished while the queue has not moved for this long is stuck. */
const stallSeconds = Number(process.env.CHAOS_STALL_SECONDS ?? 60);

const workerMain = path.resolve(import.meta.dirname, "../../packages/worker/src/main.ts");
const database = await createBenchDatabase("chaos_worker_kill");
const ses = await startLocalSesProcess();
process.env.DATABASE_URL = database.url;
process.env.SES_ENDPOINT = ses.endpoint;
const domain = await import("@cartwheel/api/domain");

/** The worker as `npm start` runs it, in its own process; `ready` once it takes jobs. */
function startWorkerProcess(): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ["--import", "tsx", workerMain], {
    env: {
      ...process.env,
      WORKER_CONCURRENCY: String(concurrency),
      WORKER_DEAD_AFTER_SECONDS: "1",
      NODE_NO_WARNINGS: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const ready = new Promise<void>((resolve, reject) => {
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-5_000);
      if (log.includes("cartwheel worker: running")) resolve();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.once("exit", (code, signal) =>
      reject(new Error(`worker exited before it ran (${code ?? signal}): ${log}`)),
    );
  });
  ready.catch(() => {});
  return { child, ready };
}

async function kill(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function statuses(workspaceId: string) {
  const { rows } = await domain.pool().query<{ status: string; reason: string | null; n: number }>(
    `SELECT status, split_part(status_reason, ':', 1) AS reason, count(*)::int AS n
       FROM messages WHERE workspace_id = $1 GROUP BY 1, 2`,
    [workspaceId],
  );
  return rows;
}

const totals = {
  sends: 0,
  kills: 0,
  killsWithSendInFlight: 0,
  doubleSends: 0,
  stuck: 0,
  sent: 0,
  interruptedDelivered: 0,
  interruptedLost: 0,
  sentNotAtSes: 0,
  otherFailures: 0,
};
let worker: ChildProcess | null = null;
let trialsDone = 0;

function report(seconds: number) {
  console.log(
    `\n${trialsDone} trials, ${totals.sends} sends, ${totals.kills} SIGKILLs (${totals.killsWithSendInFlight} left a message SENDING) in ${seconds.toFixed(0)} s`,
  );
  console.log(`double sends                      ${totals.doubleSends} (goal 0)`);
  console.log(`stuck after restart               ${totals.stuck} (goal 0)`);
  console.log(`sent and recorded SENT            ${totals.sent}`);
  console.log(`SENT without a mail at SES        ${totals.sentNotAtSes} (goal 0)`);
  console.log(
    `killed in the open window         ${totals.interruptedDelivered + totals.interruptedLost}: ${totals.interruptedDelivered} reached SES (FAILED INTERRUPTED until SES's delivery notification sets them SENT), ${totals.interruptedLost} never reached SES (lost, not resent)`,
  );
  console.log(`other failures                    ${totals.otherFailures} (goal 0)`);
}

// Stopped early (Ctrl-C): report the trials finished, and leave no worker or database behind.
const runStarted = performance.now();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    report((performance.now() - runStarted) / 1000);
    worker?.kill("SIGKILL");
    void Promise.allSettled([ses.stop(), database.drop()]).then(() => process.exit(130));
  });
}

try {
  console.log(`machine: ${describeMachine()}`);
  console.log(
    `${trials} trials × ${sends} marketing sends, ${killsPerTrial} SIGKILLs each, send rate ${sendRate}/s, worker concurrency ${concurrency}`,
  );
  const started = performance.now();
  for (let trial = 0; trial < trials; trial++) {
    await ses.clear();
    const workspace = await domain.createWorkspace({ name: `Chaos ${trial}` });
    await domain.updateEmailSettings(workspace.id, {
      shopName: "Northwind Goods",
      shopUrl: "https://northwind.example",
      postalAddress: "410 Terry Ave N, Seattle, WA 98109",
      fromEmail: "hello@northwind.example",
      sendRatePerSecond: sendRate,
    });
    const template = await domain.createTemplate(workspace.id, {
      name: "Autumn sale",
      kind: "MARKETING",
      subject: "Autumn sale, {{ contact.first_name }}",
      html: "<p>Hello {{ contact.first_name }}, everything is 20% off this week.</p>",
    });
    const { rows: contacts } = await domain.pool().query<{ id: string }>(
      `INSERT INTO contacts (workspace_id, email, first_name, consent_status)
       SELECT $1, 't' || $3::int || '-c' || g || '@chaos.example', 'Ada' || g, 'SUBSCRIBED'
         FROM generate_series(1, $2::int) g RETURNING id`,
      [workspace.id, sends, trial],
    );
    for (let offset = 0; offset < sends; offset += 5000) {
      await domain.queueEmails(workspace.id, {
        templateId: template.id,
        recipients: contacts.slice(offset, offset + 5000).map((contact, i) => ({
          contactId: contact.id,
          idempotencyKey: `autumn-${offset + i}`,
        })),
      });
    }

    // Kills at random moments once sending is under way (a start takes about a second).
    const count = async (statuses: string[]) =>
      (
        await domain
          .pool()
          .query<{ n: number }>(
            "SELECT count(*)::int AS n FROM messages WHERE workspace_id = $1 AND status = ANY($2::message_status[])",
            [workspace.id, statuses],
          )
      ).rows[0]?.n ?? 0;
    const unfinished = () => count(["QUEUED", "SENDING"]);
    for (let n = 0; n < killsPerTrial; n++) {
      const left = await unfinished();
      if (left === 0) break;
      const launched = startWorkerProcess();
      worker = launched.child;
      await launched.ready;
      const deadline = Date.now() + 30_000;
      while ((await unfinished()) >= left && Date.now() < deadline) await pause(10);
      await pause(Math.random() * Math.min((left / sendRate) * 1000, 2_000));
      await kill(worker, "SIGKILL");
      totals.kills += 1;
      // The dead process can no longer finish these: each is a kill inside the open window.
      if ((await count(["SENDING"])) > 0) totals.killsWithSendInFlight += 1;
    }

    // A last worker finishes: the dead ones' locked jobs come back to it after a second.
    const last = startWorkerProcess();
    worker = last.child;
    await last.ready;
    // Done when nothing is left; stuck when what is left stops moving for `stallSeconds`.
    let left = await unfinished();
    let movedAt = Date.now();
    while (left > 0 && Date.now() - movedAt < stallSeconds * 1000) {
      await pause(100);
      const now = await unfinished();
      if (now !== left) movedAt = Date.now();
      left = now;
    }
    await kill(worker, "SIGTERM");
    worker = null;

    const mails = await sesMails(ses.endpoint);
    const perRecipient = new Map<string, number>();
    for (const mail of mails) {
      for (const to of mail.destination.to.map(address)) {
        perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
      }
    }
    const { rows: messages } = await domain.pool().query<{
      status: string;
      reason: string | null;
      to: string;
    }>(
      "SELECT status, status_reason AS reason, to_email AS to FROM messages WHERE workspace_id = $1",
      [workspace.id],
    );
    let trialDoubles = 0;
    let trialStuck = 0;
    let trialInterrupted = 0;
    for (const message of messages) {
      const atSes = perRecipient.get(address(message.to)) ?? 0;
      if (atSes > 1) trialDoubles += atSes - 1;
      if (message.status === "QUEUED" || message.status === "SENDING") trialStuck += 1;
      else if (message.status === "SENT") {
        totals.sent += 1;
        if (atSes === 0) totals.sentNotAtSes += 1;
      } else if (/^(INTERRUPTED|UNCERTAIN)/.test(message.reason ?? "")) {
        trialInterrupted += 1;
        if (atSes > 0) totals.interruptedDelivered += 1;
        else totals.interruptedLost += 1;
      } else totals.otherFailures += 1;
    }
    totals.sends += sends;
    totals.doubleSends += trialDoubles;
    totals.stuck += trialStuck;
    console.log(
      `trial ${++trialsDone}: ${mails.length} mails at SES, double sends ${trialDoubles}, stuck ${trialStuck}, interrupted ${trialInterrupted}; ${(await statuses(workspace.id)).map((row) => `${row.status}${row.reason ? ` ${row.reason}` : ""} ${row.n}`).join(", ")}`,
    );
  }
  report((performance.now() - started) / 1000);
  if (
    totals.doubleSends > 0 ||
    totals.stuck > 0 ||
    totals.sentNotAtSes > 0 ||
    totals.otherFailures > 0
  ) {
    process.exitCode = 1;
  }
} finally {
  if (worker) await kill(worker, "SIGKILL");
  domain.closeEmailSender();
  await domain.disconnectDatabase();
  await ses.stop();
  await database.drop();
}
