/**
 * The recommendation strategies on real baskets: Weka's `supermarket.arff` (4,627 shopping
 * baskets of a New Zealand supermarket over 216 departments; GPL-2+ as part of Weka, shipped by
 * the Debian `weka` package as /usr/share/doc/weka/examples/supermarket.arff). It is never
 * committed here: the file is read from that path, or from `SUPERMARKET_ARFF`, or extracted at
 * run time from `apt-get download weka` into a temporary folder.
 *
 * Every fifth basket is held out; the others are written as orders (one customer each: the
 * data names no customers) and the graphs rebuilt from them. For each held-out basket the
 * strategy is asked what else it holds, from one of its departments (frequently bought
 * together for a product) and from three (for a cart), and scored by hit-rate@10, recall@10
 * and NDCG@10 against global popularity asked the same question. The data has no categories,
 * so there is no category baseline, and no sessions or customers, so only the co-purchase
 * strategies apply. The anchors are drawn by a seeded hash, the same every run.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createBenchDatabase } from "../support/bench-database.ts";
import { describeMachine } from "../support/machine.ts";
import {
  insertOrders,
  insertProducts,
  productId,
  type SyntheticOrder,
} from "../support/shop-data.ts";

const k = 10;
/** EVAL_POPULARITY_WEIGHT overrides the strategies' default blend with popularity (0–1). */
const popularityWeight = process.env.EVAL_POPULARITY_WEIGHT
  ? { popularityWeight: Number(process.env.EVAL_POPULARITY_WEIGHT) }
  : {};
const debianPath = "/usr/share/doc/weka/examples/supermarket.arff";

/** The ARFF text, from the given path, Debian's, or the `weka` package fetched now. */
function readSupermarket(): string {
  const given = process.env.SUPERMARKET_ARFF;
  if (given) return readFileSync(given, "utf8");
  if (existsSync(debianPath)) return readFileSync(debianPath, "utf8");
  const folder = mkdtempSync(path.join(tmpdir(), "weka-"));
  try {
    execFileSync("apt-get", ["download", "weka"], { cwd: folder, stdio: "ignore" });
    const deb = execFileSync("sh", ["-c", "ls weka_*.deb"], { cwd: folder, encoding: "utf8" });
    execFileSync("dpkg", ["-x", deb.trim(), "extracted"], { cwd: folder, stdio: "ignore" });
    return readFileSync(path.join(folder, "extracted", debianPath), "utf8");
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Baskets as lists of department indexes (the `total` attribute left out). */
function parseBaskets(arff: string): { departments: string[]; baskets: number[][] } {
  const departments: string[] = [];
  const baskets: number[][] = [];
  let inData = false;
  for (const line of arff.split("\n")) {
    const text = line.trim();
    if (!inData) {
      const attribute = /^@attribute\s+'([^']+)'\s+\{\s*t\s*\}/i.exec(text);
      if (attribute?.[1]) departments.push(attribute[1]);
      if (/^@data/i.test(text)) inData = true;
      continue;
    }
    if (text === "" || text.startsWith("%")) continue;
    const values = text.split(",");
    const basket: number[] = [];
    for (let i = 0; i < departments.length; i++) if (values[i] === "t") basket.push(i);
    baskets.push(basket);
  }
  return { departments, baskets };
}

/** A seeded position in 0…n-1 for basket `b`, draw `d`. */
const pick = (b: number, d: number, n: number) => ((b * 2654435761 + d * 40503) >>> 0) % n;

const { departments, baskets } = parseBaskets(readSupermarket());
const end = new Date("2026-06-01T00:00:00Z");
const orders: SyntheticOrder[] = baskets.map((products, i) => ({
  customer: i,
  at: new Date(end.getTime() - (baskets.length - i) * 600_000),
  products,
  views: [],
  heldOut: i % 5 === 0,
}));

const database = await createBenchDatabase("eval_supermarket");
process.env.DATABASE_URL = database.url;
const { db, createWorkspace, rebuildRecommendationGraphs, recommendProducts } = await import(
  "@cartwheel/api/domain"
);
const pg = (await import("pg")).default;
const client = new pg.Client({ connectionString: database.url });
await client.connect();

