/**
 * Imports 100,000 contacts through `importContacts` over HTTP (batches of 1,000, from this
 * process to the API server in another), against a raw multi-row `INSERT … ON CONFLICT` of
 * the same rows with `pg` as the baseline, in the same run.
 *
 *   DATABASE_URL=postgres://… npx tsx bench/import-contacts.ts   (BENCH_CONTACTS=20000 for a quick run)
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startApiServer } from "./support/api-server.ts";
import { createBenchDatabase } from "./support/bench-database.ts";
import { describeMachine } from "./support/machine.ts";
import { formatRate } from "./support/stats.ts";

const total = Number(process.env.BENCH_CONTACTS ?? 100_000);
const batchSize = 1000;

function contactRows(prefix: string) {
  return Array.from({ length: total }, (_, i) => ({
    email: `${prefix}${i}@bench.example`,
    externalId: `${prefix}-${i}`,
    firstName: `First${i}`,
    lastName: `Last${i % 977}`,
    properties: { plan: i % 3 === 0 ? "pro" : "free", ltv: i % 1000 },
  }));
}

function batches<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += batchSize) out.push(rows.slice(i, i + batchSize));
  return out;
}

async function rawInsert(
  databaseUrl: string,
  workspaceId: string,
  rows: ReturnType<typeof contactRows>,
) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const started = performance.now();
  for (const batch of batches(rows)) {
    const values: unknown[] = [workspaceId];
    const tuples = batch.map((row, i) => {
      values.push(
        row.email,
        row.externalId,
        row.firstName,
        row.lastName,
        JSON.stringify(row.properties),
      );
      const n = i * 5 + 2;
      return `($1, $${n}, $${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}::jsonb, now(), now())`;
    });
    await client.query(
      `INSERT INTO contacts (workspace_id, email, external_id, first_name, last_name, properties, created_at, updated_at)
       VALUES ${tuples.join(",")}
       ON CONFLICT (workspace_id, email) DO UPDATE SET first_name = EXCLUDED.first_name,
         last_name = EXCLUDED.last_name, properties = contacts.properties || EXCLUDED.properties, updated_at = now()`,
      values,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  return seconds;
}

async function graphqlImport(apiUrl: string, key: string, rows: ReturnType<typeof contactRows>) {
  const query = `mutation($input: ImportContactsInput!) { importContacts(input: $input) {
    __typename ... on MutationImportContactsSuccess { result { createdCount } } ... on Error { message } } }`;
  const started = performance.now();
  for (const batch of batches(rows)) {
    const response = await fetch(`${apiUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables: { input: { contacts: batch } } }),
    });
    const body = (await response.json()) as {
      data?: { importContacts: { __typename: string; message?: string } };
    };
    if (body.data?.importContacts.__typename !== "MutationImportContactsSuccess") {
      throw new Error(`import failed: ${JSON.stringify(body).slice(0, 500)}`);
    }
  }
  return (performance.now() - started) / 1000;
}

async function adminCall(
  apiUrl: string,
  adminKey: string,
  query: string,
  variables: Record<string, unknown>,
) {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return ((await response.json()) as { data: Record<string, any> }).data;
}

const database = await createBenchDatabase("import");
const adminKey = `cw_admin_${randomBytes(16).toString("hex")}`;
const api = await startApiServer({ databaseUrl: database.url, adminKey });
try {
  const { createWorkspace } = await adminCall(
    api.url,
    adminKey,
    `mutation { createWorkspace(input: { name: "Bench" }) {
    ... on MutationCreateWorkspaceSuccess { workspace { id } } } }`,
    {},
  );
  const { createApiKey } = await adminCall(
    api.url,
    adminKey,
    `mutation($id: ID!) { createApiKey(input: { workspaceId: $id, name: "bench", kind: SECRET }) {
    ... on MutationCreateApiKeySuccess { created { plaintext } } } }`,
    { id: createWorkspace.workspace.id },
  );
  const key: string = createApiKey.created.plaintext;
  const workspaceId =
    Buffer.from(createWorkspace.workspace.id, "base64").toString().split(":")[1] ?? "";

  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const {
    rows: [baselineWorkspace],
  } = await db.query<{ id: string }>(
    `INSERT INTO workspaces (id, name, updated_at) VALUES (gen_random_uuid(), 'Baseline', now()) RETURNING id`,
  );

  const rawSeconds = await rawInsert(database.url, baselineWorkspace!.id, contactRows("raw"));
  const graphqlSeconds = await graphqlImport(api.url, key, contactRows("gql"));
  const counts = await db.query<{ workspace_id: string; count: string }>(
    "SELECT workspace_id, count(*) FROM contacts GROUP BY workspace_id",
  );
  await db.end();
  const countOf = (id: string) =>
    Number(counts.rows.find((row) => row.workspace_id === id)?.count ?? 0);

  const rawRate = total / rawSeconds;
  const graphqlRate = total / graphqlSeconds;
  console.log(
    `import contacts — ${total.toLocaleString("en")} contacts in batches of ${batchSize}`,
  );
  console.log(`machine: ${describeMachine()}`);
  console.log(
    `baseline raw INSERT … ON CONFLICT (pg):  ${formatRate(rawRate)} (${rawSeconds.toFixed(2)} s)`,
  );
  console.log(
    `importContacts over HTTP + GraphQL:      ${formatRate(graphqlRate)} (${graphqlSeconds.toFixed(2)} s)`,
  );
  console.log(`ratio GraphQL / raw: ${(graphqlRate / rawRate).toFixed(2)} (target ≥ 0.33)`);
  console.log(
    `rows stored: raw ${countOf(baselineWorkspace!.id)}, GraphQL ${countOf(workspaceId)} (expected ${total} each)`,
  );
  if (countOf(workspaceId) !== total || countOf(baselineWorkspace!.id) !== total)
    process.exitCode = 1;
} finally {
  await api.stop();
  await database.drop();
}
