/**
 * Recommendations at shop scale: 10,000 products, 200,000 customers, ~1,000,000 order lines and
 * ~3,000,000 product views from the synthetic shop (bench/support/shop-data.ts), generated from a
 * seed. It measures
 * - the full rebuild (`rebuildRecommendationGraphs`: ledger, counts, pairs, top-50 neighbours of
 *   both graphs) against one hand-written SQL statement computing the same neighbours straight
 *   from the rows (no ledger, nothing kept up to date incrementally) as the baseline, same run;
 * - the incremental upkeep per order: 1,000 new orders pushed by a backend, then the periodic
 *   `foldContributions` + `refreshNeighbours` that bring them into the graphs;
 * - query latency p50/p95 of `recommendProducts` per strategy for a product, a 3-item cart and a
 *   contact (goal p95 ≤ 20 ms).
 * The `upsertProducts` rate against a raw `INSERT … ON CONFLICT` is bench/catalog.ts.
 *
 *   DATABASE_URL=postgres://… npx tsx bench/recommendations.ts   (BENCH_SCALE=0.1 for a quick run,
 *   BENCH_KEEP_DATABASE=1 to keep the data for EXPLAIN)
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createBenchDatabase } from "./support/bench-database.ts";
import { describeMachine } from "./support/machine.ts";
import { seededRandom } from "./support/segment-data.ts";
import { generateOrders, insertOrders, insertProducts, productId } from "./support/shop-data.ts";
import { percentile } from "./support/stats.ts";

const scale = Number(process.env.BENCH_SCALE ?? 1);
const sizes = {
  products: Math.round(10_000 * scale),
  customers: Math.round(200_000 * scale),
  maxOrders: 4,
};
const targetViews = Math.round(3_000_000 * scale);
const newOrders = Math.max(100, Math.round(1_000 * Math.min(1, scale * 10)));
const samples = 200;
const goalP95Ms = 20;
const end = new Date("2026-06-01T00:00:00Z");
const dayMs = 86_400_000;

const database = await createBenchDatabase("recommendations");
process.env.DATABASE_URL = database.url;
const {
  db,
  createWorkspace,
  foldContributions,
  rebuildRecommendationGraphs,
  recommendProducts,
  refreshNeighbours,
} = await import("@cartwheel/api/domain");
const client = new pg.Client({ connectionString: database.url });
await client.connect();

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The baseline: both graphs' top-50 neighbours by cosine over pairs seen at least twice, from the
 * order lines of the last 365 days and the product views of the last 90 days cut into 30-minute
 * sessions, in one statement into a fresh table.
 */
const baselineSql = `
  CREATE UNLOGGED TABLE baseline_neighbours AS
  WITH baskets AS (
    SELECT DISTINCT l.order_id AS basket, l.shop_product_id AS product
      FROM orders o JOIN order_lines l ON l.order_id = o.id
     WHERE o.workspace_id = $1 AND o.ordered_at >= $2::timestamptz - interval '365 days'
       AND o.ordered_at <= $2::timestamptz AND o.status::text NOT IN ('CANCELLED', 'REFUNDED')
  ), views AS (
    SELECT id, contact_id, properties->>'product_id' AS product, occurred_at,
           CASE WHEN occurred_at - lag(occurred_at) OVER (PARTITION BY contact_id ORDER BY occurred_at, id)
                     <= interval '30 minutes' THEN 0 ELSE 1 END AS starts
      FROM events
     WHERE workspace_id = $1 AND name = 'Product Viewed' AND contact_id IS NOT NULL
       AND occurred_at >= $2::timestamptz - interval '90 days' AND occurred_at <= $2::timestamptz
  ), sessions AS (
    SELECT DISTINCT contact_id::text || ':' || sum(starts) OVER (PARTITION BY contact_id ORDER BY occurred_at, id) AS basket,
           product
      FROM views
  ), items AS (
    SELECT 'PURCHASE' AS graph, basket::text, product FROM baskets
    UNION ALL SELECT 'VIEW', basket, product FROM sessions
  ), counts AS (
    SELECT graph, product, count(*) AS n FROM items GROUP BY graph, product
  ), pairs AS (
    SELECT a.graph, a.product, b.product AS other, count(*) AS together
      FROM items a JOIN items b ON b.graph = a.graph AND b.basket = a.basket AND b.product <> a.product
     GROUP BY a.graph, a.product, b.product HAVING count(*) >= 2
  ), ranked AS (
    SELECT p.graph, p.product, p.other, p.together / sqrt(ca.n::float8 * cb.n) AS score,
           row_number() OVER (PARTITION BY p.graph, p.product
                              ORDER BY p.together / sqrt(ca.n::float8 * cb.n) DESC, p.other) AS rank
      FROM pairs p
      JOIN counts ca ON ca.graph = p.graph AND ca.product = p.product
      JOIN counts cb ON cb.graph = p.graph AND cb.product = p.other
  )
  SELECT graph, product, other, score FROM ranked WHERE rank <= 50`;

