import { db, type Executor } from "../../db.ts";
import { Prisma, type Product } from "../../generated/prisma/client.ts";
import { parseInput } from "../shared/validation.ts";
import { listBoughtProducts, listComplements, resolveAnchors } from "./anchors.ts";
import { bestsellersSql, blendedSql, type CandidateSql, strategySql } from "./candidates.ts";
import { eligibleProductsSql } from "./eligible-products.ts";
import {
  type ParsedRecommendationRequest,
  type RecommendationRequest,
  recommendationRequest,
  type Strategy,
} from "./recommendation-request.ts";

const dayMs = 86_400_000;
/** Bestsellers are first sought among the top this many (see `bestsellersSql`). */
const bestsellerHead = 500;
/**
 * The bestsellers that compete with a strategy's neighbours: the top this many (ties included).
 * Should more of them be filtered out than a block leaves room for, the fill-up tiers still
 * bring the next ones, only after the neighbours.
 */
const blendedHead = 100;

/** One recommended product, the strategy that produced it and its score there. */
export interface Recommendation {
  product: Product;
  /** The requested strategy, or `bestsellers` for a product filled up from the fallback. */
  strategy: Strategy;
  /**
   * The evidence: the sum of anchor weight × cosine; for bestsellers, orders (+ a fraction for
   * views). The items are ordered by it blended with popularity (`popularityWeight`).
   */
  score: number;
}

export interface Recommendations {
  strategy: Strategy;
  items: Recommendation[];
}

/**
 * Recommends up to `limit` products by a strategy:
 * - `frequently_bought_together`: complements (purchase graph) of `productIds`, a cart or an order;
 * - `viewed_also_viewed`: substitutes (view graph) of the same anchors;
 * - `upsell`: substitutes in the anchor's category priced 1.1–2× it (`priceBand`), never a complement;
 * - `cross_sell`: complements of an order, or of the contact's purchases (90 days, decayed),
 *   leaving out everything the contact ever bought;
 * - `for_you`: neighbours in both graphs of the contact's views (1), cart adds (2) and
 *   purchases (3) of the last 90 days, halved every 14 days;
 * - `bestsellers`: the fallback of all: most ordered, then most viewed.
 * A strategy's candidates are ranked together with bestsellers (of the anchors' categories for
 * substitutes and for you, of the shop for complements): signal relative to the strongest plus
 * `popularityWeight` (0.3) × orders relative to the top seller, so a strong bestseller can
 * outrank a weak neighbour (`blendedSql`).
 * Every result leaves out archived, draft, out-of-stock and title-less products, the anchors
 * and cart items, and what the contact bought within `excludeBoughtWithinDays` (30), honours
 * `filter` (category, price range), and is filled up from bestsellers (of the anchors'
 * categories first) so it is never empty while the catalog has an eligible product. Throws
 * `InvalidInputError` (a missing anchor, a limit outside 1–50) or `NotFoundError` (an unknown
 * product, contact, cart or order).
 *
 * @example await recommendProducts(workspaceId, { strategy: "frequently_bought_together", productIds: ["tent"], limit: 3 })
 * // → { strategy: "frequently_bought_together", items: [{ product: {…"sleeping-bag"}, strategy: "frequently_bought_together", score: 0.81 }, …] }
 */
export async function recommendProducts(
  workspaceId: string,
  input: RecommendationRequest,
  options: { now?: Date; executor?: Executor } = {},
): Promise<Recommendations> {
  const request = parseInput(recommendationRequest, input);
  const executor = options.executor ?? db();
  const now = options.now ?? new Date();
  const anchors = await resolveAnchors(executor, workspaceId, request, now);
  const excluded = new Set(anchors.excluded);
  if (anchors.contactId && request.excludeBoughtWithinDays > 0) {
    const since = new Date(now.getTime() - request.excludeBoughtWithinDays * dayMs);
    for (const id of await listBoughtProducts(executor, workspaceId, anchors.contactId, since)) {
      excluded.add(id);
    }
  }
  if (request.strategy === "upsell") {
    for (const id of await listComplements(executor, workspaceId, anchors)) excluded.add(id);
  }
  const eligible = await eligibleProductsSql(executor, workspaceId, request, [...excluded]);
  const scope =
    anchors.products.length > 0
      ? { anchors, band: request.strategy === "upsell" ? request.priceBand : null }
      : null;
  const tiers: CandidateSql[] = [];
  const own = strategySql(request.strategy, workspaceId, anchors, request);
  if (own) {
    // Substitutes and personal picks compete with the bestsellers of the anchors' categories
    // (upsell: and price band), complements with the shop's: they lie in other categories.
    const complements =
      request.strategy === "frequently_bought_together" || request.strategy === "cross_sell";
    const pool = bestsellersSql(workspaceId, complements ? null : scope, blendedHead);
    tiers.push(blendedSql(workspaceId, own, pool, request.popularityWeight));
  }
  for (const fallback of scope ? [scope, null] : [null]) {
    tiers.push(bestsellerTier(bestsellersSql(workspaceId, fallback, bestsellerHead)));
    tiers.push(bestsellerTier(bestsellersSql(workspaceId, fallback)));
  }
  const chosen = await chooseFromTiers(executor, workspaceId, request, tiers, eligible);
  const rows = await executor.product.findMany({
    where: { workspaceId, shopProductId: { in: chosen.map((item) => item.productId) } },
  });
  const byId = new Map(rows.map((row) => [row.shopProductId, row]));
  return {
    strategy: request.strategy,
    items: chosen.flatMap(({ productId, strategy, score }) => {
      const product = byId.get(productId);
      return product ? [{ product, strategy, score }] : [];
    }),
  };
}

/** Bestsellers as a tier: ranked by their score, none proposed by the strategy. */
const bestsellerTier = (sql: CandidateSql): CandidateSql =>
  Prisma.sql`SELECT product_id, score, score::float8 AS rank, false AS own FROM (${sql}) b`;

/**
 * Takes products from each tier in turn until the request is filled. A tier yields
 * `product_id`, `score`, `rank` (the order) and `own` (whether the requested strategy proposed
 * the product; else it is a bestseller).
 */
async function chooseFromTiers(
  executor: Executor,
  workspaceId: string,
  request: ParsedRecommendationRequest,
  tiers: CandidateSql[],
  eligible: Prisma.Sql,
): Promise<{ productId: string; strategy: Strategy; score: number }[]> {
  const chosen: { productId: string; strategy: Strategy; score: number }[] = [];
  for (const tier of tiers) {
    const wanted = request.limit - chosen.length;
    if (wanted <= 0) break;
    const taken = chosen.map((item) => item.productId);
    const rows = await executor.$queryRaw<{ productId: string; score: number; own: boolean }[]>`
      SELECT c.product_id AS "productId", c.score::float8 AS score, c.own
        FROM (${tier}) c
        JOIN products p ON p.workspace_id = ${workspaceId}::uuid AND p.shop_product_id = c.product_id
       WHERE ${eligible} AND NOT (c.product_id = ANY(${taken}::text[]))
       ORDER BY c.rank DESC, c.score DESC, c.product_id
       LIMIT ${wanted}`;
    for (const { own, ...row } of rows) {
      chosen.push({ ...row, strategy: own ? request.strategy : "bestsellers" });
    }
  }
  return chosen;
}
