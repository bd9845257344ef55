/**
 * Scaling past one process: the production command (`scripts/serve.ts`) run with 1 and then 2
 * API processes (ingest through `POST /v1/batch`, no workers running) and with 1 and then 2
 * worker processes (marketing sends through `send_email` to the local SES API, no API running),
 * all in one run against one Postgres. Two process counts at the same per-process concurrency
 * give the scaling factor; one worker process at twice the concurrency separates "more
 * processes" from "more jobs in flight". Every configuration's events and emails are counted
 * back (none lost, none twice), and the CPU the whole machine spent is printed beside each
 * figure, with the CPU the measured processes themselves used (per event or email, and in
 * cores): on a machine with 2 shared cores the load generator, Postgres, local SES and other
 * work compete with them, and a second process can only help with CPU the machine has spare.
 *
 *   DATABASE_URL=postgres://… npx tsx bench/scale.ts
 *   (BENCH_SCALE_EVENTS=15000, BENCH_SCALE_EMAILS=1500 by default)
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createBenchDatabase } from "./support/bench-database.ts";
import { freePort } from "./support/free-port.ts";
import { startLocalSesProcess } from "./support/local-ses-process.ts";
import { describeMachine } from "./support/machine.ts";
import { formatRate } from "./support/stats.ts";
import { waitUntil } from "./support/wait.ts";

const eventsPerRun = Number(process.env.BENCH_SCALE_EVENTS ?? 15_000);
const emailsPerRun = Number(process.env.BENCH_SCALE_EMAILS ?? 1_500);
const workerConcurrency = 16;
const batchSize = 20;
const inFlight = 32;
const origin = "https://bench-shop.example";
const timeLimitMs = 240_000;
const repoRoot = path.resolve(import.meta.dirname, "..");

const guard = setTimeout(() => {
  console.error(`scale bench: over ${timeLimitMs / 1000} s, giving up`);
  process.exit(1);
}, timeLimitMs);
guard.unref();

/** Busy share of every core since `since` (from the kernel's counters), 0–1. */
function cpuMeter() {
  const sample = () =>
    os.cpus().reduce(
      (sum, cpu) => {
        const total = Object.values(cpu.times).reduce((a, b) => a + b, 0);
        return { busy: sum.busy + total - cpu.times.idle, total: sum.total + total };
      },
      { busy: 0, total: 0 },
    );
  const start = sample();
  return () => {
    const end = sample();
    return (end.busy - start.busy) / Math.max(1, end.total - start.total);
  };
}

/** CPU seconds (user + system) used so far by `root` and every process under it, from /proc. */
function treeCpuSeconds(root: number): number {
  const ticksPerSecond = 100;
  const cpuOf = (pid: number) => {
    try {
      // Fields after the command name: state is 3rd, utime 14th and stime 15th of the line.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    } catch {
      return 0;
    }
  };
  const childrenOf = (pid: number): number[] => {
    try {
      return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
        .split("\n")
        .map((line) => Number(line.trim()))
        .filter((child) => child > 0);
    } catch {
      return [];
    }
  };
  const walk = (pid: number): number =>
    cpuOf(pid) + childrenOf(pid).reduce((sum, child) => sum + walk(child), 0);
  return walk(root);
}

