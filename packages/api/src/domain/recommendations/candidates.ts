import { Prisma } from "../../generated/prisma/client.ts";
import type { Anchors } from "./anchors.ts";
import type { ParsedRecommendationRequest, Strategy } from "./recommendation-request.ts";

/** A query yielding `product_id` and `score` rows: the products a strategy proposes. */
export type CandidateSql = Prisma.Sql;

const anchorRows = (anchors: Anchors) =>
  Prisma.sql`unnest(${anchors.products.map((a) => a.productId)}::text[], ${anchors.products.map((a) => a.weight)}::float8[]) a(product_id, weight)`;

/**
 * The neighbours of the anchors in the given graphs, each scored by the sum over anchors of
 * anchor weight × cosine: complements from the purchase graph, substitutes from the view graph.
 */
function neighboursSql(
  workspaceId: string,
  anchors: Anchors,
  graphs: ("PURCHASE" | "VIEW")[],
): CandidateSql {
  return Prisma.sql`
    SELECT n.neighbour_id AS product_id, sum(n.score * a.weight) AS score
      FROM ${anchorRows(anchors)}
      JOIN recommendation_neighbours n
        ON n.workspace_id = ${workspaceId}::uuid AND n.graph = ANY(${graphs}::recommendation_graph[])
       AND n.product_id = a.product_id
     GROUP BY n.neighbour_id`;
}

/** A product looked at again counts half its signal weight, as a neighbour at cosine 0.5. */
const revisitFactor = 0.5;

/**
 * For you: the neighbours in both graphs of the contact's recent products, and those products
 * themselves that they viewed or carted without buying (`revisits`) at half their weight, so a
 * product viewed three times this week outranks a neighbour of one view.
 */
function forYouSql(workspaceId: string, anchors: Anchors): CandidateSql {
  const revisits = anchors.revisits;
  return Prisma.sql`
    SELECT product_id, sum(score) AS score FROM (
      ${neighboursSql(workspaceId, anchors, ["PURCHASE", "VIEW"])}
      UNION ALL
      SELECT product_id, weight * ${revisitFactor}::float8
        FROM unnest(${revisits.map((r) => r.productId)}::text[], ${revisits.map((r) => r.weight)}::float8[]) r(product_id, weight)
    ) candidates
    GROUP BY product_id`;
}

/**
 * Upsell: substitutes (view graph) in the anchor's category priced within `priceBand` times
 * the anchor's price, in its currency (`recommendProducts` leaves the anchors' complements out).
 */
function upsellSql(
  workspaceId: string,
  anchors: Anchors,
  band: { min: number; max: number },
): CandidateSql {
  return Prisma.sql`
    SELECT n.neighbour_id AS product_id, sum(n.score * a.weight) AS score
      FROM ${anchorRows(anchors)}
      JOIN products ap ON ap.workspace_id = ${workspaceId}::uuid AND ap.shop_product_id = a.product_id
      JOIN recommendation_neighbours n
        ON n.workspace_id = ${workspaceId}::uuid AND n.graph = 'VIEW' AND n.product_id = a.product_id
      JOIN products p ON p.workspace_id = ${workspaceId}::uuid AND p.shop_product_id = n.neighbour_id
     WHERE ${inBandSql(band)}
     GROUP BY n.neighbour_id`;
}

/** `p` is in anchor product `ap`'s category and price band, in its currency. */
const inBandSql = (band: { min: number; max: number }) => Prisma.sql`
  ap.category IS NOT NULL AND p.category = ap.category AND ap.price IS NOT NULL AND p.price IS NOT NULL
  AND p.currency = ap.currency
  AND p.price >= ap.price * ${band.min}::numeric AND p.price <= ap.price * ${band.max}::numeric`;

/**
 * Bestsellers, the fallback of every strategy: scored by the orders holding the product over
 * the purchase graph's window, ties broken by view sessions (a fraction below one order), so a
 * shop without orders still gets its most viewed products, and one without either its catalog.
 * `scope`: only the anchors' categories (and, for upsell, their price bands).
 *
 * `head` keeps only the products bought at least as often as the `head`-th bestseller (ties
 * included), read from the counts' index rather than from every product of the catalog. It is
 * an exact prefix of the full ranking: every product outside it scores below every product in
 * it. So a caller tries the head first and the full ranking only if the head did not fill.
 */
