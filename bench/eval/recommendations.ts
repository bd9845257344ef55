/**
 * `npm run eval:recommendations`: an offline evaluation of the recommendation strategies on a
 * deterministic synthetic shop with planted complements and substitutes (bench/support/
 * shop-data.ts). Each customer's last order is held out (its session's views are kept: they
 * came before it); the graphs are rebuilt from everything else; then each strategy is asked
 * what the held-out order should contain and scored by hit-rate@10, recall@10 and NDCG@10,
 * against global popularity and category popularity (of the anchor's category) as baselines
 * asked the same question with the same anchors left out.
 *
 * Tasks: frequently bought together starts from the order's first line and must find the rest
 * of the order; viewed also viewed and upsell start from the session's first view and must find
 * what was bought in its category instead (upsell: at 1.1–2× its price); cross-sell starts from
 * the contact and must find the order's products they did not own, for you the whole order.
 * EVAL_SCALE=2 doubles the shop.
 */
import { createBenchDatabase } from "../support/bench-database.ts";
import { describeMachine } from "../support/machine.ts";
import {
  categoryOf,
  generateOrders,
  insertOrders,
  insertProducts,
  priceOf,
  productId,
  type SyntheticOrder,
} from "../support/shop-data.ts";

const scale = Number(process.env.EVAL_SCALE ?? 1);
const sizes = {
  products: Math.round(400 * scale),
  customers: Math.round(1_000 * scale),
  maxOrders: 6,
  historyDays: 85,
};
const end = new Date("2026-06-01T00:00:00Z");
const k = 10;
/** EVAL_POPULARITY_WEIGHT overrides the strategies' default blend with popularity (0–1). */
const popularityWeight = process.env.EVAL_POPULARITY_WEIGHT
  ? { popularityWeight: Number(process.env.EVAL_POPULARITY_WEIGHT) }
  : {};

const orders = generateOrders(sizes, end);
const lastOf = new Map<number, SyntheticOrder>();
for (const order of orders) lastOf.set(order.customer, order);
for (const order of lastOf.values()) order.heldOut = true;

const database = await createBenchDatabase("eval_recs");
process.env.DATABASE_URL = database.url;
const { db, createWorkspace, rebuildRecommendationGraphs, recommendProducts } = await import(
  "@cartwheel/api/domain"
);
const pg = (await import("pg")).default;
const client = new pg.Client({ connectionString: database.url });
await client.connect();

