import { db, withTransaction } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { addContributions } from "./fold-contributions.ts";
import { graphLockKey, graphSettings } from "./graph-settings.ts";
import { orderContributionsSql } from "./record-contributions.ts";
import { refreshNeighbours } from "./refresh-neighbours.ts";

const dayMs = 86_400_000;

/** What a rebuild found. */
export interface GraphRebuild {
  workspaceId: string;
  orders: number;
  views: number;
  products: number;
}

/**
 * Recomputes a workspace's graphs from the source rows (nightly, and whenever the incremental
 * counts may have drifted): the ledger is rewritten from the orders of the last 365 days that
 * are not cancelled or refunded (with their lines as they are now: edits, removed lines) and
 * from the product views of the last 90 days cut into sessions (30 minutes of inactivity per
 * contact, else per anonymous id), then folded into fresh counts and pairs, all in one
 * transaction under the graphs' advisory lock, so readers see the old graphs until it commits
 * and a concurrent `process_event` either lands in the rebuilt ledger or adds its row after it
 * (keyed, so never both). Then every product's neighbours are re-ranked, and those of products
 * that no longer have any signal are dropped.
 *
 * @example await rebuildRecommendationGraphs(workspaceId, { now }) // → { orders: 812, views: 5311, products: 140 }
 */
export async function rebuildRecommendationGraphs(
  workspaceId: string,
  options: { now?: Date } = {},
): Promise<GraphRebuild> {
  const now = options.now ?? new Date();
  const ordersSince = new Date(now.getTime() - graphSettings.purchaseWindowDays * dayMs);
  const viewsSince = new Date(now.getTime() - graphSettings.viewWindowDays * dayMs);
  const { sessionGapMs, sessionCap } = graphSettings;
  const rebuild = await withTransaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${graphLockKey})`;
      for (const table of [
        "recommendation_contributions",
        "recommendation_pairs",
        "recommendation_product_counts",
      ]) {
        await tx.$executeRaw`DELETE FROM ${Prisma.raw(table)} WHERE workspace_id = ${workspaceId}::uuid`;
      }
      const orders = await tx.$executeRaw(
        orderContributionsSql(Prisma.sql`o.workspace_id = ${workspaceId}::uuid
          AND o.ordered_at >= ${ordersSince}::timestamptz AND o.ordered_at <= ${now}::timestamptz`),
      );
      const views = await tx.$executeRaw`
        WITH views AS (
          SELECT id, coalesce('c:' || contact_id::text, 'a:' || anonymous_id) AS shopper,
                 properties->>'product_id' AS product_id, occurred_at
            FROM events
           WHERE workspace_id = ${workspaceId}::uuid AND name = 'Product Viewed'
             AND occurred_at >= ${viewsSince}::timestamptz AND occurred_at <= ${now}::timestamptz
             AND properties->>'product_id' IS NOT NULL
             AND (contact_id IS NOT NULL OR anonymous_id IS NOT NULL)
        ), starts AS (
          SELECT *, CASE WHEN occurred_at - lag(occurred_at) OVER byShopper
                              <= ${sessionGapMs} * interval '1 millisecond' THEN 0 ELSE 1 END AS starts_session
            FROM views WINDOW byShopper AS (PARTITION BY shopper ORDER BY occurred_at, id)
        ), sessions AS (
          SELECT *, sum(starts_session) OVER (PARTITION BY shopper ORDER BY occurred_at, id) AS session
            FROM starts
        ), firsts AS (
          SELECT DISTINCT ON (shopper, session, product_id) id, shopper, session, product_id, occurred_at
            FROM sessions ORDER BY shopper, session, product_id, occurred_at, id
        ), ranked AS (
          SELECT *, row_number() OVER bySession AS rank,
                 coalesce(array_agg(product_id) OVER (bySession ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), '{}') AS partners
            FROM firsts WINDOW bySession AS (PARTITION BY shopper, session ORDER BY occurred_at, id)
        )
        INSERT INTO recommendation_contributions (workspace_id, graph, source_key, products, partners, occurred_at)
        SELECT ${workspaceId}::uuid, 'VIEW', 'view:' || id::text, ARRAY[product_id],
               ARRAY(SELECT unnest(partners) ORDER BY 1), occurred_at
          FROM ranked WHERE rank <= ${sessionCap}
        ON CONFLICT (workspace_id, graph, source_key) DO NOTHING`;
      await addContributions(
        tx,
        Prisma.sql`c.workspace_id = ${workspaceId}::uuid AND c.folded_at IS NULL`,
      );
      await tx.$executeRaw`
        UPDATE recommendation_contributions SET folded_at = ${now}::timestamptz
         WHERE workspace_id = ${workspaceId}::uuid AND folded_at IS NULL`;
      await tx.$executeRaw`
        DELETE FROM recommendation_neighbours n
         WHERE n.workspace_id = ${workspaceId}::uuid
           AND NOT EXISTS (SELECT 1 FROM recommendation_product_counts c
                            WHERE c.workspace_id = n.workspace_id AND c.graph = n.graph AND c.product_id = n.product_id)`;
      const [products] = await tx.$queryRaw<{ count: number }[]>`
        SELECT count(DISTINCT product_id)::int AS count FROM recommendation_product_counts
         WHERE workspace_id = ${workspaceId}::uuid`;
      return { workspaceId, orders, views, products: products?.count ?? 0 };
    },
    { timeoutMs: 30 * 60_000 },
  );
  // The tables were just rewritten: without fresh statistics (the first rebuild fills them from
  // empty) the planner ranks neighbours with nested loops, 35× slower in bench/recommendations.ts.
  await db()
    .$executeRaw`ANALYZE recommendation_contributions, recommendation_product_counts, recommendation_pairs`;
  await refreshNeighbours({ workspaceId });
  // And the neighbours the queries read: planned on an empty table's statistics, a look-up of
  // one product's neighbours scanned the whole graph (upsell p50 13 → 7.6 ms at 3,000 products).
  await db().$executeRaw`ANALYZE recommendation_neighbours`;
  return rebuild;
}

/**
 * Rebuilds every workspace that has orders or product views (the nightly job).
 *
 * @example await rebuildAllRecommendationGraphs() // → [{ workspaceId, orders, views, products }]
 */
export async function rebuildAllRecommendationGraphs(
  options: { now?: Date } = {},
): Promise<GraphRebuild[]> {
  const workspaces = await db().workspace.findMany({
    select: { id: true },
    orderBy: { id: "asc" },
  });
  const rebuilds: GraphRebuild[] = [];
  for (const { id } of workspaces) rebuilds.push(await rebuildRecommendationGraphs(id, options));
  return rebuilds;
}
