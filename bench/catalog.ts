/**
 * Catalog: upserts 20,000 products in batches of 1,000 through the domain's `upsertProducts`
 * (in this process) and through the `upsertProducts` GraphQL mutation (over HTTP, to the API
 * server in another process), against a raw multi-row `INSERT … ON CONFLICT DO UPDATE` of the
 * same rows with `pg` as the baseline, in the same run. Each path writes the catalog twice into
 * its own workspace: once new (inserts), once again with changed prices (updates), as a
 * nightly sync does. Target: each path ≥ 1/3 of the baseline's rate.
 *
 *   DATABASE_URL=postgres://… npx tsx bench/catalog.ts   (BENCH_PRODUCTS=5000 for a quick run)
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startApiServer } from "./support/api-server.ts";
import { createBenchDatabase } from "./support/bench-database.ts";
import { describeMachine } from "./support/machine.ts";
import { formatRate } from "./support/stats.ts";

const total = Number(process.env.BENCH_PRODUCTS ?? 20_000);
const batchSize = 1000;
const target = 1 / 3;

/** The catalog as a shop sends it; `round` changes the prices and stock of the second pass. */
function productRows(round: number) {
  return Array.from({ length: total }, (_, i) => ({
    productId: `prod-${i}`,
    sku: `SKU-${i}`,
    title: `Product ${i}`,
    url: `https://shop.example/products/${i}`,
    imageUrl: `https://shop.example/images/${i}.jpg`,
    price: 10 + ((i * 7 + round * 3) % 990) + 0.9,
    compareAtPrice: i % 4 === 0 ? 1200 : null,
    category: ["Women > Shirts", "Women > Shoes", "Men > Shirts", "Home"][i % 4] as string,
    brand: `Brand ${i % 50}`,
    tags: i % 2 === 0 ? ["new"] : ["sale", "summer"],
    inventoryQuantity: (i + round) % 20,
    properties: { material: i % 3 === 0 ? "linen" : "cotton" },
  }));
}
type ProductRow = ReturnType<typeof productRows>[number];

function batches<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += batchSize) out.push(rows.slice(i, i + batchSize));
  return out;
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/** The baseline: the same columns in minor units, one multi-row statement per batch. */
async function rawUpsert(client: pg.Client, workspaceId: string, rows: ProductRow[]) {
  for (const batch of batches(rows)) {
    const values: unknown[] = [workspaceId];
    const tuples = batch.map((row) => {
      const at = values.length + 1;
      values.push(
        row.productId,
        row.sku,
        row.title,
        row.url,
        row.imageUrl,
        Math.round(row.price * 100),
        row.compareAtPrice === null ? null : Math.round(row.compareAtPrice * 100),
        row.category,
        row.brand,
        row.tags,
        row.inventoryQuantity,
        row.inventoryQuantity > 0,
        JSON.stringify(row.properties),
      );
      const p = (k: number) => `$${at + k}`;
      return `($1, ${p(0)}, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, 'USD', ${p(5)}::bigint, ${p(6)}::bigint,
        ${p(7)}, ${p(8)}, ${p(9)}::text[], ${p(10)}::int, ${p(11)}::boolean, ${p(12)}::jsonb, now(), now())`;
    });
    await client.query(
      `INSERT INTO products AS p (workspace_id, shop_product_id, sku, title, url, image_url, currency,
         price, compare_at_price, category, brand, tags, inventory_quantity, in_stock, properties,
         created_at, updated_at)
       VALUES ${tuples.join(",")}
       ON CONFLICT (workspace_id, shop_product_id) DO UPDATE SET
         sku = EXCLUDED.sku, title = EXCLUDED.title, url = EXCLUDED.url, image_url = EXCLUDED.image_url,
         price = EXCLUDED.price, compare_at_price = EXCLUDED.compare_at_price,
         category = EXCLUDED.category, brand = EXCLUDED.brand, tags = EXCLUDED.tags,
         inventory_quantity = EXCLUDED.inventory_quantity, in_stock = EXCLUDED.in_stock,
         properties = EXCLUDED.properties, stub = false, updated_at = now()`,
      values,
    );
  }
}

