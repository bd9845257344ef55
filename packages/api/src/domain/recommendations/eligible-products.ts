import type { Executor } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { InvalidInputError } from "../shared/errors.ts";
import { exactMinorUnits } from "../shared/money.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import type { ParsedRecommendationRequest } from "./recommendation-request.ts";

/**
 * The condition, over products aliased `p`, that every recommended product meets: in the
 * workspace, active (not draft or archived), in stock, described by the catalog (a stub
 * without a title is not shown), not excluded, and within the request's category and price
 * range (major units of its currency, default the workspace's).
 *
 * @example const where = await eligibleProductsSql(tx, workspaceId, request, ["sku-1"])
 */
export async function eligibleProductsSql(
  executor: Executor,
  workspaceId: string,
  request: ParsedRecommendationRequest,
  excluded: string[],
): Promise<Prisma.Sql> {
  const conditions = [
    Prisma.sql`p.workspace_id = ${workspaceId}::uuid`,
    Prisma.sql`p.status = 'ACTIVE' AND p.in_stock AND p.title IS NOT NULL`,
    Prisma.sql`NOT (p.shop_product_id = ANY(${excluded}::text[]))`,
  ];
  const { category, priceRange } = request.filter ?? {};
  if (category) {
    conditions.push(
      Prisma.sql`(p.category = ${category} OR p.category LIKE ${`${category.replace(/[\\%_]/g, "\\$&")} > %`})`,
    );
  }
  if (priceRange) {
    const currency = priceRange.currency ?? (await loadWorkspaceCurrency(executor, workspaceId));
    conditions.push(Prisma.sql`p.currency = ${currency} AND p.price IS NOT NULL`);
    for (const field of ["min", "max"] as const) {
      const value = priceRange[field];
      if (value === null || value === undefined) continue;
      const bound = exactMinorUnits(value, currency);
      if ("problem" in bound) {
        throw InvalidInputError.field(["filter", "priceRange", field], bound.problem);
      }
      conditions.push(
        field === "min"
          ? Prisma.sql`p.price >= ${bound.minor}::bigint`
          : Prisma.sql`p.price <= ${bound.minor}::bigint`,
      );
    }
  }
  return Prisma.join(conditions, " AND ");
}
