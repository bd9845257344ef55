/**
 * Postgres stopped for `CHAOS_OUTAGE_SECONDS` (default 10) while the browser SDK's events and
 * the emails they trigger flow. The suite runs its own embedded Postgres cluster (never the
 * server DATABASE_URL names, which others share), the real API and worker processes as
 * `npm start` runs them, and the local SES API. Headless Chromium pages load the built SDK
 * from a shop origin and call `identify` and `track` at a steady pace; each contact's first
 * event triggers a published scenario that sends it one email. Midway the cluster is stopped
 * (a fast shutdown: every connection is cut) and started again on the same data directory.
 * With `CHAOS_POSTGRES_FAULT=kill` it is killed instead, as a power cut would: SIGKILL to the
 * postmaster and every backend at once, nothing flushed or closed, so the restart runs crash
 * recovery from the WAL, and what the API had answered 2xx for must still be there.
 * Once everything settles it counts, against their goals:
 * - events the SDK minted vs stored: lost 0, duplicated 0, ids minted again on a retry 0;
 * - process_event(s) jobs left 0; emails expected vs at SES: lost 0, double 0;
 * - the API and the worker: the same processes alive and serving afterwards, no restart;
 * - the API's answers while the database was away: 503 with a JSON error and `Retry-After`,
 *   never a hang (over 5 s), a 500 or a stack trace.
 *
 *   npm run chaos -- postgres-restart          (4 pages × 15 contacts × 5 events, 10 s outage)
 *   CHAOS_PAGES=8 CHAOS_OUTAGE_SECONDS=30 npm run chaos -- postgres-restart
 *   CHAOS_POSTGRES_FAULT=kill npm run chaos -- postgres-restart
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import path from "node:path";
import { chromium } from "playwright-core";
import { freePort } from "../../bench/support/free-port.ts";
import { startLocalSesProcess } from "../../bench/support/local-ses-process.ts";
import { describeMachine } from "../../bench/support/machine.ts";
import {
  alive,
  type StartedProcess,
  startApiProcess,
  startWorkerProcess,
  stopProcess,
} from "./support/child-processes.ts";
import { startOwnCluster } from "./support/own-cluster.ts";
import { mailsPerRecipient, sesMails } from "./support/ses-mails.ts";

const pages = Number(process.env.CHAOS_PAGES ?? 4);
const contactsPerPage = Number(process.env.CHAOS_CONTACTS_PER_PAGE ?? 15);
const eventsPerContact = Number(process.env.CHAOS_EVENTS_PER_CONTACT ?? 5);
const outageSeconds = Number(process.env.CHAOS_OUTAGE_SECONDS ?? 10);
/** `stop`: a fast shutdown; `kill`: SIGKILL to the postmaster and its backends (crash recovery). */
const fault = process.env.CHAOS_POSTGRES_FAULT ?? "stop";
if (fault !== "stop" && fault !== "kill") {
  throw new Error(`CHAOS_POSTGRES_FAULT is stop or kill, not ${fault}`);
}
/** How long each page takes to make all its calls; the outage sits in the middle. */
const trafficSeconds = Number(process.env.CHAOS_TRAFFIC_SECONDS ?? 30);
/** Longest wait for everything to settle once the pages have made their calls. */
const settleSeconds = Number(process.env.CHAOS_SETTLE_SECONDS ?? 120);
/** An answer slower than this during the outage counts as a hang. */
const hangMs = 5_000;

const repoRoot = path.resolve(import.meta.dirname, "../..");
const sdkBundle = readFileSync(path.join(repoRoot, "packages/sdk/dist/cartwheel.iife.js"), "utf8");
const desktopUserAgent =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
const runStarted = Date.now();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The suite's own cluster: stopping it disturbs nobody.
const postgres = await startOwnCluster("chaos-postgres");
const { databaseUrl } = postgres;
const ses = await startLocalSesProcess();
process.env.DATABASE_URL = databaseUrl;
process.env.SES_ENDPOINT = ses.endpoint;
const domain = await import("@cartwheel/api/domain");

