import { z } from "zod";
import { type Transaction, withTransaction } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { addJob } from "../jobs/add-job.ts";
import { batchRefusal, parseBatchRows } from "../shared/batch-rows.ts";
import { type FieldProblem, InvalidInputError } from "../shared/errors.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { maxProductBatch, productInput } from "./product-input.ts";
import { type ProductRow, productRow, type StoredProduct, type VariantRow } from "./product-row.ts";

export interface UpsertedProduct {
  /** The row's position in the batch. */
  index: number;
  /** The product's row id (what GraphQL's global id encodes). */
  id: string;
  /** The shop's product id. */
  productId: string;
  created: boolean;
  /** The row filled in a stub that events had made. */
  filledStub: boolean;
}

const batchShape = z
  .array(z.unknown())
  .min(1, "give at least one product")
  .max(
    maxProductBatch,
    `at most ${maxProductBatch.toLocaleString("en")} products per call; split the catalog into batches`,
  );

/**
 * Creates or updates up to 1,000 products at once, each named by the shop's `productId`
 * (see `productInput` for what each field does; amounts are major units). All or nothing, as
 * `importContacts`: if any row is invalid nothing changes and the error names every bad row
 * (`["products", "<index>", "<field>"]`). A row naming a stub (a product known only from
 * events) fills it in and makes it a catalog product. The products are written by one
 * `INSERT … ON CONFLICT` statement (and the listed variants by two more), with the rows they
 * update locked first in id order, so concurrent batches neither lose fields nor deadlock.
 *
 * @example await upsertProducts(workspaceId, [{ productId: "sku-1", title: "Linen shirt", price: 49, category: "Men > Shirts" }])
 */
export async function upsertProducts(
  workspaceId: string,
  rows: unknown[],
): Promise<UpsertedProduct[]> {
  const shape = batchShape.safeParse(rows);
  if (!shape.success) {
    throw InvalidInputError.field(["products"], shape.error.issues[0]?.message ?? "invalid batch");
  }
  const inputs = parseBatchRows(rows, productInput, {
    field: "products",
    keyField: "productId",
    key: (row) => row.productId,
  });
  return withTransaction(async (tx) => {
    const currency = await loadWorkspaceCurrency(tx, workspaceId);
    const stored = await lockStoredProducts(
      tx,
      workspaceId,
      inputs.map((input) => input.productId),
    );
    const problems: FieldProblem[] = [];
    const written: { row: ProductRow; variants: VariantRow[] | null }[] = [];
    inputs.forEach((input, index) => {
      const result = productRow(input, stored.get(input.productId), currency, [
        "products",
        String(index),
      ]);
      if ("problems" in result) problems.push(...result.problems);
      else written.push(result);
    });
    if (problems.length > 0) throw batchRefusal("products", problems, rows.length);

    const saved = await tx.$queryRawUnsafe<
      { id: string; shop_product_id: string; created: boolean }[]
    >(upsertProductsSql, workspaceId, JSON.stringify(written.map((entry) => entry.row)));
    const idOf = new Map(saved.map((row) => [row.shop_product_id, row]));
    await queueCategorySegmentRefresh(tx, workspaceId, written, stored);
    await writeVariants(
      tx,
      workspaceId,
      written.flatMap(({ row, variants }) => {
        const id = idOf.get(row.shop_product_id)?.id;
        return variants && id ? [{ productId: id, variants }] : [];
      }),
    );
    return inputs.map((input, index) => {
      const row = idOf.get(input.productId);
      if (!row) throw new Error(`product ${input.productId} was not written`);
      return {
        index,
        id: row.id,
        productId: input.productId,
        created: row.created,
        filledStub: stored.get(input.productId)?.stub ?? false,
      };
    });
  });
}

/**
 * When a product's category changed (or a new product came with one, which orders may name
 * already), the segments on purchased categories are re-checked in full by a keyed
 * `refresh_segments` job, queued at most once however many batches a catalog sync sends.
 */
async function queueCategorySegmentRefresh(
  tx: Transaction,
  workspaceId: string,
  written: readonly { row: ProductRow }[],
  stored: ReadonlyMap<string, StoredProduct>,
) {
  const moved = written.some(
    ({ row }) => row.category !== (stored.get(row.shop_product_id)?.category ?? null),
  );
  if (!moved) return;
  await addJob(
    tx,
    "refresh_segments",
    { workspaceId, dependingOn: "catalog" },
    {
      jobKey: `refresh_segments:catalog:${workspaceId}`,
      onlyIf: Prisma.sql`EXISTS (SELECT 1 FROM segments WHERE workspace_id = ${workspaceId}::uuid)`,
    },
  );
}

