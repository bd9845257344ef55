/**
 * The import command (`npm run import -- products file.csv`) on a generated catalog of
 * 100,000 products: it reads and checks the CSV (a counting and hashing pass, then the
 * streaming pass), keeps its journal and sends batches of 1,000 to `upsertProducts` over HTTP.
 * The baseline, in the same run, is the same rows as pre-made `ProductInput` batches posted
 * straight to `upsertProducts` (no file, no journal), so the ratio is the command's own cost.
 *
 *   DATABASE_URL=postgres://… npx tsx bench/import-command.ts   (BENCH_PRODUCTS=20000 for a quick run)
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { importKinds, makeCartwheelApi, runImport } from "@cartwheel/cli";
import pg from "pg";
import { startApiServer } from "./support/api-server.ts";
import { createBenchDatabase } from "./support/bench-database.ts";
import { describeMachine } from "./support/machine.ts";
import { formatRate } from "./support/stats.ts";

const total = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const batchSize = 1000;

function product(i: number, prefix: string) {
  const n = String(i).padStart(6, "0");
  return {
    productId: `${prefix}-${n}`,
    sku: `SKU-${n}`,
    title: `Product ${n}`,
    url: `https://shop.example/p/${n}`,
    price: (i % 200) + 0.99,
    category: `Dept ${i % 12} > Aisle ${i % 40}`,
    brand: `Brand ${i % 50}`,
    tags: [`t${i % 9}`, `t${i % 13}`],
    inventoryQuantity: i % 30,
  };
}

function csvOf(prefix: string): string {
  const lines = ["id,sku,title,url,price,category,brand,tags,inventory"];
  for (let i = 0; i < total; i++) {
    const p = product(i, prefix);
    lines.push(
      [
        p.productId,
        p.sku,
        p.title,
        p.url,
        p.price.toFixed(2),
        p.category,
        p.brand,
        p.tags.join("|"),
        p.inventoryQuantity,
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

async function rawGraphQL(apiUrl: string, key: string) {
  const mutation = importKinds.products.mutation;
  const batches: ReturnType<typeof product>[][] = [];
  for (let i = 0; i < total; i += batchSize) {
    batches.push(
      Array.from({ length: Math.min(batchSize, total - i) }, (_, j) => product(i + j, "raw")),
    );
  }
  const started = performance.now();
  for (const rows of batches) {
    const response = await fetch(`${apiUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: mutation, variables: { rows } }),
    });
    const body = (await response.json()) as { data?: { upsertProducts?: { __typename: string } } };
    if (body.data?.upsertProducts?.__typename !== "MutationUpsertProductsSuccess") {
      throw new Error(`upsertProducts failed: ${JSON.stringify(body).slice(0, 500)}`);
    }
  }
  return (performance.now() - started) / 1000;
}

async function adminCall(apiUrl: string, adminKey: string, query: string, variables = {}) {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return ((await response.json()) as { data: Record<string, any> }).data;
}

async function newShop(apiUrl: string, adminKey: string, name: string) {
  const { createWorkspace } = await adminCall(
    apiUrl,
    adminKey,
    `mutation($name: String!) { createWorkspace(input: { name: $name }) {
      ... on MutationCreateWorkspaceSuccess { workspace { id } } } }`,
    { name },
  );
  const { createApiKey } = await adminCall(
    apiUrl,
    adminKey,
    `mutation($id: ID!) { createApiKey(input: { workspaceId: $id, name: "bench", kind: SECRET }) {
      ... on MutationCreateApiKeySuccess { created { plaintext } } } }`,
    { id: createWorkspace.workspace.id },
  );
  const id = Buffer.from(createWorkspace.workspace.id, "base64").toString().split(":")[1] ?? "";
  return { id, key: createApiKey.created.plaintext as string };
}

const database = await createBenchDatabase("import_cmd");
const adminKey = `cw_admin_${randomBytes(16).toString("hex")}`;
const api = await startApiServer({ databaseUrl: database.url, adminKey });
const dir = path.resolve(import.meta.dirname, "../.data/bench-import");
try {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, "products.csv");
  await writeFile(file, csvOf("cmd"));
  const raw = await newShop(api.url, adminKey, "Raw");
  const command = await newShop(api.url, adminKey, "Command");

  const rawSeconds = await rawGraphQL(api.url, raw.key);
  const started = performance.now();
  const report = await runImport({
    kind: importKinds.products,
    file,
    format: "csv",
    api: makeCartwheelApi({ url: api.url, key: command.key }),
    progress: null,
    log: () => {},
  });
  const commandSeconds = (performance.now() - started) / 1000;

  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const counts = await db.query<{ workspace_id: string; count: string }>(
    "SELECT workspace_id, count(*) FROM products GROUP BY workspace_id",
  );
  await db.end();
  const countOf = (id: string) =>
    Number(counts.rows.find((row) => row.workspace_id === id)?.count ?? 0);

  const rawRate = total / rawSeconds;
  const commandRate = total / commandSeconds;
  const megabytes = (await stat(file)).size / 2 ** 20;
  console.log(
    `import command — ${total.toLocaleString("en")} products (${megabytes.toFixed(1)} MB CSV) in batches of ${batchSize}`,
  );
  console.log(`machine: ${describeMachine()}`);
  console.log(
    `baseline pre-made upsertProducts batches over HTTP: ${formatRate(rawRate)} (${rawSeconds.toFixed(2)} s)`,
  );
  console.log(
    `npm run import (read, check, journal, send):        ${formatRate(commandRate)} (${commandSeconds.toFixed(2)} s)`,
  );
  console.log(`ratio command / baseline: ${(commandRate / rawRate).toFixed(2)} (target ≥ 0.8)`);
  console.log(
    `rows stored: baseline ${countOf(raw.id)}, command ${countOf(command.id)} (expected ${total} each); rejected ${report.rejects.length}`,
  );
  if (countOf(raw.id) !== total || countOf(command.id) !== total || report.rejects.length > 0) {
    process.exitCode = 1;
  }
} finally {
  await rm(dir, { recursive: true, force: true });
  await api.stop();
  await database.drop();
}
