import pg from "pg";

/** The row id inside a workspace's global id (`base64("Workspace:<uuid>")`). */
export function workspaceRowId(globalId: string): string {
  const decoded = Buffer.from(globalId, "base64").toString();
  return decoded.split(":")[1] ?? globalId;
}

async function query<T>(sql: string, values: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}

const volatile =
  "ARRAY['id','workspace_id','created_at','updated_at','product_id','order_id','contact_id']";

/**
 * Everything a workspace holds of one table, without ids and timestamps, in a stable order:
 * two imports that should end the same compare equal.
 */
export async function tableState(
  table:
    | "products"
    | "product_variants"
    | "contacts"
    | "orders"
    | "order_lines"
    | "order_refunds"
    | "marketing_spend",
  workspaceId: string,
): Promise<unknown[]> {
  const rows = await query<{ row: Record<string, unknown> }>(
    `SELECT to_jsonb(t) - ${volatile}::text[] AS row FROM ${table} t WHERE workspace_id = $1::uuid`,
    [workspaceRowId(workspaceId)],
  );
  return rows
    .map((entry) => {
      const { consent_updated_at: _consent, ...row } = entry.row;
      return row;
    })
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Rows of a table in a workspace. */
export async function countRows(table: string, workspaceId: string): Promise<number> {
  const [row] = await query<{ count: string }>(
    `SELECT count(*) FROM ${table} WHERE workspace_id = $1::uuid`,
    [workspaceRowId(workspaceId)],
  );
  return Number(row?.count ?? 0);
}