async function lockStoredProducts(
  tx: Transaction,
  workspaceId: string,
  productIds: string[],
): Promise<Map<string, StoredProduct>> {
  const rows = await tx.$queryRawUnsafe<StoredProduct[]>(
    `SELECT id::text, shop_product_id, sku, title, url, image_url, currency,
            price::float8 AS price, compare_at_price::float8 AS compare_at_price, category, brand,
            coalesce(tags, '{}') AS tags, inventory_quantity, in_stock, status::text AS status,
            replenishment_days, properties, stub
       FROM products
      WHERE workspace_id = $1::uuid AND shop_product_id = ANY($2::text[])
      ORDER BY shop_product_id
        FOR UPDATE`,
    workspaceId,
    productIds,
  );
  return new Map(rows.map((row) => [row.shop_product_id, row]));
}

async function writeVariants(
  tx: Transaction,
  workspaceId: string,
  lists: { productId: string; variants: VariantRow[] }[],
) {
  if (lists.length === 0) return;
  const rows = JSON.stringify(
    lists.flatMap(({ productId, variants }) =>
      variants.map((variant) => ({ ...variant, product_id: productId })),
    ),
  );
  const productIds = lists.map((list) => list.productId);
  await tx.$executeRawUnsafe(deleteUnlistedVariantsSql, productIds, rows);
  await tx.$executeRawUnsafe(upsertVariantsSql, workspaceId, rows);
}

const productColumns = `shop_product_id text, sku text, title text, url text, image_url text,
  currency text, price bigint, compare_at_price bigint, category text, brand text, tags text[],
  inventory_quantity int, in_stock boolean, status text, replenishment_days int, properties jsonb`;

const upsertProductsSql = `
  INSERT INTO products AS p (workspace_id, shop_product_id, sku, title, url, image_url, currency,
    price, compare_at_price, category, brand, tags, inventory_quantity, in_stock, status,
    replenishment_days, properties, stub, created_at, updated_at)
  SELECT $1::uuid, r.shop_product_id, r.sku, r.title, r.url, r.image_url, r.currency, r.price,
         r.compare_at_price, r.category, r.brand, r.tags, r.inventory_quantity, r.in_stock,
         r.status::product_status, r.replenishment_days, r.properties, false, now(), now()
    FROM jsonb_to_recordset($2::jsonb) AS r(${productColumns})
   ORDER BY r.shop_product_id
  ON CONFLICT (workspace_id, shop_product_id) DO UPDATE SET
    sku = EXCLUDED.sku, title = EXCLUDED.title, url = EXCLUDED.url, image_url = EXCLUDED.image_url,
    currency = EXCLUDED.currency, price = EXCLUDED.price, compare_at_price = EXCLUDED.compare_at_price,
    category = EXCLUDED.category, brand = EXCLUDED.brand, tags = EXCLUDED.tags,
    inventory_quantity = EXCLUDED.inventory_quantity, in_stock = EXCLUDED.in_stock,
    status = EXCLUDED.status, replenishment_days = EXCLUDED.replenishment_days,
    properties = EXCLUDED.properties, stub = false, updated_at = now()
  RETURNING id::text, shop_product_id, (xmax = 0) AS created`;

const variantColumns = `product_id uuid, shop_variant_id text, sku text, title text, price bigint,
  compare_at_price bigint, inventory_quantity int, in_stock boolean, position int`;

const deleteUnlistedVariantsSql = `
  DELETE FROM product_variants v
   WHERE v.product_id = ANY($1::uuid[])
     AND NOT EXISTS (
       SELECT 1 FROM jsonb_to_recordset($2::jsonb) AS r(${variantColumns})
        WHERE r.product_id = v.product_id AND r.shop_variant_id = v.shop_variant_id)`;

const upsertVariantsSql = `
  INSERT INTO product_variants AS v (product_id, workspace_id, shop_variant_id, sku, title, price,
    compare_at_price, inventory_quantity, in_stock, position)
  SELECT r.product_id, $1::uuid, r.shop_variant_id, r.sku, r.title, r.price, r.compare_at_price,
         r.inventory_quantity, r.in_stock, r.position
    FROM jsonb_to_recordset($2::jsonb) AS r(${variantColumns})
   ORDER BY r.product_id, r.shop_variant_id
  ON CONFLICT (workspace_id, product_id, shop_variant_id) DO UPDATE SET
    sku = EXCLUDED.sku, title = EXCLUDED.title, price = EXCLUDED.price,
    compare_at_price = EXCLUDED.compare_at_price, inventory_quantity = EXCLUDED.inventory_quantity,
    in_stock = EXCLUDED.in_stock, position = EXCLUDED.position`;
