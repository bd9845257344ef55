import { withTransaction } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { graphSettings } from "./graph-settings.ts";

/**
 * Re-ranks the neighbours of dirty products (those whose pairs changed since the last
 * ranking), `batchSize` products per transaction until none is dirty: for each, its 50 best
 * partners by cosine, `together / sqrt(count_a * count_b)`, over pairs seen at least
 * `minSupport` (2) times. Raw lift would rank a pair seen once between two rare products first;
 * the cosine with a minimum support does not. Dirty rows are taken with `SKIP LOCKED`, so a
 * fold running at the same time never waits on it (it re-marks what it changes).
 * A partner's count that grew without the pair (orders without this product) lowers the true
 * score a little before the nightly rebuild re-ranks everything. Returns the number re-ranked.
 *
 * @example await refreshNeighbours() // → 310
 */
export async function refreshNeighbours(
  options: { batchSize?: number; workspaceId?: string } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 2_000;
  let refreshed = 0;
  for (;;) {
    const batch = await withTransaction(async (tx) => {
      const dirty = await tx.$queryRaw<{ workspaceId: string; graph: string; productId: string }[]>`
        SELECT workspace_id::text AS "workspaceId", graph::text, product_id AS "productId"
          FROM recommendation_product_counts
         WHERE dirty ${options.workspaceId ? Prisma.sql`AND workspace_id = ${options.workspaceId}::uuid` : Prisma.empty}
         ORDER BY workspace_id, graph, product_id
         LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`;
      if (dirty.length === 0) return 0;
      const workspaces = dirty.map((row) => row.workspaceId);
      const graphs = dirty.map((row) => row.graph);
      const products = dirty.map((row) => row.productId);
      await tx.$executeRaw`
        DELETE FROM recommendation_neighbours n
         USING unnest(${workspaces}::uuid[], ${graphs}::recommendation_graph[], ${products}::text[]) d(workspace_id, graph, product_id)
         WHERE n.workspace_id = d.workspace_id AND n.graph = d.graph AND n.product_id = d.product_id`;
      await tx.$executeRaw`
        INSERT INTO recommendation_neighbours (workspace_id, graph, product_id, neighbour_id, score, together)
        SELECT workspace_id, graph, product_id, other_id, score, together FROM (
          SELECT *, row_number() OVER (PARTITION BY workspace_id, graph, product_id
                                       ORDER BY score DESC, other_id) AS rank
            FROM (
              SELECT pr.workspace_id, pr.graph, pr.product_id, pr.other_id, pr.count AS together,
                     pr.count / sqrt(a.count::float8 * b.count) AS score
                FROM unnest(${workspaces}::uuid[], ${graphs}::recommendation_graph[], ${products}::text[]) d(workspace_id, graph, product_id)
                JOIN recommendation_pairs pr
                  ON pr.workspace_id = d.workspace_id AND pr.graph = d.graph AND pr.product_id = d.product_id
                JOIN recommendation_product_counts a
                  ON a.workspace_id = pr.workspace_id AND a.graph = pr.graph AND a.product_id = pr.product_id
                JOIN recommendation_product_counts b
                  ON b.workspace_id = pr.workspace_id AND b.graph = pr.graph AND b.product_id = pr.other_id
               WHERE pr.count >= ${graphSettings.minSupport} AND a.count > 0 AND b.count > 0
            ) scored
        ) ranked
        WHERE rank <= ${graphSettings.neighboursPerProduct}`;
      await tx.$executeRaw`
        UPDATE recommendation_product_counts c SET dirty = false
          FROM unnest(${workspaces}::uuid[], ${graphs}::recommendation_graph[], ${products}::text[]) d(workspace_id, graph, product_id)
         WHERE c.workspace_id = d.workspace_id AND c.graph = d.graph AND c.product_id = d.product_id`;
      return dirty.length;
    });
    refreshed += batch;
    if (batch < batchSize) return refreshed;
  }
}