async function graphqlUpsert(apiUrl: string, key: string, rows: ProductRow[]) {
  const query = `mutation($input: UpsertProductsInput!) { upsertProducts(input: $input) {
    __typename ... on MutationUpsertProductsSuccess { result { createdCount } } ... on Error { message } } }`;
  for (const batch of batches(rows)) {
    const response = await fetch(`${apiUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables: { input: { products: batch } } }),
    });
    const body = (await response.json()) as {
      data?: { upsertProducts: { __typename: string } };
    };
    if (body.data?.upsertProducts.__typename !== "MutationUpsertProductsSuccess") {
      throw new Error(`upsertProducts failed: ${JSON.stringify(body).slice(0, 500)}`);
    }
  }
}

const database = await createBenchDatabase("catalog");
process.env.DATABASE_URL = database.url;
const domain = await import("@cartwheel/api/domain");
const adminKey = `cw_admin_${randomBytes(16).toString("hex")}`;
const api = await startApiServer({ databaseUrl: database.url, adminKey });
const client = new pg.Client({ connectionString: database.url });
await client.connect();
try {
  const [raw, direct, viaApi] = await Promise.all(
    ["Raw", "Domain", "GraphQL"].map((name) => domain.createWorkspace({ name })),
  );
  const { plaintext: key } = await domain.createApiKey({
    workspaceId: viaApi!.id,
    name: "bench",
    kind: "SECRET",
  });

  const seconds = { raw: 0, domain: 0, graphql: 0 };
  for (const round of [0, 1]) {
    const rows = productRows(round);
    // Interleaved per pass, so a noisy neighbour slows every path alike.
    seconds.raw += await timed(() => rawUpsert(client, raw!.id, rows));
    seconds.domain += await timed(async () => {
      for (const batch of batches(rows)) await domain.upsertProducts(direct!.id, batch);
    });
    seconds.graphql += await timed(() => graphqlUpsert(api.url, key, rows));
  }

  const written = total * 2;
  const rate = (s: number) => written / s;
  const counts = await client.query<{ workspace_id: string; count: string; priced: string }>(
    `SELECT workspace_id, count(*), count(*) FILTER (WHERE price = $1) AS priced
       FROM products GROUP BY workspace_id`,
    [Math.round(productRows(1)[0]!.price * 100)],
  );
  const countOf = (id: string) =>
    Number(counts.rows.find((row) => row.workspace_id === id)?.count ?? 0);
  console.log(
    `catalog — ${total.toLocaleString("en")} products in batches of ${batchSize}, inserted then updated (${written.toLocaleString("en")} row writes per path)`,
  );
  console.log(`machine: ${describeMachine()}`);
  console.log(
    `baseline raw INSERT … ON CONFLICT DO UPDATE (pg): ${formatRate(rate(seconds.raw))} (${seconds.raw.toFixed(2)} s)`,
  );
  console.log(
    `upsertProducts (domain, in process):              ${formatRate(rate(seconds.domain))} (${seconds.domain.toFixed(2)} s)`,
  );
  console.log(
    `upsertProducts over HTTP + GraphQL:               ${formatRate(rate(seconds.graphql))} (${seconds.graphql.toFixed(2)} s)`,
  );
  const domainRatio = seconds.raw / seconds.domain;
  const graphqlRatio = seconds.raw / seconds.graphql;
  console.log(
    `ratio domain / raw: ${domainRatio.toFixed(2)}, GraphQL / raw: ${graphqlRatio.toFixed(2)} (target ≥ ${target.toFixed(2)}): ${domainRatio >= target && graphqlRatio >= target ? "met" : "MISSED"}`,
  );
  const stored = [raw!, direct!, viaApi!].map((w) => countOf(w.id));
  console.log(
    `rows stored: raw ${stored[0]}, domain ${stored[1]}, GraphQL ${stored[2]} (expected ${total} each)`,
  );
  if (stored.some((n) => n !== total) || domainRatio < target) process.exitCode = 1;
} finally {
  await client.end();
  await api.stop();
  await domain.disconnectDatabase();
  await database.drop();
}