try {
  const workspace = await createWorkspace({ name: "Eval shop" });
  await insertProducts(client, workspace.id, sizes.products);
  const { contactIds } = await insertOrders(client, workspace.id, sizes.customers, orders);
  const started = performance.now();
  const rebuild = await rebuildRecommendationGraphs(workspace.id, { now: end });
  console.log(
    `shop: ${sizes.products} products, ${sizes.customers} customers, ${orders.length - lastOf.size} training orders, ${rebuild.views} views; rebuild ${(performance.now() - started).toFixed(0)} ms`,
  );

  // Popularity baselines from the training orders, as a shop's own reports would give them.
  const sold = new Map<string, number>();
  for (const order of orders) {
    if (order.heldOut) continue;
    for (const p of order.products) sold.set(productId(p), (sold.get(productId(p)) ?? 0) + 1);
  }
  const byPopularity = [...sold.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([id]) => id);
  const popular = (
    excluded: Set<string>,
    category: string | null,
    keep: ((id: string) => boolean) | null = null,
  ) =>
    byPopularity
      .filter((id) => !excluded.has(id))
      .filter((id) => category === null || categoryOf(Number(id.slice(1))) === category)
      .filter((id) => keep === null || keep(id))
      .slice(0, k);
  const inBand = (index: number, anchor: number) =>
    priceOf(index) >= priceOf(anchor) * 1.1 && priceOf(index) <= priceOf(anchor) * 2;

  type Scores = { hits: number; recall: number; ndcg: number; n: number };
  const empty = (): Scores => ({ hits: 0, recall: 0, ndcg: 0, n: 0 });
  const add = (scores: Scores, ranked: string[], target: Set<string>) => {
    const top = ranked.slice(0, k);
    const found = top.filter((id) => target.has(id)).length;
    let dcg = 0;
    top.forEach((id, i) => {
      if (target.has(id)) dcg += 1 / Math.log2(i + 2);
    });
    let ideal = 0;
    for (let i = 0; i < Math.min(target.size, k); i++) ideal += 1 / Math.log2(i + 2);
    scores.hits += found > 0 ? 1 : 0;
    scores.recall += found / target.size;
    scores.ndcg += dcg / ideal;
    scores.n += 1;
  };

  const tasks = [
    "frequently_bought_together",
    "viewed_also_viewed",
    "upsell",
    "cross_sell",
    "for_you",
  ] as const;
  const results = Object.fromEntries(
    tasks.map((task) => [task, { strategy: empty(), global: empty(), category: empty() }]),
  );
  const owned = new Map<number, Set<string>>();
  for (const order of orders) {
    if (order.heldOut) continue;
    const mine = owned.get(order.customer) ?? new Set<string>();
    for (const p of order.products) mine.add(productId(p));
    owned.set(order.customer, mine);
  }
  for (const [customer, held] of lastOf) {
    const contactId = contactIds[customer] ?? "";
    const ownedBefore = owned.get(customer) ?? new Set<string>();
    const now = new Date(held.at.getTime() + 60_000);
    const firstLine = productId(held.products[0] ?? 0);
    const firstView = productId(held.views[0] ?? 0);
    for (const task of tasks) {
      const anchor =
        task === "frequently_bought_together"
          ? firstLine
          : task === "cross_sell" || task === "for_you"
            ? null
            : firstView;
      // Viewed also viewed and upsell propose substitutes: they are asked for what was bought
      // instead of the first product viewed (in its category), upsell for what was bought at
      // 1.1–2× its price (its default price band), never for the complements.
      const viewed = Number(firstView.slice(1));
      const wanted = (index: number) =>
        task === "viewed_also_viewed"
          ? categoryOf(index) === categoryOf(viewed)
          : task === "upsell"
            ? categoryOf(index) === categoryOf(viewed) && inBand(index, viewed)
            : true;
      // Cross-sell offers what they do not own yet: it is asked for the new products of the
      // order, and its baselines leave out what they own, as it does.
      const target = new Set(
        held.products
          .filter(wanted)
          .map(productId)
          .filter((id) => id !== anchor)
          .filter((id) => task !== "cross_sell" || !ownedBefore.has(id)),
      );
      if (target.size === 0) continue;
      const result = await recommendProducts(
        workspace.id,
        {
          strategy: task,
          ...(anchor ? { productIds: [anchor] } : { contactId }),
          limit: k,
          excludeBoughtWithinDays: 0,
          ...popularityWeight,
        },
        { now },
      );
      const ranked = result.items.map((item) => item.product.shopProductId);
      const excluded = new Set(task === "cross_sell" ? ownedBefore : anchor ? [anchor] : []);
      const category = categoryOf(Number((anchor ?? firstView).slice(1)));
      const scores = results[task];
      if (!scores) continue;
      add(scores.strategy, ranked, target);
      add(scores.global, popular(excluded, null), target);
      // Upsell's category baseline keeps to the same price band, which it knows too.
      const band = task === "upsell" ? (id: string) => inBand(Number(id.slice(1)), viewed) : null;
      // Cross-sell sees only purchases: the category of the held-out session's views would
      // tell its baseline what the strategy cannot know.
      if (task !== "cross_sell") add(scores.category, popular(excluded, category, band), target);
    }
  }
  const cell = (s: Scores) =>
    `${(s.hits / s.n).toFixed(3)} / ${(s.recall / s.n).toFixed(3)} / ${(s.ndcg / s.n).toFixed(3)}`;
  console.log(`\nhit-rate@${k} / recall@${k} / NDCG@${k} (held-out last order per customer)\n`);
  console.log(
    `| task | n | strategy | global popularity | category popularity | NDCG vs best baseline |`,
  );
  console.log(`| --- | --- | --- | --- | --- | --- |`);
  for (const task of tasks) {
    const r = results[task];
    if (!r) continue;
    const best = Math.max(r.global.ndcg, r.category.n > 0 ? r.category.ndcg : 0);
    console.log(
      `| ${task} | ${r.strategy.n} | ${cell(r.strategy)} | ${cell(r.global)} | ${r.category.n > 0 ? cell(r.category) : "n/a"} | ${(r.strategy.ndcg / best).toFixed(2)}× |`,
    );
  }
  console.log(`\nmachine: ${describeMachine()}`);
} finally {
  await client.end();
  await db().$disconnect();
  await database.drop();
}
