import pg from "pg";

/** Row count and an order-free checksum of each table, keyed `schema.table`. */
export type Fingerprint = Map<string, string>;

/**
 * Columns that change on reads, not writes: a key's `last_used_at` is touched (at most once a
 * minute) whenever the key is used, refused call or not.
 */
const volatileColumns = ["last_used_at"];

/**
 * Tables every request draws on, refused or not: the ingest rate limiter's buckets (a refused
 * batch still costs its sender a token, or garbage could be sent without limit).
 */
const volatileTables = ["ingest_rate_buckets"];

/**
 * Fingerprints of the test database: every table of the app and of graphile-worker's queue, or
 * only one workspace's rows. Two equal fingerprints mean no row was added, removed or changed.
 *
 * @example const fingerprints = await connectFingerprints(); const before = await fingerprints.all();
 */
export async function connectFingerprints(connectionString = process.env.DATABASE_URL) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const { rows: tables } = await client.query<{ schema: string; name: string; scoped: boolean }>(
    `SELECT t.table_schema AS schema, t.table_name AS name,
            EXISTS (SELECT 1 FROM information_schema.columns c
                     WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
                       AND c.column_name = 'workspace_id') AS scoped
       FROM information_schema.tables t
      WHERE t.table_type = 'BASE TABLE' AND t.table_schema IN ('public', 'graphile_worker')
        AND t.table_name <> '_prisma_migrations' AND t.table_name <> ALL($1::text[])
      ORDER BY 1, 2`,
    [volatileTables],
  );
  const row = `(to_jsonb(t) - '{${volatileColumns.join(",")}}'::text[])::text`;
  const summary = (table: { schema: string; name: string }, where: string) =>
    `SELECT '${table.schema}.${table.name}' AS name,
            count(*) || ':' || coalesce(sum(hashtextextended(${row}, 0)::numeric), 0) AS print
       FROM "${table.schema}"."${table.name}" t ${where}`;
  const allQuery = tables.map((table) => summary(table, "")).join("\nUNION ALL\n");
  const workspaceQuery = [
    ...tables.filter((t) => t.scoped).map((table) => summary(table, "WHERE t.workspace_id = $1")),
    summary({ schema: "public", name: "workspaces" }, "WHERE t.id = $1"),
  ].join("\nUNION ALL\n");

  const read = async (text: string, values: unknown[] = []): Promise<Fingerprint> => {
    const { rows } = await client.query<{ name: string; print: string }>(text, values);
    return new Map(rows.map((r) => [r.name, r.print]));
  };
  return {
    tables: tables.length,
    /** Every table, whoever owns its rows. */
    all: () => read(allQuery),
    /** The rows of one workspace, in every table with a `workspace_id`. */
    workspace: (workspaceId: string) => read(workspaceQuery, [workspaceId]),
    end: () => client.end(),
  };
}

/** The tables whose fingerprint differs, e.g. `["public.contacts 3:… → 4:…"]`. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return [...after]
    .filter(([name, print]) => before.get(name) !== print)
    .map(([name, print]) => `${name} ${before.get(name)} → ${print}`);
}