/** A shop's page: the SDK bundle and an HTML page that loads it, on their own origin. */
async function startShop() {
  const server = createHttpServer((request, response) => {
    if (request.url === "/cartwheel.iife.js") {
      response.writeHead(200, { "content-type": "text/javascript" });
      response.end(sdkBundle);
      return;
    }
    response.writeHead(200, { "content-type": "text/html" });
    response.end(
      '<!doctype html><html><head><meta charset="utf-8"><title>Northwind</title><script src="/cartwheel.iife.js"></script></head><body><h1>Northwind Goods</h1></body></html>',
    );
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Wraps the page's `fetch` to record every request the SDK makes: the messageIds it carried,
 * the status (0 when the page could not read an answer) and how long it took.
 */
const recordDeliveries = `(() => {
  const original = window.fetch.bind(window);
  window.__deliveries = [];
  window.fetch = async (url, init) => {
    let ids = [];
    try { ids = JSON.parse(init.body).batch.map((event) => event.messageId); } catch {}
    const started = performance.now();
    const record = (status) => window.__deliveries.push({ ids, status, ms: performance.now() - started, at: Date.now() });
    try {
      const response = await original(url, init);
      record(response.status);
      return response;
    } catch (error) {
      record(0);
      throw error;
    }
  };
})();`;

interface Delivery {
  ids: string[];
  status: number;
  ms: number;
  at: number;
}

interface Probe {
  at: number;
  route: string;
  status: number;
  ms: number;
  body: string;
}

/** Asks the API, every 250 ms, what a shop's server and the back office would see. */
function probeApi(apiUrl: string, writeKey: string, secretKey: string, origin: string) {
  const probes: Probe[] = [];
  let running = true;
  const ask = async (route: string, request: () => Promise<Response>) => {
    const started = Date.now();
    let status = 0;
    let body = "";
    try {
      const response = await request();
      status = response.status;
      body = await response.text();
    } catch (error) {
      body = String(error);
    }
    probes.push({ at: started, route, status, ms: Date.now() - started, body });
  };
  const loop = (async () => {
    while (running) {
      await Promise.all([
        ask("POST /v1/batch", () =>
          fetch(`${apiUrl}/v1/batch`, {
            method: "POST",
            headers: { "content-type": "text/plain;charset=UTF-8", origin },
            body: JSON.stringify({ writeKey, batch: [] }),
            signal: AbortSignal.timeout(hangMs * 3),
          }),
        ),
        ask("POST /graphql", () =>
          fetch(`${apiUrl}/graphql`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${secretKey}` },
            body: JSON.stringify({ query: "{ contacts(first: 1) { edges { node { id } } } }" }),
            signal: AbortSignal.timeout(hangMs * 3),
          }),
        ),
      ]);
      await pause(250);
    }
  })();
  return {
    probes,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

const contactCount = pages * contactsPerPage;
const adminKey = `cw_admin_${randomBytes(16).toString("hex")}`;
const shop = await startShop();
let api: StartedProcess | null = null;
let worker: StartedProcess | null = null;
let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;
let failed = false;

try {
  console.log(`machine: ${describeMachine()}`);
  console.log(
    `${pages} pages × ${contactsPerPage} contacts × ${eventsPerContact} track events (+1 identify each) over ${trafficSeconds} s; Postgres ${fault === "kill" ? "killed (SIGKILL)" : "stopped"} for ${outageSeconds} s midway`,
  );

  const workspace = await domain.createWorkspace({
    name: "Northwind Goods",
    allowedOrigins: [shop.origin],
  });
  await domain.updateEmailSettings(workspace.id, {
    shopName: "Northwind Goods",
    shopUrl: "https://northwind.example",
    postalAddress: "410 Terry Ave N, Seattle, WA 98109",
    fromEmail: "hello@northwind.example",
    sendRatePerSecond: 100,
  });
  const template = await domain.createTemplate(workspace.id, {
    name: "Welcome back",
    kind: "MARKETING",
    subject: "Welcome back, {{ contact.first_name }}",
    html: "<p>Hello {{ contact.first_name }}, good to see you again.</p>",
  });
  const { rows: contacts } = await domain.pool().query<{ email: string }>(
    `INSERT INTO contacts (workspace_id, email, first_name, consent_status)
     SELECT $1, 'shopper' || g || '@chaos.example', 'Ada' || g, 'SUBSCRIBED'
       FROM generate_series(1, $2::int) g RETURNING email`,
    [workspace.id, contactCount],
  );
  const scenario = await domain.createScenario(workspace.id, {
    name: "Welcome back",
    definition: {
      version: 1,
      trigger: { kind: "event", event: "Chaos Signal" },
      start: "mail",
      nodes: [{ id: "mail", kind: "send_email", templateId: template.id }],
    },
  });
  await domain.publishScenario(workspace.id, scenario.id);
  const { plaintext: writeKey } = await domain.createApiKey({
    workspaceId: workspace.id,
    name: "storefront",
    kind: "PUBLIC",
  });
  const { plaintext: secretKey } = await domain.createApiKey({
    workspaceId: workspace.id,
    name: "back office",
    kind: "SECRET",
  });
  // The suite's own pool goes quiet during the outage; connections cut then are expected.
  await domain.disconnectDatabase();

  api = startApiProcess(databaseUrl, adminKey);
  worker = startWorkerProcess(databaseUrl);
  const apiUrl = `http://127.0.0.1:${(await api.started)[1]}`;
  await worker.started;
  const pids = { api: api.child.pid, worker: worker.child.pid };

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const callGapMs = (trafficSeconds * 1000) / (contactsPerPage * (eventsPerContact + 1));
  const tabs = await Promise.all(
    Array.from({ length: pages }, async (_, p) => {
      const context = await browser!.newContext({ userAgent: desktopUserAgent });
      const tab = await context.newPage();
      await tab.addInitScript(recordDeliveries);
      await tab.goto(`${shop.origin}/shop-${p}`);
      const emails = contacts
        .slice(p * contactsPerPage, (p + 1) * contactsPerPage)
        .map((c) => c.email);
      // The page's own loop, so calls keep their pace whatever the suite is doing.
      await tab.evaluate(
        ({ writeKey, apiUrl, emails, eventsPerContact, callGapMs, page }) => {
          const sdk = (
            window as unknown as { cartwheel: Record<string, (...args: unknown[]) => unknown> }
          ).cartwheel;
          sdk.init!({ writeKey, apiUrl, trackPages: false, exitIntent: false });
          const state = { done: false, tracks: 0, identifies: 0 };
          (window as unknown as { __traffic: typeof state }).__traffic = state;
          void (async () => {
            for (const email of emails) {
              sdk.identify!(email);
              state.identifies++;
              await new Promise((resolve) => setTimeout(resolve, callGapMs));
              for (let n = 0; n < eventsPerContact; n++) {
                sdk.track!(n === 0 ? "Chaos Signal" : "Chaos Browse", {
                  seq: `${page}-${email}-${n}`,
                });
                state.tracks++;
                await new Promise((resolve) => setTimeout(resolve, callGapMs));
              }
            }
            state.done = true;
          })();
        },
        { writeKey, apiUrl, emails, eventsPerContact, callGapMs, page: p },
      );
      return tab;
    }),
  );

  const probe = probeApi(apiUrl, writeKey, secretKey, shop.origin);
  const trafficStarted = Date.now();
  await pause(((trafficSeconds - outageSeconds) / 2) * 1000);
  const outageStarted = Date.now();
  if (fault === "kill") await postgres.kill();
  else await postgres.stop();
  const stopped = Date.now();
  await pause(outageSeconds * 1000);
  const restartStarted = Date.now();
  await postgres.start();
  const outageEnded = Date.now();
  console.log(
    `Postgres stopped at ${((outageStarted - trafficStarted) / 1000).toFixed(1)} s of the traffic (${fault === "kill" ? "SIGKILL" : "fast shutdown"} took ${((stopped - outageStarted) / 1000).toFixed(1)} s), started again at ${((restartStarted - trafficStarted) / 1000).toFixed(1)} s, answering at ${((outageEnded - trafficStarted) / 1000).toFixed(1)} s: ${((outageEnded - outageStarted) / 1000).toFixed(1)} s without a database`,
  );

  // Pages done calling, then everything settles: every minted event stored, the queue empty,
  // every email at SES, or the time is up.
  const traffic = () =>
    Promise.all(
      tabs.map((tab) =>
        tab.evaluate(() => {
          const w = window as unknown as {
            __traffic: { done: boolean; tracks: number; identifies: number };
            __deliveries: Delivery[];
            cartwheel: { queueStats(): { pending: number; dropped: number } };
          };
          return { ...w.__traffic, queue: w.cartwheel.queueStats(), deliveries: w.__deliveries };
        }),
      ),
    );
  const query = async <T>(text: string, values: unknown[] = []) =>
    (await domain.pool().query(text, values)).rows as T[];
  const jobsLeft = async () =>
    (
      await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM graphile_worker._private_jobs j
           JOIN graphile_worker._private_tasks t ON t.id = j.task_id
          WHERE t.identifier IN ('process_event', 'process_events')`,
      )
    )[0]!.n;
  const settleDeadline = Date.now() + (trafficSeconds + settleSeconds) * 1000;
  let settled = false;
  while (Date.now() < settleDeadline && alive(api.child) && alive(worker.child)) {
    const tabsNow = await traffic();
    const idle = tabsNow.every((tab) => tab.done && tab.queue.pending === 0);
    if (idle) {
      const [{ n: sentMessages }] = (await query<{ n: number }>(
        "SELECT count(*)::int AS n FROM messages WHERE workspace_id = $1 AND status NOT IN ('QUEUED', 'SENDING')",
        [workspace.id],
      )) as [{ n: number }];
      if ((await jobsLeft()) === 0 && sentMessages >= contactCount) {
        settled = true;
        break;
      }
    }
    await pause(500);
  }
  const settledAt = Date.now();
  await probe.stop();
  const tabsAtEnd = await traffic();

  // Events: what the pages minted (every id their SDK put on the wire) against what was stored.
  const minted = new Set(tabsAtEnd.flatMap((tab) => tab.deliveries.flatMap((d) => d.ids)));
  const called = tabsAtEnd.reduce((sum, tab) => sum + tab.tracks + tab.identifies, 0);
  const stored = await query<{ message_id: string; seq: string | null }>(
    "SELECT message_id, properties->>'seq' AS seq FROM events WHERE workspace_id = $1",
    [workspace.id],
  );
  const storedIds = new Set(stored.map((row) => row.message_id));
  const lost = [...minted].filter((id) => !storedIds.has(id)).length;
  const seqRows = new Map<string, number>();
  for (const row of stored) if (row.seq) seqRows.set(row.seq, (seqRows.get(row.seq) ?? 0) + 1);
  const tracksCalled = tabsAtEnd.reduce((sum, tab) => sum + tab.tracks, 0);
  const tracksStored = seqRows.size;
  const duplicated = [...seqRows.values()].reduce((sum, n) => sum + n - 1, 0);
  const duplicateIds = stored.length - storedIds.size;
  const dropped = tabsAtEnd.reduce((sum, tab) => sum + tab.queue.dropped, 0);
  const pending = tabsAtEnd.reduce((sum, tab) => sum + tab.queue.pending, 0);
  const deliveries = tabsAtEnd.flatMap((tab) => tab.deliveries);
  const attemptsPerId = deliveries.length
    ? deliveries.reduce((s, d) => s + d.ids.length, 0) / minted.size
    : 0;
  const statusCounts = (list: { status: number }[]) => {
    const counts = new Map<number, number>();
    for (const item of list) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
    return [...counts]
      .sort((a, b) => a[0] - b[0])
      .map(([status, n]) => `${status === 0 ? "no answer" : status} ×${n}`)
      .join(", ");
  };

  // Emails: one per contact expected (each contact's "Chaos Signal" starts one run).
  const atSes = await sesMails(ses.endpoint);
  const perRecipient = await mailsPerRecipient(ses.endpoint);
  const mailsLost = contacts.filter((c) => !perRecipient.has(c.email)).length;
  const mailsDouble = [...perRecipient.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const messageStatuses = await query<{ status: string; reason: string | null; n: number }>(
    `SELECT status::text, split_part(status_reason, ':', 1) AS reason, count(*)::int AS n
       FROM messages WHERE workspace_id = $1 GROUP BY 1, 2 ORDER BY 1`,
    [workspace.id],
  );
  const jobs = await jobsLeft();
  const failedJobs = (
    await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE attempts >= max_attempts",
    )
  )[0]!.n;

  // The processes: the same ones, alive, serving.
  const after = await fetch(`${apiUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${secretKey}` },
    body: JSON.stringify({ query: "{ contacts(first: 1) { edges { node { id } } } }" }),
  }).then(
    async (response) => response.status === 200 && !(await response.text()).includes('"errors"'),
    () => false,
  );
  const apiAlive = alive(api.child) && api.child.pid === pids.api;
  const workerAlive = alive(worker.child) && worker.child.pid === pids.worker;

  // The API's answers while the database was away (and until it answered again).
  const firstGoodAfter = (route: string) =>
    probe.probes.find((p) => p.route === route && p.at >= outageEnded && p.status === 200)?.at;
  const duringOutage = probe.probes.filter(
    (p) => p.at >= outageStarted && p.at < (firstGoodAfter(p.route) ?? settledAt),
  );
  const slowest = Math.max(0, ...duringOutage.map((p) => p.ms));
  const hangs = duringOutage.filter((p) => p.ms > hangMs || p.status === 0).length;
  const badAnswers = duringOutage.filter(
    (p) =>
      p.status !== 0 &&
      p.status !== 200 &&
      (p.status !== 503 || !/"code"/.test(p.body) || /\n\s+at /.test(p.body)),
  );
  const graphqlHidden = duringOutage.filter(
    (p) => p.route === "POST /graphql" && p.status === 200 && !/"errors"/.test(p.body),
  ).length;
  const recoveredIn = (route: string) => {
    const at = firstGoodAfter(route);
    return at === undefined ? "never" : `${((at - outageEnded) / 1000).toFixed(1)} s`;
  };

  const goal = (met: boolean) => {
    if (!met) failed = true;
    return met ? "met" : "MISSED";
  };
  console.log(
    `\nsettled ${settled ? "" : "NOT "}within ${((settledAt - outageEnded) / 1000).toFixed(1)} s of Postgres coming back`,
  );
  console.log(
    `events the pages called             ${called} (${tracksCalled} track, ${called - tracksCalled} identify)`,
  );
  console.log(
    `events minted by the SDK            ${minted.size}; stored ${storedIds.size}; sent ${attemptsPerId.toFixed(2)}× per id on average`,
  );
  console.log(
    `lost (minted, not stored)           ${lost}   goal 0: ${goal(lost === 0 && minted.size === called)}`,
  );
  console.log(
    `tracks stored twice (new id on retry) ${duplicated}; rows sharing a messageId ${duplicateIds}   goal 0: ${goal(duplicated === 0 && duplicateIds === 0 && tracksStored === tracksCalled)}`,
  );
  console.log(
    `left in the SDK queues / dropped    ${pending} / ${dropped}   goal 0: ${goal(pending === 0 && dropped === 0)}`,
  );
  console.log(`SDK requests by answer              ${statusCounts(deliveries)}`);
  console.log(
    `process_event(s) jobs left          ${jobs} (jobs failed for good: ${failedJobs})   goal 0: ${goal(jobs === 0 && failedJobs === 0)}`,
  );
  console.log(
    `emails expected / at SES            ${contactCount} / ${atSes.length}: lost ${mailsLost}, double ${mailsDouble}   goal 0: ${goal(mailsLost === 0 && mailsDouble === 0)}`,
  );
  console.log(
    `messages by status                  ${messageStatuses.map((r) => `${r.status}${r.reason ? ` ${r.reason}` : ""} ${r.n}`).join(", ")}`,
  );
  console.log(
    `API alive, same process, serving    ${apiAlive && after ? "yes" : "no"}   goal yes: ${goal(apiAlive && after)}`,
  );
  console.log(
    `worker alive, same process          ${workerAlive ? "yes" : "no"}   goal yes: ${goal(workerAlive)}`,
  );
  console.log(
    `API during the outage               ${duringOutage.length} probes: ${statusCounts(duringOutage)}; slowest ${slowest} ms; back ${recoveredIn("POST /v1/batch")} (/v1/batch), ${recoveredIn("POST /graphql")} (/graphql) after Postgres`,
  );
  console.log(`  hangs (> ${hangMs} ms or no answer)   ${hangs}   goal 0: ${goal(hangs === 0)}`);
  console.log(
    `  not a clear 503                   ${badAnswers.length}${badAnswers[0] ? ` (e.g. ${badAnswers[0].route} ${badAnswers[0].status} ${badAnswers[0].body.slice(0, 120)})` : ""}   goal 0: ${goal(badAnswers.length === 0)}`,
  );
  console.log(`  GraphQL 200 without errors         ${graphqlHidden}`);
  console.log(`suite ran ${((Date.now() - runStarted) / 1000).toFixed(0)} s`);
  const sample = duringOutage.find((p) => p.status === 503);
  if (sample) console.log(`  e.g. ${sample.route} ${sample.status} ${sample.body.slice(0, 160)}`);
  if (!apiAlive) console.log(`api log:\n${api.log().slice(-3000)}`);
  if (!workerAlive) console.log(`worker log:\n${worker.log().slice(-3000)}`);
  if (process.env.CHAOS_VERBOSE) {
    console.log(`api log:\n${api.log().slice(-6000)}`);
    console.log(`worker log:\n${worker.log().slice(-6000)}`);
  }
} catch (error) {
  failed = true;
  console.error(error);
  if (api) console.log(`api log:\n${api.log().slice(-3000)}`);
  if (worker) console.log(`worker log:\n${worker.log().slice(-3000)}`);
} finally {
  await browser?.close();
  if (api) await stopProcess(api.child);
  if (worker) await stopProcess(worker.child);
  await shop.stop();
  domain.closeEmailSender();
  await domain.disconnectDatabase();
  await ses.stop();
  await postgres.remove();
}
process.exit(failed ? 1 : 0);