try {
  const workspace = await createWorkspace({ name: "Recommendations bench" });
  const loadStarted = performance.now();
  const orders = generateOrders(sizes, end);
  await insertProducts(client, workspace.id, sizes.products);
  const { contactIds } = await insertOrders(client, workspace.id, sizes.customers, orders);
  // Browsing that did not end in an order, up to the target: sessions of 1–6 views, skewed to
  // popular products, spread over the last 120 days.
  await client.query("SELECT setseed(0.42)");
  await client.query(
    `INSERT INTO events (workspace_id, contact_id, name, properties, occurred_at, message_id)
     SELECT $1, ($2::uuid[])[1 + floor(random() * $3)::int], 'Product Viewed',
            jsonb_build_object('product_id', 'p' || lpad(floor(power(random(), 3) * $4)::int::text, 5, '0')),
            $5::timestamptz - random() * interval '120 days', gen_random_uuid()::text
       FROM generate_series(1, greatest(0, $6 - (SELECT count(*) FROM events WHERE name = 'Product Viewed')))`,
    [workspace.id, contactIds, contactIds.length, sizes.products, end, targetViews],
  );
  await client.query("ANALYZE");
  const [{ lines, views }] = (
    await client.query(
      `SELECT (SELECT count(*) FROM order_lines)::int AS lines,
              (SELECT count(*) FROM events WHERE name = 'Product Viewed')::int AS views`,
    )
  ).rows;
  console.log(
    `shop: ${sizes.products.toLocaleString("en")} products, ${sizes.customers.toLocaleString("en")} customers, ${orders.length.toLocaleString("en")} orders, ${Number(lines).toLocaleString("en")} order lines, ${Number(views).toLocaleString("en")} product views (loaded in ${seconds(performance.now() - loadStarted)})`,
  );

  // Full rebuild, against the one-statement baseline.
  let started = performance.now();
  await client.query(baselineSql, [workspace.id, end]);
  const baselineMs = performance.now() - started;
  const [{ baselineRows }] = (
    await client.query(`SELECT count(*)::int AS "baselineRows" FROM baseline_neighbours`)
  ).rows;
  started = performance.now();
  const rebuild = await rebuildRecommendationGraphs(workspace.id, { now: end });
  const rebuildMs = performance.now() - started;
  const [{ neighbours }] = (
    await client.query(`SELECT count(*)::int AS neighbours FROM recommendation_neighbours`)
  ).rows;
  console.log(
    `\nfull rebuild: ${seconds(rebuildMs)} (${rebuild.orders.toLocaleString("en")} orders, ${rebuild.views.toLocaleString("en")} view signals, ${Number(neighbours).toLocaleString("en")} neighbours kept)`,
  );
  console.log(
    `baseline (one SQL statement, nothing kept for incremental upkeep): ${seconds(baselineMs)} (${Number(baselineRows).toLocaleString("en")} neighbours)`,
  );
  console.log(`ratio: rebuild takes ${(rebuildMs / baselineMs).toFixed(2)}× the baseline's time`);

  // Incremental upkeep: new orders as a backend pushes them, then the periodic fold and re-rank.
  const random = seededRandom(11);
  const after = new Date(end.getTime() + dayMs);
  const pushed = Array.from({ length: newOrders }, (_, i) => {
    const anchor = Math.floor(random() ** 2 * sizes.products);
    return {
      customer: Math.floor(random() * sizes.customers),
      at: new Date(end.getTime() + i * 1000),
      products: [anchor, (anchor + 1) % sizes.products],
      views: [],
    };
  });
  const orderRows = pushed.map((_, i) => `bench-new-${i}`);
  await client.query(
    `INSERT INTO orders (id, workspace_id, shop_order_id, contact_id, currency, total, ordered_at, status_at, source, data_at)
     SELECT gen_random_uuid(), $1, shop, ($2::uuid[])[1 + c], 'EUR', 2000, at, at, 'API', at
       FROM unnest($3::text[], $4::int[], $5::timestamptz[]) o(shop, c, at)`,
    [workspace.id, contactIds, orderRows, pushed.map((o) => o.customer), pushed.map((o) => o.at)],
  );
  await client.query(
    `INSERT INTO order_lines (order_id, workspace_id, position, shop_product_id, price, quantity)
     SELECT o.id, $1, l.pos, l.product, 1000, 1
       FROM unnest($2::text[], $3::int[], $4::text[]) l(shop, pos, product)
       JOIN orders o ON o.workspace_id = $1 AND o.shop_order_id = l.shop`,
    [
      workspace.id,
      pushed.flatMap((o, i) => o.products.map(() => orderRows[i] ?? "")),
      pushed.flatMap((o) => o.products.map((_, position) => position)),
      pushed.flatMap((o) => o.products.map(productId)),
    ],
  );
  started = performance.now();
  const folded = await foldContributions({ now: after });
  const foldMs = performance.now() - started;
  const reranked = await refreshNeighbours();
  const upkeepMs = performance.now() - started;
  console.log(
    `\nincremental: ${newOrders.toLocaleString("en")} new orders folded (${folded} signals, ${reranked} products re-ranked) in ${upkeepMs.toFixed(0)} ms (fold ${foldMs.toFixed(0)} ms, re-rank ${(upkeepMs - foldMs).toFixed(0)} ms): ${(upkeepMs / newOrders).toFixed(2)} ms per order, ${(rebuildMs / newOrders).toFixed(0)} ms per order if each triggered a rebuild`,
  );

  // Query latency per strategy and anchor kind.
  const popularProduct = () => productId(Math.floor(random() ** 2 * sizes.products));
  const someContact = () => contactIds[Math.floor(random() * contactIds.length)] ?? "";
  const cases = [
    {
      label: "product",
      strategy: "frequently_bought_together",
      input: () => ({ productIds: [popularProduct()] }),
    },
    {
      label: "product",
      strategy: "viewed_also_viewed",
      input: () => ({ productIds: [popularProduct()] }),
    },
    { label: "product", strategy: "upsell", input: () => ({ productIds: [popularProduct()] }) },
    {
      label: "3-item cart",
      strategy: "frequently_bought_together",
      input: () => ({
        productIds: [...new Set([popularProduct(), popularProduct(), popularProduct()])],
      }),
    },
    { label: "contact", strategy: "cross_sell", input: () => ({ contactId: someContact() }) },
    { label: "contact", strategy: "for_you", input: () => ({ contactId: someContact() }) },
    { label: "none", strategy: "bestsellers", input: () => ({}) },
  ] as const;
  console.log(`\nquery latency, ${samples} requests each (limit 6), goal p95 ≤ ${goalP95Ms} ms\n`);
  console.log("| strategy | anchor | p50 | p95 | goal |");
  console.log("| --- | --- | --- | --- | --- |");
  let missed = 0;
  for (const { label, strategy, input } of cases) {
    for (let i = 0; i < 10; i++) {
      await recommendProducts(workspace.id, { strategy, ...input(), limit: 6 }, { now: after });
    }
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const request = { strategy, ...input(), limit: 6 };
      const t = performance.now();
      await recommendProducts(workspace.id, request, { now: after });
      times.push(performance.now() - t);
    }
    const p95 = percentile(times, 95);
    if (p95 > goalP95Ms) missed += 1;
    console.log(
      `| ${strategy} | ${label} | ${percentile(times, 50).toFixed(1)} ms | ${p95.toFixed(1)} ms | ${p95 <= goalP95Ms ? "met" : "missed"} |`,
    );
  }
  console.log(
    missed === 0 ? "\nevery strategy meets the p95 goal" : `\n${missed} cases miss the p95 goal`,
  );
  console.log(`\nmachine: ${describeMachine()}`);
} finally {
  await client.end();
  await db().$disconnect();
  if (process.env.BENCH_KEEP_DATABASE) console.log(`kept for inspection: ${database.url}`);
  else await database.drop();
}
