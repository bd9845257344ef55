/**
 * Sustained mixed load: events at a steady `CHAOS_EVENTS_PER_SECOND` for
 * `CHAOS_DURATION_SECONDS` (default 600, ten minutes) while everything they cause runs: scoring
 * rules, segment upkeep (event, property, score and order segments), a published scenario that
 * mails each contact once on Checkout Started (through the local SES API), carts and orders.
 * The suite runs its own embedded Postgres, the real API and worker processes as `npm start`
 * runs them, and the local SES API. Shoppers' browsers post their visits to `POST /v1/batch`
 * with the public key as the SDK batches them (identify, page views, Product Viewed, Product
 * Added, Cart Viewed, Checkout Started); every third visit the shop's backend reports the order
 * with the secret key (identify with a tier trait, Order Completed). Every 10 s it samples the
 * graphile-worker queue by task, the API's and the worker's RSS and CPU, events stored and mails
 * at SES; the driver times every request. At the end a table per minute, and the goals below.
 *
 *   npm run chaos -- sustained-load                          (30 events/s for 10 minutes)
 *   CHAOS_DURATION_SECONDS=90 CHAOS_EVENTS_PER_SECOND=60 npm run chaos -- sustained-load
 */
import { randomBytes } from "node:crypto";
import { processCpuMs } from "../../bench/support/cpu-time.ts";
import { startLocalSesProcess } from "../../bench/support/local-ses-process.ts";
import { describeMachine } from "../../bench/support/machine.ts";
import { percentile } from "../../bench/support/stats.ts";
import {
  alive,
  type StartedProcess,
  startApiProcess,
  startWorkerProcess,
  stopProcess,
} from "./support/child-processes.ts";
import { startOwnCluster } from "./support/own-cluster.ts";
import { sendPacedIngest } from "./support/paced-ingest.ts";
import { machineCpuTicks, medianSlope, residentMb, slope } from "./support/process-figures.ts";
import { mailsPerRecipient } from "./support/ses-mails.ts";
import { shopperTraffic } from "./support/shopper-traffic.ts";

const eventsPerSecond = Number(process.env.CHAOS_EVENTS_PER_SECOND ?? 30);
const durationSeconds = Number(process.env.CHAOS_DURATION_SECONDS ?? 600);
/** Contacts made up front: one per newcomer's visit (half the visits, at about 9.7 events each). */
const contactCount = Number(
  process.env.CHAOS_CONTACTS ?? Math.max(50, Math.ceil((eventsPerSecond * durationSeconds) / 18)),
);
const sampleSeconds = 10;

// The goals. The machine is shared (figures swing up to 4× between runs, PLATFORM.md), so each
// ratio goal also has an absolute floor under which a jump is noise, not a trend.
/** Backlog: the last minute's highest queue depth at most this many times the first full minute's… */
const backlogGrowthLimit = 3;
/** …or at most this many ready jobs in all. */
const backlogFloorJobs = 100;
/** Once the load stops, every ready job done and every mail at SES within this long. */
const drainLimitSeconds = 60;
/** Ingest p99: the last minute's at most this many times the first full minute's… */
const p99GrowthLimit = 2;
/** …or under this, in ms. */
const p99FloorMs = 250;
/**
 * Memory: the RSS slope over the second half of the load, per process, at most this (MB/min),
 * as the median of the slopes between every two samples (one GC spike tipped a least-squares
 * line over 7 MB/min in a run whose RSS ended where it began).
 */
const rssSlopeLimitMbPerMinute = 3;
/** Under this long a run's second half is too few samples to tell a slope from GC's sawtooth. */
const rssJudgedFromSeconds = 240;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cluster = await startOwnCluster("chaos-sustained");
const { databaseUrl } = cluster;
const ses = await startLocalSesProcess();
process.env.DATABASE_URL = databaseUrl;
process.env.SES_ENDPOINT = ses.endpoint;
const domain = await import("@cartwheel/api/domain");
const query = async <T>(text: string, values: unknown[] = []) =>
  (await domain.pool().query(text, values)).rows as T[];

interface Sample {
  /** s since the load started. */
  at: number;
  readyJobs: number;
  byTask: Map<string, number>;
  apiMb: number;
  workerMb: number;
  apiCpuMs: number;
  workerCpuMs: number;
  machine: { busy: number; total: number };
  events: number;
  mails: number;
}