export function bestsellersSql(
  workspaceId: string,
  scope: { anchors: Anchors; band: { min: number; max: number } | null } | null,
  head?: number,
): CandidateSql {
  const scoped = !scope
    ? Prisma.empty
    : scope.band
      ? Prisma.sql`AND EXISTS (SELECT 1 FROM ${anchorRows(scope.anchors)}
                     JOIN products ap ON ap.workspace_id = ${workspaceId}::uuid AND ap.shop_product_id = a.product_id
                    WHERE ${inBandSql(scope.band)})`
      : Prisma.sql`AND p.category IN (SELECT ap.category FROM products ap
                    WHERE ap.workspace_id = ${workspaceId}::uuid
                      AND ap.shop_product_id = ANY(${scope.anchors.products.map((a) => a.productId)}::text[])
                      AND ap.category IS NOT NULL)`;
  const score = Prisma.sql`coalesce(bought.count, 0) + coalesce(viewed.count, 0)::float8 / (coalesce(viewed.count, 0) + 1)`;
  const viewedJoin = Prisma.sql`LEFT JOIN recommendation_product_counts viewed
        ON viewed.workspace_id = p.workspace_id AND viewed.graph = 'VIEW' AND viewed.product_id = p.shop_product_id`;
  if (head !== undefined) {
    return Prisma.sql`
      SELECT p.shop_product_id AS product_id, ${score} AS score, bought.count AS sold
        FROM recommendation_product_counts bought
        JOIN products p ON p.workspace_id = bought.workspace_id AND p.shop_product_id = bought.product_id
        ${viewedJoin}
       WHERE bought.workspace_id = ${workspaceId}::uuid AND bought.graph = 'PURCHASE' AND bought.count > 0
         AND bought.count >= (SELECT min(top.count) FROM (
               SELECT count FROM recommendation_product_counts
                WHERE workspace_id = ${workspaceId}::uuid AND graph = 'PURCHASE' AND count > 0
                ORDER BY count DESC LIMIT ${head}) top)
         ${scoped}`;
  }
  return Prisma.sql`
    SELECT p.shop_product_id AS product_id, ${score} AS score, coalesce(bought.count, 0) AS sold
      FROM products p
      LEFT JOIN recommendation_product_counts bought
        ON bought.workspace_id = p.workspace_id AND bought.graph = 'PURCHASE' AND bought.product_id = p.shop_product_id
      ${viewedJoin}
     WHERE p.workspace_id = ${workspaceId}::uuid ${scoped}`;
}

/**
 * A strategy's candidates ranked together with the bestsellers of `pool`, so a strong
 * bestseller can outrank a weak neighbour: each product's rank is its signal relative to the
 * strongest candidate's (1 for the best neighbour) plus `popularityWeight` × its orders relative
 * to the shop's top seller. Yields `product_id`, `score` (the strategy's signal, else the
 * bestseller score), `rank` and `own` (whether the strategy proposed it). A weight of 0 ranks
 * by the signal alone, with the bestsellers after every neighbour.
 */
export function blendedSql(
  workspaceId: string,
  own: CandidateSql,
  pool: CandidateSql,
  popularityWeight: number,
): CandidateSql {
  return Prisma.sql`
    WITH own AS (${own})
    SELECT u.product_id, coalesce(max(u.signal), max(u.score)) AS score, bool_or(u.signal IS NOT NULL) AS own,
           coalesce(max(u.signal) / nullif((SELECT max(score) FROM own), 0), 0)
             + ${popularityWeight}::float8 * coalesce(max(u.sold), 0)::float8
               / greatest((SELECT max(count) FROM recommendation_product_counts
                            WHERE workspace_id = ${workspaceId}::uuid AND graph = 'PURCHASE'), 1) AS rank
      FROM (SELECT own.product_id, own.score AS signal, NULL::float8 AS score, bought.count AS sold
              FROM own
              LEFT JOIN recommendation_product_counts bought
                ON bought.workspace_id = ${workspaceId}::uuid AND bought.graph = 'PURCHASE' AND bought.product_id = own.product_id
            UNION ALL
            SELECT pool.product_id, NULL, pool.score, pool.sold FROM (${pool}) pool) u
     GROUP BY u.product_id`;
}

/**
 * The candidate query of a strategy (null for bestsellers, which is only its fallback).
 *
 * @example strategySql("frequently_bought_together", workspaceId, anchors, request)
 */
export function strategySql(
  strategy: Strategy,
  workspaceId: string,
  anchors: Anchors,
  request: ParsedRecommendationRequest,
): CandidateSql | null {
  if (anchors.products.length === 0) return null;
  switch (strategy) {
    case "frequently_bought_together":
    case "cross_sell":
      return neighboursSql(workspaceId, anchors, ["PURCHASE"]);
    case "viewed_also_viewed":
      return neighboursSql(workspaceId, anchors, ["VIEW"]);
    case "for_you":
      return forYouSql(workspaceId, anchors);
    case "upsell":
      return upsellSql(workspaceId, anchors, request.priceBand);
    case "bestsellers":
      return null;
  }
}