/** `npm run serve` as production runs it, until `stop()`. */
async function startServe(options: {
  apiProcesses: number;
  workers: number;
  env: Record<string, string>;
}) {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...options.env,
      CARTWHEEL_API_PROCESSES: String(options.apiProcesses),
      CARTWHEEL_WORKERS: String(options.workers),
      PORT: String(port),
      HOST: "127.0.0.1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let ready = false;
  const count = (text: string) => output.split(text).length - 1;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready) output = output.slice(-20_000);
      if (
        count("cartwheel api: GraphQL") === options.apiProcesses &&
        count("cartwheel worker: running") === options.workers
      ) {
        ready = true;
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`serve exited early (${code}):\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    /** CPU seconds the measured processes have used so far. */
    cpuSeconds: () => treeCpuSeconds(child.pid!),
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners("exit");
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

function makeBatches(prefix: string, count: number) {
  const now = Date.now();
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < count; i += batchSize) {
    batches.push(
      Array.from({ length: Math.min(batchSize, count - i) }, (_, j) => ({
        messageId: `${prefix}-${i + j}`,
        type: "track",
        event: "Product Viewed",
        properties: { productId: `p${(i + j) % 50}`, price: 10 + ((i + j) % 40) },
        anonymousId: `visitor-${(i + j) % 2000}`,
        timestamp: new Date(now - count + i + j).toISOString(),
        context: { page: { url: `${origin}/products/p${(i + j) % 50}` }, userAgent: "bench" },
      })),
    );
  }
  return batches;
}

async function ingestRun(url: string, writeKey: string, prefix: string, count: number) {
  const batches = makeBatches(prefix, count);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const response = await fetch(`${url}/v1/batch`, {
          method: "POST",
          headers: { "content-type": "text/plain;charset=UTF-8", origin },
          body: JSON.stringify({ writeKey, sentAt: new Date().toISOString(), batch }),
        });
        const text = await response.text();
        if (!response.ok) throw new Error(`/v1/batch answered ${response.status}: ${text}`);
        if ((JSON.parse(text) as { accepted: number }).accepted !== batch.length) {
          throw new Error(`/v1/batch did not accept the whole batch: ${text}`);
        }
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

const database = await createBenchDatabase("scale");
const ses = await startLocalSesProcess();
const adminKey = `cw_admin_${randomBytes(16).toString("hex")}`;
process.env.DATABASE_URL = database.url;
const domain = await import("@cartwheel/api/domain");
const serveEnv = {
  DATABASE_URL: database.url,
  CARTWHEEL_ADMIN_KEY: adminKey,
  SES_ENDPOINT: ses.endpoint,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "local",
  AWS_SECRET_ACCESS_KEY: "local",
  CARTWHEEL_INGEST_RATE_PER_SECOND: "1000000",
  CARTWHEEL_INGEST_RATE_BURST: "1000000",
};

try {
  console.log(`machine: ${describeMachine()}; load average before ${os.loadavg()[0]!.toFixed(2)}`);
  const workspace = await domain.createWorkspace({ name: "Bench shop", allowedOrigins: [origin] });
  const { plaintext: writeKey } = await domain.createApiKey({
    workspaceId: workspace.id,
    name: "storefront",
    kind: "PUBLIC",
  });

  const ingest: { processes: number; rate: number; cpu: number; ownCpuMs: number }[] = [];
  for (const processes of [1, 2]) {
    const serve = await startServe({ apiProcesses: processes, workers: 0, env: serveEnv });
    await ingestRun(serve.url, writeKey, `warm${processes}`, 2_000);
    const cpu = cpuMeter();
    const cpuBefore = serve.cpuSeconds();
    const rate = await ingestRun(serve.url, writeKey, `run${processes}`, eventsPerRun);
    const ownCpuMs = ((serve.cpuSeconds() - cpuBefore) * 1000) / eventsPerRun;
    ingest.push({ processes, rate, cpu: cpu(), ownCpuMs });
    await serve.stop();
  }
  const { rows: stored } = await domain.pool().query<{ prefix: string; n: number }>(
    `SELECT split_part(message_id, '-', 1) AS prefix, count(*)::int AS n FROM events
      WHERE workspace_id = $1 AND message_id LIKE 'run%' GROUP BY 1 ORDER BY 1`,
    [workspace.id],
  );

  // The send runs measure sends alone: the ingest runs' process_event jobs are dropped.
  await domain.pool().query(
    `DELETE FROM graphile_worker._private_jobs
      WHERE task_id IN (SELECT id FROM graphile_worker._private_tasks
                        WHERE identifier IN ('process_event', 'process_events'))`,
  );

  await domain.updateEmailSettings(workspace.id, {
    shopName: "Northwind Goods",
    shopUrl: "https://northwind.example",
    postalAddress: "410 Terry Ave N, Seattle, WA 98109",
    fromEmail: "hello@northwind.example",
    sendRatePerSecond: 10_000,
  });
  const { templates } = await domain.installTemplateLibrary(workspace.id, { keys: ["welcome"] });
  const sendConfigs = [
    { processes: 1, concurrency: workerConcurrency },
    { processes: 2, concurrency: workerConcurrency },
    { processes: 1, concurrency: 2 * workerConcurrency },
  ];
  const sends: {
    processes: number;
    concurrency: number;
    rate: number;
    cpu: number;
    ownCpuMs: number;
  }[] = [];
  const queueWelcomes = async (label: string, count: number) => {
    const { rows: contacts } = await domain.pool().query<{ id: string }>(
      `INSERT INTO contacts (workspace_id, email, first_name, consent_status)
       SELECT $1, 'c-' || $3 || '-' || g || '@bench.example', 'Ada', 'SUBSCRIBED'
         FROM generate_series(1, $2::int) g RETURNING id`,
      [workspace.id, count, label],
    );
    const { messageIds } = await domain.queueEmails(workspace.id, {
      templateId: templates[0]!.id,
      recipients: contacts.map((contact, i) => ({
        contactId: contact.id,
        data: {},
        idempotencyKey: `welcome-${label}-${i}`,
      })),
    });
    return messageIds;
  };
  const countByStatus = async (messageIds: string[], statuses: string[]) =>
    (
      await domain
        .pool()
        .query<{ n: number }>(
          "SELECT count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[]) AND status = ANY($2::message_status[])",
          [messageIds, statuses],
        )
    ).rows[0]!.n;
  const done = ["SENT", "FAILED", "SUPPRESSED"];
  for (const [index, config] of sendConfigs.entries()) {
    const serve = await startServe({
      apiProcesses: 0,
      workers: config.processes,
      env: { ...serveEnv, WORKER_CONCURRENCY: String(config.concurrency) },
    });
    const waitForAll = async (messageIds: string[], limitMs: number) =>
      waitUntil(
        async () => (await countByStatus(messageIds, done)) >= messageIds.length,
        limitMs,
      ).catch((error: unknown) => {
        console.error(serve.output().slice(-3000));
        throw error;
      });
    // Warm up (template compile, SES client, JIT) in every process, then measure.
    await waitForAll(await queueWelcomes(`warm${index}`, 100), 30_000);
    await ses.clear();
    const messageIds = await queueWelcomes(`run${index}`, emailsPerRun);
    const cpu = cpuMeter();
    const cpuBefore = serve.cpuSeconds();
    const started = performance.now();
    await waitForAll(messageIds, 90_000);
    const rate = messageIds.length / ((performance.now() - started) / 1000);
    const ownCpuMs = ((serve.cpuSeconds() - cpuBefore) * 1000) / emailsPerRun;
    sends.push({ ...config, rate, cpu: cpu(), ownCpuMs });
    await serve.stop();
    const reached = await ses.count();
    const sent = await countByStatus(messageIds, ["SENT"]);
    if (reached !== emailsPerRun || sent !== emailsPerRun) {
      throw new Error(`${emailsPerRun} emails queued, ${sent} SENT, ${reached} at SES`);
    }
  }

  const cpuNote = (run: { cpu: number; ownCpuMs: number; rate: number }) =>
    `their CPU ${run.ownCpuMs.toFixed(2)} ms each, ${((run.ownCpuMs * run.rate) / 1000).toFixed(2)} cores; machine busy ${(run.cpu * 100).toFixed(0)}% of ${os.cpus().length} cores`;
  console.log(
    `ingest, /v1/batch, ${eventsPerRun.toLocaleString("en")} events in batches of ${batchSize}, ${inFlight} in flight, no worker running:`,
  );
  for (const run of ingest) {
    console.log(`  ${run.processes} API process(es)   ${formatRate(run.rate)}  (${cpuNote(run)})`);
  }
  console.log(`  stored: ${stored.map((row) => `${row.prefix} ${row.n}`).join(", ")}`);
  console.log(
    `sends, send_email to the local SES API, ${emailsPerRun.toLocaleString("en")} marketing emails, no API running:`,
  );
  for (const run of sends) {
    console.log(
      `  ${run.processes} worker process(es) × ${run.concurrency} jobs   ${formatRate(run.rate)}  (${cpuNote(run)})`,
    );
  }
  const [ingest1, ingest2] = ingest;
  const [send1, send2, send1Doubled] = sends;
  console.log(
    `scaling: ingest 2/1 API processes ${(ingest2!.rate / ingest1!.rate).toFixed(2)}×; sends 2/1 worker processes ${(send2!.rate / send1!.rate).toFixed(2)}× (against 1 process at ${send1Doubled!.concurrency} jobs: ${(send2!.rate / send1Doubled!.rate).toFixed(2)}×)`,
  );
  for (const row of stored) {
    if (row.n !== eventsPerRun)
      throw new Error(`${row.prefix}: ${row.n} of ${eventsPerRun} stored`);
  }
} finally {
  await domain.disconnectDatabase();
  await ses.stop();
  await database.drop();
}
