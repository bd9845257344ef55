import { db, type Executor } from "../../db.ts";
import type { Prisma, Product } from "../../generated/prisma/client.ts";
import { parseInput } from "../shared/validation.ts";
import { listBoughtProducts, listComplements, resolveAnchors } from "./anchors.ts";
import { bestsellersSql, type CandidateSql, strategySql } from "./candidates.ts";
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

/** One recommended product, the strategy that produced it and its score there. */
export interface Recommendation {
  product: Product;
  /** The requested strategy, or `bestsellers` for a product filled up from the fallback. */
  strategy: Strategy;
  /** The sum of anchor weight × cosine; for bestsellers, orders (+ a fraction for views). */
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
  const tiers: { sql: CandidateSql; strategy: Strategy }[] = [];
  const own = strategySql(request.strategy, workspaceId, anchors, request);
  if (own) tiers.push({ sql: own, strategy: request.strategy });
  const scopes =
    anchors.products.length > 0
      ? [{ anchors, band: request.strategy === "upsell" ? request.priceBand : null }, null]
      : [null];
  for (const scope of scopes) {
    tiers.push({
      sql: bestsellersSql(workspaceId, scope, bestsellerHead),
      strategy: "bestsellers",
    });
    tiers.push({ sql: bestsellersSql(workspaceId, scope), strategy: "bestsellers" });
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

async function chooseFromTiers(
  executor: Executor,
  workspaceId: string,
  request: ParsedRecommendationRequest,
  tiers: { sql: CandidateSql; strategy: Strategy }[],
  eligible: Prisma.Sql,
): Promise<{ productId: string; strategy: Strategy; score: number }[]> {
  const chosen: { productId: string; strategy: Strategy; score: number }[] = [];
  for (const tier of tiers) {
    const wanted = request.limit - chosen.length;
    if (wanted <= 0) break;
    const taken = chosen.map((item) => item.productId);
    const rows = await executor.$queryRaw<{ productId: string; score: number }[]>`
      SELECT c.product_id AS "productId", c.score::float8 AS score
        FROM (${tier.sql}) c
        JOIN products p ON p.workspace_id = ${workspaceId}::uuid AND p.shop_product_id = c.product_id
       WHERE ${eligible} AND NOT (c.product_id = ANY(${taken}::text[]))
       ORDER BY c.score DESC, c.product_id
       LIMIT ${wanted}`;
    for (const row of rows) chosen.push({ ...row, strategy: tier.strategy });
  }
  return chosen;
}
