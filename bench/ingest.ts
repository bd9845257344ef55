/**
 * Event ingestion: sustained events per second through `POST /v1/batch` and through the
 * `ingestEvents` mutation, in batches of 20 sent by this process to the real API server in
 * another (several batches in flight, as many browsers would), against a raw multi-row
 * `INSERT` of the same events with `pg` as the baseline, in the same run. Afterwards every
 * event is counted back (none lost, none twice) with its entry in a `process_events` job. Beside
 * the rates it prints the CPU each path used per 1,000 events (the API process and the Postgres
 * backends serving it), which holds up better than rates on a shared machine.
 *
 *   DATABASE_URL=postgres://… npx tsx bench/ingest.ts   (BENCH_EVENTS=10000 for a quick run)
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startApiServer } from "./support/api-server.ts";
import { createBenchDatabase } from "./support/bench-database.ts";
import { backendPids, measureCpu } from "./support/cpu-time.ts";
import { describeMachine } from "./support/machine.ts";
import { formatRate, percentile } from "./support/stats.ts";

const eventsPerPath = Number(process.env.BENCH_EVENTS ?? 30_000);
const batchSize = 20;
const inFlight = 16;
const origin = "https://bench-shop.example";
const timeLimitMs = 110_000;

interface WireEvent {
  messageId: string;
  type: "page" | "track";
  event: string;
  properties: Record<string, unknown>;
  anonymousId: string;
  timestamp: string;
  context: Record<string, unknown>;
}

function makeBatches(prefix: string): WireEvent[][] {
  const now = Date.now();
  const events = Array.from({ length: eventsPerPath }, (_, i): WireEvent => {
    const page = i % 3 === 0;
    return {
      messageId: `${prefix}-${i}`,
      type: page ? "page" : "track",
      event: page ? "Page Viewed" : "Product Viewed",
      properties: page
        ? { path: `/products/p${i % 50}` }
        : { productId: `p${i % 50}`, price: 10 + (i % 40), currency: "EUR" },
      anonymousId: `visitor-${i % 2000}`,
      timestamp: new Date(now - (eventsPerPath - i)).toISOString(),
      context: {
        page: {
          url: `${origin}/products/p${i % 50}`,
          path: `/products/p${i % 50}`,
          referrer: "",
          title: "Shop",
        },
        userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/130",
        locale: "en-GB",
        timezone: "Europe/London",
        library: { name: "cartwheel-sdk", version: "0.1.0" },
      },
    };
  });
  const batches: WireEvent[][] = [];
  for (let i = 0; i < events.length; i += batchSize) batches.push(events.slice(i, i + batchSize));
  return batches;
}

/** Sends every batch with `inFlight` at a time; returns events/s and per-batch latencies. */
async function drive(batches: WireEvent[][], send: (batch: WireEvent[]) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const deadline = Date.now() + timeLimitMs / 4;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < batches.length) {
        if (Date.now() > deadline) throw new Error("benchmark step exceeded its time budget");
        const batch = batches[next++]!;
        const t0 = performance.now();
        await send(batch);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rate: (batches.length * batchSize) / seconds, latencies };
}

