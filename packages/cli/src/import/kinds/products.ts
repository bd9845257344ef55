import { defined, readCells } from "../cells.ts";
import type { ImportKind, Mapped } from "../import-kind.ts";
import { csvFieldName, jsonObject, stringField } from "./field-names.ts";

const statuses = ["ACTIVE", "DRAFT", "ARCHIVED"] as const;

/** CSV column → ProductInput field, where they differ. */
const apiFieldOf = {
  id: "productId",
  image_url: "imageUrl",
  compare_at_price: "compareAtPrice",
  inventory: "inventoryQuantity",
  in_stock: "inStock",
  replenishment_days: "replenishmentDays",
} as const;
const columnOf: Record<string, string> = Object.fromEntries(
  Object.entries(apiFieldOf).map(([column, field]) => [field, column]),
);

/**
 * Products, sent to `upsertProducts` (scope `catalog:write`). A CSV row is one product with
 * prices in major units of its currency (`49.90`), as the API takes them; variants need
 * NDJSON, whose lines are `ProductInput` objects as they are.
 */
export const products: ImportKind = {
  name: "products",
  scope: "catalog:write",
  mutationName: "upsertProducts",
  mutation: `mutation ImportProducts($rows: [ProductInput!]!) {
    upsertProducts(input: { products: $rows }) {
      __typename
      ... on MutationUpsertProductsSuccess { result { createdCount updatedCount } }
      ... on InvalidInputError { problems { path message } }
      ... on Error { message }
    }
  }`,
  rowsField: "products",
  maxBatch: 1000,
  csvColumns: [
    "id",
    "sku",
    "title",
    "url",
    "image_url",
    "currency",
    "price",
    "compare_at_price",
    "category",
    "brand",
    "tags",
    "inventory",
    "in_stock",
    "status",
    "replenishment_days",
  ],
  csvRequired: ["id"],
  csvProperties: true,
  fromCsv([row]): Mapped {
    const cells = readCells(row?.cells ?? {});
    const id = cells.text("id") ?? null;
    const input = defined({
      productId: id ?? undefined,
      sku: cells.text("sku"),
      title: cells.text("title"),
      url: cells.text("url"),
      imageUrl: cells.text("image_url"),
      currency: cells.text("currency")?.toUpperCase(),
      price: cells.decimal("price"),
      compareAtPrice: cells.decimal("compare_at_price"),
      category: cells.text("category"),
      brand: cells.text("brand"),
      tags: cells.list("tags"),
      inventoryQuantity: cells.integer("inventory"),
      inStock: cells.boolean("in_stock"),
      status: cells.oneOf("status", statuses),
      replenishmentDays: cells.integer("replenishment_days"),
      properties: cells.properties(),
    });
    if (id === null) cells.problems.push({ field: "id", message: "is required" });
    if (cells.problems.length > 0 || id === null) return { problems: cells.problems, id };
    return { input, id };
  },
  fromJson(value): Mapped {
    const object = jsonObject(value);
    if (!object) return { problems: [{ field: "", message: "must be a JSON object" }], id: null };
    const id = stringField(object, "productId");
    if (id === null) {
      return { problems: [{ field: "productId", message: "is required" }], id: null };
    }
    return { input: object, id };
  },
  uniqueKeys: (input) => [`product ${String(input.productId)}`],
  fieldName: (path, format) => (format === "csv" ? csvFieldName(path, columnOf) : path.join(".")),
};