try {
  const workspace = await createWorkspace({ name: "Supermarket" });
  await insertProducts(client, workspace.id, departments.length);
  await insertOrders(client, workspace.id, baskets.length, orders);
  const started = performance.now();
  await rebuildRecommendationGraphs(workspace.id, { now: end });
  const training = orders.filter((o) => !o.heldOut);
  const lines = training.reduce((sum, o) => sum + o.products.length, 0);
  console.log(
    `supermarket.arff: ${departments.length} departments, ${training.length} training baskets (${(lines / training.length).toFixed(1)} lines on average), ${orders.length - training.length} held out; rebuild ${(performance.now() - started).toFixed(0)} ms`,
  );

  const sold = new Map<string, number>();
  for (const order of training)
    for (const p of order.products) sold.set(productId(p), (sold.get(productId(p)) ?? 0) + 1);
  const byPopularity = [...sold.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([id]) => id);
  const popular = (excluded: Set<string>) =>
    byPopularity.filter((id) => !excluded.has(id)).slice(0, k);

  type Scores = { hits: number; recall: number; ndcg: number; n: number };
  const empty = (): Scores => ({ hits: 0, recall: 0, ndcg: 0, n: 0 });
  const add = (scores: Scores, ranked: string[], target: Set<string>) => {
    const top = ranked.slice(0, k);
    let dcg = 0;
    top.forEach((id, i) => {
      if (target.has(id)) dcg += 1 / Math.log2(i + 2);
    });
    let ideal = 0;
    for (let i = 0; i < Math.min(target.size, k); i++) ideal += 1 / Math.log2(i + 2);
    const found = top.filter((id) => target.has(id)).length;
    scores.hits += found > 0 ? 1 : 0;
    scores.recall += found / target.size;
    scores.ndcg += dcg / ideal;
    scores.n += 1;
  };

  const tasks = [
    { name: "frequently_bought_together, one product", anchors: 1 },
    { name: "frequently_bought_together, 3-item cart", anchors: 3 },
  ];
  const results = tasks.map(() => ({ strategy: empty(), global: empty() }));
  for (const [b, order] of orders.entries()) {
    if (!order.heldOut) continue;
    for (const [t, task] of tasks.entries()) {
      if (order.products.length <= task.anchors) continue;
      const remaining = [...order.products];
      const anchors: string[] = [];
      for (let d = 0; d < task.anchors; d++) {
        const [drawn] = remaining.splice(pick(b, d, remaining.length), 1);
        anchors.push(productId(drawn ?? 0));
      }
      const target = new Set(remaining.map(productId));
      const result = await recommendProducts(
        workspace.id,
        {
          strategy: "frequently_bought_together",
          productIds: anchors,
          limit: k,
          excludeBoughtWithinDays: 0,
          ...popularityWeight,
        },
        { now: end },
      );
      const scores = results[t];
      if (!scores) continue;
      add(
        scores.strategy,
        result.items.map((item) => item.product.shopProductId),
        target,
      );
      add(scores.global, popular(new Set(anchors)), target);
    }
  }
  const cell = (s: Scores) =>
    `${(s.hits / s.n).toFixed(3)} / ${(s.recall / s.n).toFixed(3)} / ${(s.ndcg / s.n).toFixed(3)}`;
  console.log(`\nhit-rate@${k} / recall@${k} / NDCG@${k} (the rest of each held-out basket)\n`);
  console.log(`| task | n | strategy | global popularity | NDCG vs popularity |`);
  console.log(`| --- | --- | --- | --- | --- |`);
  let below = 0;
  for (const [t, task] of tasks.entries()) {
    const r = results[t];
    if (!r) continue;
    const ratio = r.strategy.ndcg / r.global.ndcg;
    if (ratio < 1) below += 1;
    console.log(
      `| ${task.name} | ${r.strategy.n} | ${cell(r.strategy)} | ${cell(r.global)} | ${ratio.toFixed(2)}× |`,
    );
  }
  console.log(
    below === 0
      ? "\ngoal met: never below popularity on the real baskets"
      : `\ngoal missed: ${below} task(s) below popularity`,
  );
  console.log(`machine: ${describeMachine()}`);
  process.exitCode = below === 0 ? 0 : 1;
} finally {
  await client.end();
  await db().$disconnect();
  await database.drop();
}
