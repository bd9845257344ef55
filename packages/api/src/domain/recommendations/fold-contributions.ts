import { type Executor, withTransaction } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { graphLockKey } from "./graph-settings.ts";
import { recordRecentOrderContributions } from "./record-contributions.ts";

/**
 * Folds pending ledger rows (`recommendation_contributions` not folded yet) into the product
 * counts and pair counts (first adding the recent orders the backend pushed, which no event
 * recorded), `batchSize` rows per transaction, oldest first, until none is left.
 * Each batch adds its deltas in sorted key order under one advisory lock, so two folds (or a
 * fold and a rebuild) never interleave or deadlock, and a hot product's rows are written once
 * per batch rather than once per order. The products touched are marked dirty for
 * `refreshNeighbours`. Returns the number of contributions folded.
 *
 * @example await foldContributions({ now: new Date() }) // → 1240
 */
export async function foldContributions(
  options: { batchSize?: number; now?: Date } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 5_000;
  const now = options.now ?? new Date();
  await withTransaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${graphLockKey})`;
    await recordRecentOrderContributions(tx, now);
  });
  let folded = 0;
  for (;;) {
    const batch = await withTransaction((tx) => foldBatch(tx, batchSize, now));
    folded += batch;
    if (batch < batchSize) return folded;
  }
}

async function foldBatch(tx: Executor, batchSize: number, now: Date): Promise<number> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${graphLockKey})`;
  const rows = await tx.$queryRaw<{ id: bigint }[]>`
    SELECT id FROM recommendation_contributions WHERE folded_at IS NULL
     ORDER BY id LIMIT ${batchSize} FOR UPDATE`;
  if (rows.length === 0) return 0;
  const ids = rows.map((row) => row.id.toString());
  await addContributions(tx, Prisma.sql`c.id = ANY(${ids}::bigint[])`);
  await tx.$executeRaw`
    UPDATE recommendation_contributions SET folded_at = ${now}::timestamptz WHERE id = ANY(${ids}::bigint[])`;
  return rows.length;
}

/**
 * Adds the ledger rows `which` selects (over `c`) to the counts (`products` by the row's
 * weight, +1 or -1 for a retraction; `partners` marked dirty) and to the pairs (within
 * `products`, and `products` × `partners`, both directions).
 */
export async function addContributions(tx: Executor, which: Prisma.Sql): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO recommendation_product_counts (workspace_id, graph, product_id, count, dirty)
    SELECT c.workspace_id, c.graph, touched.product_id, sum(touched.counted * c.weight)::int, true
      FROM recommendation_contributions c,
           LATERAL (SELECT p, 1 FROM unnest(c.products) p
                    UNION ALL SELECT p, 0 FROM unnest(c.partners) p) touched(product_id, counted)
     WHERE ${which}
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
    ON CONFLICT (workspace_id, graph, product_id)
    DO UPDATE SET count = recommendation_product_counts.count + excluded.count, dirty = true`;
  await tx.$executeRaw`
    INSERT INTO recommendation_pairs (workspace_id, graph, product_id, other_id, count)
    SELECT c.workspace_id, c.graph, pair.a, pair.b, sum(c.weight)::int
      FROM recommendation_contributions c,
           LATERAL (SELECT a, b FROM unnest(c.products) a, unnest(c.products) b WHERE a <> b
                    UNION ALL SELECT a, b FROM unnest(c.products) a, unnest(c.partners) b WHERE a <> b
                    UNION ALL SELECT b, a FROM unnest(c.products) a, unnest(c.partners) b WHERE a <> b
                   ) pair(a, b)
     WHERE ${which}
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (workspace_id, graph, product_id, other_id)
    DO UPDATE SET count = recommendation_pairs.count + excluded.count`;
}
