import { z } from "zod";
import { db } from "../../db.ts";
import { parseInput } from "../shared/validation.ts";
import { maxProductBatch } from "./product-input.ts";

const productIds = z
  .array(z.string().trim().min(1, "must not be empty").max(255))
  .min(1, "give at least one product id")
  .max(
    maxProductBatch,
    `at most ${maxProductBatch.toLocaleString("en")} product ids per call; split them into batches`,
  );

export interface ArchivedProducts {
  /** Row ids of the products now archived (including those that already were). */
  archivedIds: string[];
  /** Shop product ids the workspace has no product for; nothing was done for them. */
  unknownProductIds: string[];
}

/**
 * Archives products by the shop's product ids (status ARCHIVED; rows, orders and history
 * stay, and a later `upsertProducts` with a status brings one back). Archiving twice is
 * harmless; ids the workspace does not know are listed, not an error. Rows are locked in the
 * same order as `upsertProducts` locks them, so the two never deadlock.
 *
 * @example await archiveProducts(workspaceId, ["sku-1", "sku-2"]) // { archivedIds: [...], unknownProductIds: [] }
 */
export async function archiveProducts(
  workspaceId: string,
  rawProductIds: unknown,
): Promise<ArchivedProducts> {
  const ids = [...new Set(parseInput(productIds, rawProductIds, ["productIds"]))];
  const archived = await db().$queryRaw<{ id: string; shop_product_id: string }[]>`
    WITH locked AS (
      SELECT id FROM products
       WHERE workspace_id = ${workspaceId}::uuid AND shop_product_id = ANY(${ids}::text[])
       ORDER BY shop_product_id
         FOR UPDATE)
    UPDATE products p
       SET status = 'ARCHIVED',
           updated_at = CASE WHEN p.status = 'ARCHIVED' THEN p.updated_at ELSE now() END
      FROM locked WHERE p.id = locked.id
    RETURNING p.id::text, p.shop_product_id`;
  const found = new Set(archived.map((row) => row.shop_product_id));
  return {
    archivedIds: archived.map((row) => row.id),
    unknownProductIds: ids.filter((id) => !found.has(id)),
  };
}