const columns = 8;
async function rawInsert(pool: pg.Pool, workspaceId: string, batch: WireEvent[]) {
  const values: unknown[] = [];
  const tuples = batch.map((event, i) => {
    values.push(
      workspaceId,
      event.anonymousId,
      event.event,
      JSON.stringify(event.properties),
      JSON.stringify({ ...event.context, type: event.type }),
      event.timestamp,
      event.messageId,
      null,
    );
    const n = i * columns;
    return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}::jsonb, $${n + 5}::jsonb, $${n + 6}, now(), $${n + 7}, $${n + 8}::uuid)`;
  });
  await pool.query(
    `INSERT INTO events (workspace_id, anonymous_id, name, properties, context, occurred_at,
                         received_at, message_id, contact_id)
     VALUES ${tuples.join(",")} ON CONFLICT (workspace_id, message_id) DO NOTHING`,
    values,
  );
}

async function postJson(url: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, any>;
}

const ingestMutation = `mutation($input: IngestEventsInput!) { ingestEvents(input: $input) {
  __typename ... on MutationIngestEventsSuccess { result { accepted duplicates } } ... on Error { message } } }`;

const guard = setTimeout(() => {
  console.error(`ingest bench: over ${timeLimitMs / 1000} s, giving up`);
  process.exit(1);
}, timeLimitMs + 15_000);
guard.unref();

const database = await createBenchDatabase("ingest");
const adminKey = `cw_admin_${randomBytes(16).toString("hex")}`;
const benchApplication = "cartwheel-bench";
const pool = new pg.Pool({
  connectionString: database.url,
  max: inFlight,
  application_name: benchApplication,
});
const databaseName = new URL(database.url).pathname.slice(1);
// Dropping the database ends idle connections; that is expected, not a crash.
pool.on("error", () => {});
const server = await startApiServer({
  databaseUrl: database.url,
  adminKey,
  env: { CARTWHEEL_INGEST_RATE_PER_SECOND: "1000000", CARTWHEEL_INGEST_RATE_BURST: "1000000" },
});
try {
  const admin = { "content-type": "application/json", authorization: `Bearer ${adminKey}` };
  const created = await postJson(
    `${server.url}/graphql`,
    {
      query: `mutation($w: CreateWorkspaceInput!) { createWorkspace(input: $w) {
        ... on MutationCreateWorkspaceSuccess { workspace { id } } } }`,
      variables: { w: { name: "Bench shop", allowedOrigins: [origin] } },
    },
    admin,
  );
  const workspaceGlobalId: string = created.data.createWorkspace.workspace.id;
  const keyResult = await postJson(
    `${server.url}/graphql`,
    {
      query: `mutation($k: CreateApiKeyInput!) { createApiKey(input: $k) {
        ... on MutationCreateApiKeySuccess { created { plaintext } } } }`,
      variables: { k: { workspaceId: workspaceGlobalId, name: "storefront", kind: "PUBLIC" } },
    },
    admin,
  );
  const writeKey: string = keyResult.data.createApiKey.created.plaintext;
  const { rows } = await pool.query<{ id: string }>("SELECT id FROM workspaces LIMIT 1");
  const workspaceId = rows[0]!.id;

  const sendHttp = async (batch: WireEvent[]) => {
    const result = await postJson(
      `${server.url}/v1/batch`,
      { writeKey, sentAt: new Date().toISOString(), batch },
      { "content-type": "text/plain;charset=UTF-8", origin },
    );
    if (result.accepted !== batch.length) throw new Error(`HTTP batch: ${JSON.stringify(result)}`);
  };
  const sendGraphql = async (batch: WireEvent[]) => {
    const events = batch.map((event) => ({ ...event, type: event.type.toUpperCase() }));
    const result = await postJson(
      `${server.url}/graphql`,
      { query: ingestMutation, variables: { input: { events } } },
      { "content-type": "application/json", authorization: `Bearer ${writeKey}`, origin },
    );
    if (result.data?.ingestEvents?.result?.accepted !== batch.length) {
      throw new Error(`GraphQL batch: ${JSON.stringify(result).slice(0, 300)}`);
    }
  };

  // Warm up both paths (JIT, connection pools, prepared plans), then measure.
  await drive(makeBatches("warm-http").slice(0, 50), sendHttp);
  await drive(makeBatches("warm-gql").slice(0, 50), sendGraphql);
  await drive(makeBatches("warm-raw").slice(0, 50), (batch) => rawInsert(pool, workspaceId, batch));

  // CPU too: the raw path's Postgres backends; the API's process and its backends.
  const rawProcesses = {
    postgres: () =>
      backendPids(pool, databaseName, { applicationName: benchApplication, matching: true }),
  };
  const apiProcesses = {
    api: async () => [server.pid],
    postgres: () =>
      backendPids(pool, databaseName, { applicationName: benchApplication, matching: false }),
  };
  const baseline = await measureCpu(rawProcesses, () =>
    drive(makeBatches("raw"), (batch) => rawInsert(pool, workspaceId, batch)),
  );
  const http = await measureCpu(apiProcesses, () => drive(makeBatches("http"), sendHttp));
  const graphql = await measureCpu(apiProcesses, () => drive(makeBatches("gql"), sendGraphql));

  const counted = await pool.query<{ prefix: string; events: number; jobs: number }>(
    `SELECT split_part(message_id, '-', 1) AS prefix, count(DISTINCT e.id)::int AS events,
            count(j.event_id)::int AS jobs
       FROM events e
       LEFT JOIN (SELECT j.id, entry->>'eventId' AS event_id
                    FROM graphile_worker._private_jobs j
                    JOIN graphile_worker._private_tasks t ON t.id = j.task_id
                   CROSS JOIN LATERAL json_array_elements(
                           CASE WHEN t.identifier = 'process_events' THEN j.payload
                                ELSE json_build_array(j.payload) END) AS entry
                   WHERE t.identifier IN ('process_event', 'process_events')) j
         ON j.event_id = e.id::text
      WHERE message_id NOT LIKE 'warm-%'
      GROUP BY 1 ORDER BY 1`,
  );
  const byPrefix = new Map(counted.rows.map((row) => [row.prefix, row]));

  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(`machine: ${describeMachine()}`);
  console.log(`events per path: ${eventsPerPath}, batches of ${batchSize}, ${inFlight} in flight`);
  const cpuPer1000 = (cpuMs: number) => (cpuMs * 1000) / eventsPerPath;
  console.log(
    `baseline  raw multi-row INSERT (pg):  ${formatRate(baseline.result.rate)} events, ` +
      `CPU per 1,000 events: Postgres ${cpuPer1000(baseline.cpuMs.postgres).toFixed(0)} ms`,
  );
  for (const [label, { result, cpuMs }, prefix] of [
    ["HTTP      POST /v1/batch:            ", http, "http"],
    ["GraphQL   ingestEvents:              ", graphql, "gql"],
  ] as const) {
    const stored = byPrefix.get(prefix);
    console.log(
      `${label}${formatRate(result.rate)} events, ${(result.rate / baseline.result.rate).toFixed(2)}× baseline, ` +
        `CPU per 1,000 events: API ${cpuPer1000(cpuMs.api).toFixed(0)} ms + Postgres ${cpuPer1000(cpuMs.postgres).toFixed(0)} ms ` +
        `(Postgres ${(cpuMs.postgres / baseline.cpuMs.postgres).toFixed(1)}× the baseline's), ` +
        `batch p50 ${ms(percentile(result.latencies, 50))}, p99 ${ms(percentile(result.latencies, 99))}; ` +
        `stored ${stored?.events ?? 0}/${eventsPerPath}, in process_events jobs ${stored?.jobs ?? 0}`,
    );
  }
  const lost = ["raw", "http", "gql"].filter(
    (prefix) => byPrefix.get(prefix)?.events !== eventsPerPath,
  );
  const jobless = ["http", "gql"].filter((prefix) => byPrefix.get(prefix)?.jobs !== eventsPerPath);
  if (lost.length > 0 || jobless.length > 0) {
    throw new Error(
      `events lost on ${lost.join(", ") || "-"}; jobs missing on ${jobless.join(", ") || "-"}`,
    );
  }
  const target = 3000;
  console.log(
    `target ≥ ${target} events/s through HTTP: ${http.result.rate >= target ? "met" : "NOT met"}`,
  );
} finally {
  await server.stop();
  await pool.end();
  await database.drop();
}
