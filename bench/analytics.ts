/**
 * Analytics: the shop KPIs and the attribution report for a 90-day range, each against a
 * hand-written query on the raw tables for the same figures (which must agree), in the same
 * run; then live fan-out: the latency from an event being stored to each of 100 SSE clients
 * of a second process (the real API server) receiving it.
 *
 * Data: 100,000 contacts, 1,000,000 orders, 10,000,000 events, 2,000,000 messages with their
 * touch log and 300,000 carts over a year, generated in SQL from a seed. BENCH_SCALE=0.1 for a
 * quick run. Target (from the issue): p95 ≤ 200 ms for each report, read from the roll-ups
 * (15-minute slots rebuilt by `roll_up_analytics`). Also measured: building the roll-ups from
 * scratch, their upkeep (folding page views into visits; one roll-up run after a day of new
 * orders, page views, sends and clicks), and a preview of another model (computed live).
 *
 *   DATABASE_URL=postgres://… npx tsx bench/analytics.ts
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { startApiServer } from "./support/api-server.ts";
import { createBenchDatabase } from "./support/bench-database.ts";
import { describeMachine } from "./support/machine.ts";
import { percentile } from "./support/stats.ts";

const scale = Number(process.env.BENCH_SCALE ?? 1);
const sizes = {
  contacts: Math.round(100_000 * scale),
  orders: Math.round(1_000_000 * scale),
  events: Math.round(10_000_000 * scale),
  messages: Math.round(2_000_000 * scale),
  carts: Math.round(300_000 * scale),
};
const runs = 9;
const subscribers = 100;
const fanOutEvents = 20;

console.log(`machine: ${describeMachine()}`);
console.log(
  `data: ${Object.entries(sizes)
    .map(([what, count]) => `${count.toLocaleString("en")} ${what}`)
    .join(", ")} (BENCH_SCALE=${scale})`,
);

const database = await createBenchDatabase("analytics");
process.env.DATABASE_URL = database.url;
const domain = await import("@cartwheel/api/domain");
const { reportShopKpis } = await import("../packages/api/src/domain/analytics/shop-kpis.ts");
const { reportRevenueAttribution } = await import(
  "../packages/api/src/domain/analytics/revenue-attribution.ts"
);
const { rollUpAnalytics } = await import("../packages/api/src/domain/analytics/roll-up.ts");
const { recordVisit } = await import("../packages/api/src/domain/analytics/visitor-sessions.ts");
const { withTransaction } = await import("../packages/api/src/db.ts");
const client = new pg.Client({ connectionString: database.url });
await client.connect();
const ms = (value: number) => `${value.toFixed(1)} ms`;
let failed = false;

async function timed(work: () => Promise<unknown>): Promise<number[]> {
  await work(); // warm
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return times;
}

/** Everything in SQL from one seed: the same data on every run. */
async function loadData(workspaceId: string, now: Date) {
  const year = `'${now.toISOString()}'::timestamptz - interval '365 days'`;
  const within = (column = "random()") => `${year} + ${column} * interval '365 days'`;
  const contact = "md5('c' || (1 + floor(random() * $2))::int)::uuid";
  await client.query("SET max_parallel_workers_per_gather = 0");
  await client.query("SELECT setseed(0.42)");
  const steps: [string, string, unknown[]][] = [
    [
      "contacts",
      `INSERT INTO contacts (id, workspace_id, email, consent_status)
       SELECT md5('c' || i)::uuid, $1, 'c' || i || '@bench.example', 'SUBSCRIBED'
         FROM generate_series(1, $2) i`,
      [workspaceId, sizes.contacts],
    ],
    [
      "orders",
      `INSERT INTO orders (workspace_id, shop_order_id, contact_id, currency, total, refunded_amount, status,
                           ordered_at, status_at, data_at, source)
       SELECT $1, 'o' || i, ${contact}, 'USD', t.total,
              CASE WHEN r < 0.05 THEN t.total / 2 ELSE 0 END,
              (CASE WHEN r > 0.98 THEN 'CANCELLED' WHEN r < 0.05 THEN 'PARTIALLY_REFUNDED' ELSE 'PAID' END)::order_status,
              t.at, t.at, t.at, 'API'
         FROM generate_series(1, $3) i,
              LATERAL (SELECT 1000 + floor(random() * 20000)::bigint AS total, ${within()} AS at, random() AS r
                        WHERE i > 0) t`,
      [workspaceId, sizes.contacts, sizes.orders],
    ],
    [
      "messages",
      `INSERT INTO messages (workspace_id, contact_id, kind, idempotency_key, status, to_email, queued_at,
                             sent_at, opened_at, clicked_at, bounced_at)
       SELECT $1, m.contact, (CASE WHEN m.r < 0.9 THEN 'MARKETING' ELSE 'TRANSACTIONAL' END)::email_kind,
              'm' || i, 'SENT', 'bench@example.com', m.at, m.at,
              CASE WHEN m.r2 < 0.3 THEN m.at + interval '2 hours' END,
              CASE WHEN m.r2 < 0.06 THEN m.at + interval '3 hours' END,
              CASE WHEN m.r2 > 0.99 THEN m.at + interval '1 second' END
         FROM generate_series(1, $3) i,
              LATERAL (SELECT ${contact} AS contact, ${within()} AS at, random() AS r, random() AS r2
                        WHERE i > 0) m`,
      [workspaceId, sizes.contacts, sizes.messages],
    ],
    [
      "touches",
      `INSERT INTO message_touches (workspace_id, message_id, contact_id, kind, machine, url, occurred_at)
       SELECT workspace_id, id, contact_id, 'OPENED'::touch_kind, false, NULL, opened_at FROM messages
        WHERE workspace_id = $1 AND opened_at IS NOT NULL
       UNION ALL
       SELECT workspace_id, id, contact_id, 'CLICKED'::touch_kind, false, 'https://shop.example/p', clicked_at FROM messages
        WHERE workspace_id = $1 AND clicked_at IS NOT NULL`,
      [workspaceId],
    ],
    [
      "carts",
      `INSERT INTO carts (workspace_id, shop_cart_id, contact_id, currency, status, last_activity_at, created_at)
       SELECT $1, 'k' || i, ${contact}, 'USD',
              (CASE WHEN random() < 0.3 THEN 'CONVERTED' ELSE 'ABANDONED' END)::cart_status, c.at, c.at
         FROM generate_series(1, $3) i, LATERAL (SELECT ${within()} AS at WHERE i > 0) c`,
      [workspaceId, sizes.contacts, sizes.carts],
    ],
  ];
  for (const [what, sql, values] of steps) {
    const start = performance.now();
    await client.query(sql, values);
    console.log(`  ${what}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
  const chunk = 1_000_000;
  const start = performance.now();
  for (let from = 1; from <= sizes.events; from += chunk) {
    const to = Math.min(sizes.events, from + chunk - 1);
    await client.query(
      `INSERT INTO events (workspace_id, contact_id, anonymous_id, name, occurred_at, message_id)
       SELECT $1, CASE WHEN e.r < 0.6 THEN ${contact} END,
              CASE WHEN e.r >= 0.6 THEN 'a' || floor(random() * $2 * 2)::int END,
              CASE WHEN e.r2 < 0.8 THEN 'Page Viewed' WHEN e.r2 < 0.95 THEN 'Product Viewed' ELSE 'Product Added' END,
              e.at, 'e' || i
         FROM generate_series($3::int, $4::int) i,
              LATERAL (SELECT random() AS r, random() AS r2, ${within()} AS at WHERE i > 0) e`,
      [workspaceId, sizes.contacts, from, to],
    );
  }
  console.log(`  events: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  // The visits `process_event` keeps as page views arrive, built at once from the loaded ones.
  const visits = performance.now();
  await client.query("SELECT cartwheel_rebuild_visitor_sessions($1)", [workspaceId]);
  console.log(
    `  visits (from the page views): ${((performance.now() - visits) / 1000).toFixed(1)} s`,
  );
  await client.query("VACUUM ANALYZE");
}

/** A day of new activity, then one roll-up run: its cost per changed row. */
async function measureUpkeep(workspaceId: string, now: Date) {
  const views = 2_000;
  const day = `'${now.toISOString()}'::timestamptz - random() * interval '1 day'`;
  const contact = "md5('c' || (1 + floor(random() * $2))::int)::uuid";
  const fold = performance.now();
  await withTransaction(async (tx) => {
    for (let i = 0; i < views; i++) {
      await recordVisit(tx, {
        workspaceId,
        contactId: null,
        anonymousId: `upkeep-${i % 400}`,
        name: "Page Viewed",
        occurredAt: new Date(now.getTime() - ((i * 7919) % 86_400) * 1000),
      });
    }
  });
  const foldMs = performance.now() - fold;
  await client.query(
    `INSERT INTO orders (workspace_id, shop_order_id, contact_id, currency, total, status, ordered_at, status_at, data_at, source)
     SELECT $1, 'upkeep-' || i, ${contact}, 'USD', 5000, 'PAID', t.at, t.at, t.at, 'API'
       FROM generate_series(1, 1000) i, LATERAL (SELECT ${day} AS at WHERE i > 0) t`,
    [workspaceId, sizes.contacts],
  );
  await client.query(
    `INSERT INTO messages (workspace_id, contact_id, kind, idempotency_key, status, to_email, queued_at, sent_at)
     SELECT $1, ${contact}, 'MARKETING', 'upkeep-' || i, 'SENT', 'bench@example.com', m.at, m.at
       FROM generate_series(1, 1000) i, LATERAL (SELECT ${day} AS at WHERE i > 0) m`,
    [workspaceId, sizes.contacts],
  );
  await client.query(
    `INSERT INTO message_touches (workspace_id, message_id, contact_id, kind, machine, url, occurred_at)
     SELECT workspace_id, id, contact_id, 'CLICKED', false, 'https://shop.example/p', sent_at + interval '1 hour'
       FROM messages WHERE workspace_id = $1 AND idempotency_key LIKE 'upkeep-%' AND random() < 0.3`,
    [workspaceId],
  );
  const changed = views + 1_000 + 1_000;
  const roll = performance.now();
  const [rolled] = await rollUpAnalytics({ workspaceId });
  const rollMs = performance.now() - roll;
  console.log(
    `upkeep: folding ${views} page views into visits ${ms(foldMs)} (${(foldMs / views).toFixed(3)} ms per view, inside process_event); ` +
      `one roll-up run after a day of ${changed.toLocaleString("en")} new rows (+ their clicks): ${ms(rollMs)}, ` +
      `${rolled?.slots ?? 0} slots, ${rolled?.marks ?? 0} marks, ${(rollMs / changed).toFixed(3)} ms per new row`,
  );
}

/** The same headline figures by hand: revenue, orders and last-click attributed revenue. */
const handWritten = `
  WITH period AS (SELECT $2::timestamptz AS start, $3::timestamptz AS stop),
  o AS (
    SELECT o.id, o.contact_id, o.ordered_at, o.status,
           CASE WHEN o.status = 'CANCELLED' THEN 0 ELSE o.total - o.refunded_amount END AS net
      FROM orders o, period
     WHERE o.workspace_id = $1 AND o.currency = 'USD' AND o.ordered_at >= period.start AND o.ordered_at < period.stop)
  SELECT sum(net)::bigint AS revenue, count(*) FILTER (WHERE status <> 'CANCELLED') AS orders,
         COALESCE(sum(net) FILTER (WHERE EXISTS (
           SELECT 1 FROM message_touches t JOIN messages m ON m.id = t.message_id AND m.kind = 'MARKETING'
            WHERE t.workspace_id = $1 AND t.contact_id = o.contact_id AND t.kind = 'CLICKED' AND NOT t.machine
              AND t.occurred_at <= o.ordered_at AND t.occurred_at > o.ordered_at - interval '120 hours')), 0)::bigint AS attributed
    FROM o`;

try {
  const now = new Date();
  const workspace = await domain.createWorkspace({ name: "Bench shop" });
  console.log("setup:");
  await loadData(workspace.id, now);
  const build = performance.now();
  await rollUpAnalytics({ workspaceId: workspace.id, timeBudgetMs: Number.POSITIVE_INFINITY });
  console.log(`  roll-ups from scratch: ${((performance.now() - build) / 1000).toFixed(1)} s`);

  const today = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - 89 * 86_400_000).toISOString().slice(0, 10);
  const period = { from, to: today, bucket: "DAY" as const };
  const start = new Date(`${from}T00:00:00Z`);
  const stop = new Date(`${today}T00:00:00Z`);
  stop.setUTCDate(stop.getUTCDate() + 1);

  const kpis = await reportShopKpis(workspace.id, period);
  const attribution = await reportRevenueAttribution(workspace.id, period);
  const hand = (await client.query(handWritten, [workspace.id, start, stop])).rows[0];
  const agree =
    BigInt(hand.revenue) === kpis.total.revenue &&
    Number(hand.orders) === kpis.total.orders &&
    BigInt(hand.attributed) === attribution.attributedRevenue;
  console.log(
    `figures (90 days): revenue ${kpis.total.revenue} orders ${kpis.total.orders} attributed ${attribution.attributedRevenue}; hand-written query ${agree ? "agrees" : `DISAGREES (${JSON.stringify(hand)})`}`,
  );
  failed ||= !agree;

  const baseline = await timed(() => client.query(handWritten, [workspace.id, start, stop]));
  const kpiTimes = await timed(() => reportShopKpis(workspace.id, period));
  const attributionTimes = await timed(() => reportRevenueAttribution(workspace.id, period));
  const base95 = percentile(baseline, 95);
  for (const [name, times] of [
    ["shopKpis (all figures, daily buckets)", kpiTimes],
    ["revenueAttribution (with breakdowns)", attributionTimes],
  ] as const) {
    const p95 = percentile(times, 95);
    console.log(
      `${name}: p50 ${ms(percentile(times, 50))}, p95 ${ms(p95)}; hand-written headline query p95 ${ms(base95)}; ratio ${(p95 / base95).toFixed(2)}×; target p95 ≤ 200 ms ${p95 <= 200 ? "met" : "MISSED"}`,
    );
  }
  const previewTimes = await timed(() =>
    reportRevenueAttribution(workspace.id, period, { clickWindowHours: 240 }),
  );
  console.log(
    `revenueAttribution previewing another model (every slot computed live): p95 ${ms(percentile(previewTimes, 95))}; ratio ${(percentile(previewTimes, 95) / base95).toFixed(2)}×`,
  );
  await measureUpkeep(workspace.id, now);

  // Fan-out: 100 SSE clients of the real API server, events stored by this process.
  const adminKey = `cw_admin_${randomBytes(16).toString("hex")}`;
  const api = await startApiServer({ databaseUrl: database.url, adminKey });
  try {
    const key = await domain.createApiKey({
      workspaceId: workspace.id,
      name: "bench",
      kind: "SECRET",
    });
    const contactId = (await client.query<{ id: string }>("SELECT md5('c1')::uuid::text AS id"))
      .rows[0]!.id;
    const { encodeGlobalID } = await import("@pothos/plugin-relay");
    const received = new Map<string, number[]>();
    const aborts: AbortController[] = [];
    for (let i = 0; i < subscribers; i++) {
      const abort = new AbortController();
      aborts.push(abort);
      const response = await fetch(`${api.url}/graphql`, {
        method: "POST",
        signal: abort.signal,
        headers: {
          "content-type": "application/json",
          accept: "text/event-stream",
          authorization: `Bearer ${key.plaintext}`,
        },
        body: JSON.stringify({
          query: `subscription($id: ID!) { contactEvents(contactId: $id) { name } }`,
          variables: { id: encodeGlobalID("Contact", contactId) },
        }),
      });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      void (async () => {
        let buffered = "";
        for (;;) {
          const chunk = await reader.read().catch(() => ({ done: true, value: "" }));
          if (chunk.done) return;
          buffered += chunk.value;
          for (const match of buffered.matchAll(/"name":"(fan-out-\d+)"/g)) {
            const at = performance.now();
            const list = received.get(match[1]!) ?? [];
            list.push(at);
            received.set(match[1]!, list);
          }
          buffered = buffered.slice(buffered.lastIndexOf("\n\n") + 2);
        }
      })();
    }
    await new Promise((resolve) => setTimeout(resolve, 1000)); // every stream started
    const stored = new Map<string, number>();
    for (let i = 0; i < fanOutEvents; i++) {
      const name = `fan-out-${i}`;
      stored.set(name, performance.now());
      await client.query(
        "INSERT INTO events (workspace_id, contact_id, name, occurred_at, message_id) VALUES ($1, $2, $3, now(), $4)",
        [workspace.id, contactId, name, `fan-${i}`],
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const deadline = performance.now() + 10_000;
    while (
      [...stored.keys()].some((name) => (received.get(name)?.length ?? 0) < subscribers) &&
      performance.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const latencies = [...stored].flatMap(([name, at]) =>
      (received.get(name) ?? []).map((got) => got - at),
    );
    const expected = subscribers * fanOutEvents;
    console.log(
      `fan-out (${subscribers} SSE clients of a second process, ${fanOutEvents} events): ${latencies.length}/${expected} delivered, p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, max ${ms(Math.max(...latencies))}`,
    );
    failed ||= latencies.length < expected;
    for (const abort of aborts) abort.abort();
  } finally {
    await api.stop();
  }
} finally {
  await client.end();
  await domain.disconnectDatabase();
  if (process.env.BENCH_KEEP_DATABASE) console.log(`kept: ${database.url}`);
  else await database.drop();
}
process.exit(failed ? 1 : 0);