/** Jobs that are due or running (not those scheduled for later), by task. */
async function readyJobsByTask(): Promise<Map<string, number>> {
  const rows = await query<{ task: string; n: number }>(
    `SELECT t.identifier AS task, count(*)::int AS n FROM graphile_worker._private_jobs j
       JOIN graphile_worker._private_tasks t ON t.id = j.task_id
      WHERE j.run_at <= now() OR j.locked_at IS NOT NULL
      GROUP BY 1`,
  );
  return new Map(rows.map((row) => [row.task, row.n]));
}

const adminKey = `cw_admin_${randomBytes(16).toString("hex")}`;
const origin = "https://shop.load.example";
let api: StartedProcess | null = null;
let worker: StartedProcess | null = null;
let failed = false;

try {
  console.log(`machine: ${describeMachine()}`);
  console.log(
    `${eventsPerSecond} events/s for ${durationSeconds} s over ${contactCount} contacts; sampled every ${sampleSeconds} s`,
  );

  const workspace = await domain.createWorkspace({
    name: "Northwind Goods",
    allowedOrigins: [origin],
  });
  await domain.updateEmailSettings(workspace.id, {
    shopName: "Northwind Goods",
    shopUrl: "https://northwind.example",
    postalAddress: "410 Terry Ave N, Seattle, WA 98109",
    fromEmail: "hello@northwind.example",
    sendRatePerSecond: 100,
  });
  await domain.pool().query(
    `INSERT INTO contacts (workspace_id, email, first_name, consent_status)
     SELECT $1, 'shopper' || g || '@load.example', 'Ada' || g, 'SUBSCRIBED'
       FROM generate_series(0, $2::int - 1) g`,
    [workspace.id, contactCount],
  );
  for (const rule of [
    { name: "Product page", eventName: "Product Viewed", points: 1, dailyCap: 10 },
    { name: "Cart", eventName: "Product Added", points: 5 },
    { name: "Order", eventName: "Order Completed", points: 20 },
  ]) {
    await domain.createScoringRule(workspace.id, rule);
  }
  const segments = [
    {
      name: "Browsed twice",
      filter: { event: { name: "Product Viewed", atLeast: 2, withinDays: 7 } },
    },
    {
      name: "Cart abandoners",
      filter: {
        and: [
          { event: { name: "Product Added", withinDays: 7 } },
          { event: { name: "Order Completed", atMost: 0, withinDays: 7 } },
        ],
      },
    },
    {
      name: "Gold tier",
      filter: { property: { key: "tier", type: "STRING", op: "EQUALS", value: "gold" } },
    },
    { name: "Warm leads", filter: { score: { min: 20 } } },
    { name: "Buyers", filter: { orders: { metric: "COUNT", op: "AT_LEAST", value: 1 } } },
  ] as const;
  const segmentIds = new Map<string, string>();
  for (const segment of segments) {
    segmentIds.set(segment.name, (await domain.createSegment(workspace.id, segment)).id);
  }
  const template = await domain.createTemplate(workspace.id, {
    name: "Checkout nudge",
    kind: "MARKETING",
    subject: "Still deciding, {{ contact.first_name }}?",
    html: "<p>Hello {{ contact.first_name }}, your cart is waiting.</p>",
  });
  const scenario = await domain.createScenario(workspace.id, {
    name: "Checkout nudge",
    definition: {
      version: 1,
      trigger: { kind: "event", event: "Checkout Started" },
      entry: { rule: "once" },
      start: "mail",
      nodes: [{ id: "mail", kind: "send_email", templateId: template.id }],
    },
  });
  await domain.publishScenario(workspace.id, scenario.id);
  const { plaintext: publicKey } = await domain.createApiKey({
    workspaceId: workspace.id,
    name: "storefront",
    kind: "PUBLIC",
  });
  const { plaintext: secretKey } = await domain.createApiKey({
    workspaceId: workspace.id,
    name: "backend",
    kind: "SECRET",
  });

  api = startApiProcess(databaseUrl, adminKey);
  worker = startWorkerProcess(databaseUrl);
  const apiUrl = `http://127.0.0.1:${(await api.started)[1]}`;
  await worker.started;
  const pids = { api: api.child.pid!, worker: worker.child.pid! };

  const samples: Sample[] = [];
  const loadStarted = performance.now();
  const sample = async () => {
    const [byTask, [counts]] = await Promise.all([
      readyJobsByTask(),
      query<{ events: number; mails: number }>(
        `SELECT (SELECT count(*)::int FROM events WHERE workspace_id = $1) AS events,
                (SELECT count(*)::int FROM messages WHERE workspace_id = $1 AND status = 'SENT') AS mails`,
        [workspace.id],
      ),
    ]);
    samples.push({
      at: (performance.now() - loadStarted) / 1000,
      readyJobs: [...byTask.values()].reduce((sum, n) => sum + n, 0),
      byTask,
      apiMb: residentMb(pids.api),
      workerMb: residentMb(pids.worker),
      apiCpuMs: processCpuMs(pids.api),
      workerCpuMs: processCpuMs(pids.worker),
      machine: machineCpuTicks(),
      events: counts!.events,
      mails: counts!.mails,
    });
  };
  let sampling = true;
  const sampler = (async () => {
    for (let n = 0; sampling; n++) {
      await sample();
      const next = (n + 1) * sampleSeconds * 1000 - (performance.now() - loadStarted);
      if (next > 0) await pause(next);
    }
  })();

  const { outcomes, behindMs } = await sendPacedIngest(
    shopperTraffic(contactCount, 20, () => new Date()),
    { apiUrl, publicKey, secretKey, origin, eventsPerSecond, durationSeconds },
  );
  const loadEnded = performance.now();

  // Drain: every due job done and every expected mail at SES, or the time is up.
  const expectedMails = new Set(
    outcomes.filter((o) => o.status === 200 && o.request.triggers).map((o) => o.request.triggers!),
  );
  let drainedAt: number | null = null;
  while ((performance.now() - loadEnded) / 1000 < drainLimitSeconds * 2) {
    const ready = [...(await readyJobsByTask()).values()].reduce((sum, n) => sum + n, 0);
    if (ready === 0 && (await ses.count()) >= expectedMails.size) {
      drainedAt = performance.now();
      break;
    }
    await pause(250);
  }
  sampling = false;
  await sampler;
  await sample();
  const drainSeconds = drainedAt === null ? null : (drainedAt - loadEnded) / 1000;

  // Events: every id answered 200 stored once.
  const answered = outcomes.filter((o) => o.status === 200);
  const sentIds = answered.flatMap((o) => o.request.batch.map((e) => String(e.messageId)));
  const storedRows = await query<{ message_id: string }>(
    "SELECT message_id FROM events WHERE workspace_id = $1 AND message_id LIKE 'load-%'",
    [workspace.id],
  );
  const storedIds = new Set(storedRows.map((row) => row.message_id));
  const lost = sentIds.filter((id) => !storedIds.has(id)).length;
  const storedTwice = storedRows.length - storedIds.size;
  const rejected = outcomes.reduce((sum, o) => sum + o.rejected, 0);
  const notAnswered200 = outcomes.length - answered.length;

  // Mails: one per contact that started a checkout, none twice.
  const perRecipient = await mailsPerRecipient(ses.endpoint);
  const mailsMissing = [...expectedMails].filter((email) => !perRecipient.has(email)).length;
  const mailsDouble = [...perRecipient.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const mailsAtSes = [...perRecipient.values()].reduce((sum, n) => sum + n, 0);
  const failedJobs = (
    await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE attempts >= max_attempts",
    )
  )[0]!.n;
  const messageStatuses = await query<{ status: string; reason: string | null; n: number }>(
    `SELECT status::text, split_part(status_reason, ':', 1) AS reason, count(*)::int AS n
       FROM messages WHERE workspace_id = $1 GROUP BY 1, 2 ORDER BY 1`,
    [workspace.id],
  );
  const memberships = await query<{ name: string; n: number }>(
    `SELECT s.name, count(m.contact_id) FILTER (WHERE m.is_member)::int AS n FROM segments s
       LEFT JOIN segment_memberships m ON m.segment_id = s.id AND m.workspace_id = s.workspace_id
      WHERE s.workspace_id = $1 GROUP BY s.name ORDER BY s.name`,
    [workspace.id],
  );
  // The per-contact upkeep under load against a full recompute (which then corrects them).
  const upkeepMisses: string[] = [];
  for (const [name, id] of segmentIds) {
    const changes = await domain.refreshSegment(id, { recordEvents: false });
    if (changes.length > 0) {
      const entered = changes.filter((change) => change.entered).length;
      upkeepMisses.push(`${name}: ${entered} missing, ${changes.length - entered} extra`);
    }
  }

  // Per minute: the driver's requests, the samples taken in it.
  const minutes = Math.ceil(durationSeconds / 60);
  const rows = Array.from({ length: minutes }, (_, minute) => {
    const from = minute * 60;
    const to = Math.min(durationSeconds, from + 60);
    const requests = outcomes.filter((o) => o.at >= from * 1000 && o.at < to * 1000);
    const inMinute = samples.filter((s) => s.at >= from && s.at < to + 0.5);
    const latencies = requests.map((o) => o.ms);
    const first = inMinute[0];
    const last = inMinute.at(-1);
    const cpu = (pick: (s: Sample) => number) =>
      first && last && last.at > first.at
        ? (pick(last) - pick(first)) / 10 / (last.at - first.at)
        : Number.NaN;
    const busiest = new Map<string, number>();
    for (const s of inMinute)
      for (const [task, n] of s.byTask) busiest.set(task, Math.max(busiest.get(task) ?? 0, n));
    const top = [...busiest].sort((a, b) => b[1] - a[1])[0];
    return {
      minute,
      full: to - from === 60,
      eventsPerSecond: requests.reduce((sum, o) => sum + o.events, 0) / (to - from),
      requests: requests.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(0, ...latencies),
      errors: requests.filter((o) => o.status !== 200).length,
      queueMax: Math.max(0, ...inMinute.map((s) => s.readyJobs)),
      top: top ? `${top[0]} ${top[1]}` : "-",
      apiMb: last?.apiMb ?? Number.NaN,
      workerMb: last?.workerMb ?? Number.NaN,
      apiCpu: cpu((s) => s.apiCpuMs),
      workerCpu: cpu((s) => s.workerCpuMs),
      machineBusy:
        first && last && last.machine.total > first.machine.total
          ? (100 * (last.machine.busy - first.machine.busy)) /
            (last.machine.total - first.machine.total)
          : Number.NaN,
      events: last?.events ?? 0,
      mails: last?.mails ?? 0,
    };
  });

  const pad = (value: string | number, width: number) => String(value).padStart(width);
  console.log(
    `\n${pad("min", 3)} ${pad("events/s", 8)} ${pad("reqs", 5)} ${pad("p50 ms", 7)} ${pad("p99 ms", 7)} ${pad("max ms", 7)} ${pad("errs", 4)} ${pad("queue max", 9)} ${pad("busiest task (max)", 28)} ${pad("API MB", 7)} ${pad("wkr MB", 7)} ${pad("API cpu", 7)} ${pad("wkr cpu", 7)} ${pad("machine", 7)} ${pad("events", 7)} ${pad("mails", 6)}`,
  );
  for (const row of rows) {
    console.log(
      `${pad(row.minute + 1, 3)} ${pad(row.eventsPerSecond.toFixed(1), 8)} ${pad(row.requests, 5)} ${pad(row.p50.toFixed(0), 7)} ${pad(row.p99.toFixed(0), 7)} ${pad(row.max.toFixed(0), 7)} ${pad(row.errors, 4)} ${pad(row.queueMax, 9)} ${pad(row.top, 28)} ${pad(row.apiMb.toFixed(0), 7)} ${pad(row.workerMb.toFixed(0), 7)} ${pad(`${row.apiCpu.toFixed(0)}%`, 7)} ${pad(`${row.workerCpu.toFixed(0)}%`, 7)} ${pad(`${row.machineBusy.toFixed(0)}%`, 7)} ${pad(row.events, 7)} ${pad(row.mails, 6)}`,
    );
  }

  // The goals. The first full minute is the baseline (minute 2 when there are 3 or more:
  // minute 1 holds the start-up of every cache and pool).
  const baseline = rows[rows.length >= 3 ? 1 : 0]!;
  const lastRow = rows.at(-1)!;
  const half = durationSeconds / 2;
  const secondHalf = samples.filter((s) => s.at >= half && s.at <= durationSeconds);
  const points = (pick: (s: Sample) => number) =>
    secondHalf.map((s) => ({ x: s.at / 60, y: pick(s) }));
  const apiSlope = medianSlope(points((s) => s.apiMb));
  const workerSlope = medianSlope(points((s) => s.workerMb));
  const range = (pick: (s: Sample) => number) => {
    const values = secondHalf.map(pick);
    return `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)} MB`;
  };
  const allLatencies = outcomes.map((o) => o.ms);
  const goal = (met: boolean) => {
    if (!met) failed = true;
    return met ? "met" : "MISSED";
  };
  const backlogMet =
    lastRow.queueMax <= Math.max(backlogFloorJobs, backlogGrowthLimit * baseline.queueMax);
  const p99Met = lastRow.p99 <= Math.max(p99FloorMs, p99GrowthLimit * baseline.p99);
  const rssMet =
    !(apiSlope > rssSlopeLimitMbPerMinute) && !(workerSlope > rssSlopeLimitMbPerMinute);
  const sentEvents = outcomes.reduce((sum, o) => sum + o.events, 0);
  console.log(
    `\nsent ${sentEvents} events in ${outcomes.length} requests over ${((loadEnded - loadStarted) / 1000).toFixed(0)} s (${(sentEvents / durationSeconds).toFixed(1)}/s; the driver was at most ${behindMs.toFixed(0)} ms behind its schedule); ingest p50 ${percentile(allLatencies, 50).toFixed(0)} ms, p99 ${percentile(allLatencies, 99).toFixed(0)} ms, max ${Math.max(...allLatencies).toFixed(0)} ms`,
  );
  console.log(
    `backlog: last minute's max ${lastRow.queueMax} ready jobs vs minute ${baseline.minute + 1}'s ${baseline.queueMax}   goal ≤ max(${backlogFloorJobs}, ${backlogGrowthLimit}×): ${goal(backlogMet)}`,
  );
  console.log(
    `drained (0 ready jobs, every mail at SES) ${drainSeconds === null ? "NOT" : `${drainSeconds.toFixed(1)} s`} after the load stopped   goal ≤ ${drainLimitSeconds} s: ${goal(drainSeconds !== null && drainSeconds <= drainLimitSeconds)}`,
  );
  console.log(
    `ingest p99: last minute ${lastRow.p99.toFixed(0)} ms vs minute ${baseline.minute + 1}'s ${baseline.p99.toFixed(0)} ms   goal ≤ max(${p99FloorMs} ms, ${p99GrowthLimit}×): ${goal(p99Met)}`,
  );
  console.log(
    `RSS over the second half (${secondHalf.length} samples): API ${range((s) => s.apiMb)}, worker ${range((s) => s.workerMb)}; least-squares slope API ${slope(points((s) => s.apiMb)).toFixed(2)}, worker ${slope(points((s) => s.workerMb)).toFixed(2)} MB/min`,
  );
  console.log(
    `RSS median (Theil–Sen) slope over the second half: API ${apiSlope.toFixed(2)} MB/min, worker ${workerSlope.toFixed(2)} MB/min   goal ≤ ${rssSlopeLimitMbPerMinute} MB/min each: ${durationSeconds >= rssJudgedFromSeconds ? goal(rssMet) : `not judged (runs under ${rssJudgedFromSeconds} s)`}`,
  );
  console.log(
    `events answered 200 ${sentIds.length}: lost ${lost}, stored twice ${storedTwice}   goal 0: ${goal(lost === 0 && storedTwice === 0)}; requests not answered 200 ${notAnswered200}, events rejected ${rejected}   goal 0: ${goal(notAnswered200 === 0 && rejected === 0)}`,
  );
  console.log(
    `mails expected (contacts that started a checkout) ${expectedMails.size} / at SES ${mailsAtSes}: missing ${mailsMissing}, double ${mailsDouble}   goal 0: ${goal(mailsMissing === 0 && mailsDouble === 0)}`,
  );
  console.log(`jobs failed for good ${failedJobs}   goal 0: ${goal(failedJobs === 0)}`);
  console.log(
    `messages by status ${messageStatuses.map((r) => `${r.status}${r.reason ? ` ${r.reason}` : ""} ${r.n}`).join(", ")}`,
  );
  console.log(`segment members ${memberships.map((r) => `${r.name} ${r.n}`).join(", ")}`);
  console.log(
    `segment members a full recompute changes ${upkeepMisses.length ? upkeepMisses.join("; ") : "none"}   goal none: ${goal(upkeepMisses.length === 0)}`,
  );
  const apiAlive = alive(api.child);
  const workerAlive = alive(worker.child);
  console.log(
    `API and worker alive, the same processes   goal yes: ${goal(apiAlive && workerAlive)}`,
  );
  if (!apiAlive || process.env.CHAOS_VERBOSE) console.log(`api log:\n${api.log().slice(-4000)}`);
  if (!workerAlive || process.env.CHAOS_VERBOSE)
    console.log(`worker log:\n${worker.log().slice(-4000)}`);
} catch (error) {
  failed = true;
  console.error(error);
  if (api) console.log(`api log:\n${api.log().slice(-3000)}`);
  if (worker) console.log(`worker log:\n${worker.log().slice(-3000)}`);
} finally {
  if (api) await stopProcess(api.child);
  if (worker) await stopProcess(worker.child);
  domain.closeEmailSender();
  await domain.disconnectDatabase();
  await ses.stop();
  await cluster.remove();
}
process.exit(failed ? 1 : 0);
