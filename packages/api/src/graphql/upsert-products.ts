import { encodeGlobalID } from "@pothos/plugin-relay";
import { archiveProducts } from "../domain/catalog/archive-products.ts";
import { maxProductBatch } from "../domain/catalog/product-input.ts";
import { type UpsertedProduct, upsertProducts } from "../domain/catalog/upsert-products.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { ProductStatus } from "./catalog.ts";
import { mutationErrors } from "./errors.ts";
import { withoutUndefined } from "./input.ts";

const ProductVariantInput = builder.inputType("ProductVariantInput", {
  description: "One variant; a product's list of variants replaces the stored one.",
  fields: (t) => ({
    variantId: t.string({ required: true, description: "The shop's own variant id." }),
    sku: t.string({ description: "The variant's stock-keeping unit." }),
    title: t.string({ description: 'e.g. "M / Blue".' }),
    price: t.float({ description: "Major units of the product's currency: 49.9 is 49.90." }),
    compareAtPrice: t.float({ description: "Major units." }),
    inventoryQuantity: t.int({ description: "Units in stock." }),
    inStock: t.boolean({ description: "Default: inventoryQuantity > 0, or true without one." }),
  }),
});

const ProductInput = builder.inputType("ProductInput", {
  description:
    "One product, named by the shop's productId. A field left out keeps the stored value; a field set to null clears it.",
  fields: (t) => ({
    productId: t.string({ required: true, description: "The shop's own product id." }),
    sku: t.string({ description: "The stock-keeping unit." }),
    title: t.string({
      description: "Required for a new product (and to fill in a stub without one).",
    }),
    url: t.string({ description: "An http(s) URL." }),
    imageUrl: t.string({ description: "An http(s) URL." }),
    currency: t.string({
      description:
        "ISO 4217 for every price of the product. Default: the stored one, else the workspace's.",
    }),
    price: t.float({
      description:
        "Major units (49.9 is 49.90 EUR; 500 is 500 JPY), as events carry prices. More decimals than the currency has are refused.",
    }),
    compareAtPrice: t.float({ description: "Major units; the price before a discount." }),
    category: t.string({ description: 'A path such as "Women > Shirts".' }),
    brand: t.string({ description: "The maker or label." }),
    tags: t.stringList({ description: "Replaces the stored tags." }),
    inventoryQuantity: t.int({ description: "Default with variants: the sum of theirs." }),
    inStock: t.boolean({ description: "Default with variants: whether any is; else true." }),
    status: t.field({ type: ProductStatus, description: "Default for a new product: ACTIVE." }),
    replenishmentDays: t.int({ description: "1 to 3650 days." }),
    properties: t.field({
      type: "JSONObject",
      description: "Merged key by key; a key set to null is removed.",
    }),
    variants: t.field({
      type: [ProductVariantInput],
      description: "Up to 250; replaces the stored variants (an empty list removes them).",
    }),
  }),
});

const UpsertedProductRef = builder.objectRef<UpsertedProduct>("UpsertedProduct").implement({
  description: "What upsertProducts did with one row.",
  fields: (t) => ({
    index: t.exposeInt("index", { description: "The row's position in the input." }),
    id: t.globalID({
      description: "The product's global id.",
      resolve: (row) => ({ type: "Product", id: row.id }),
    }),
    productId: t.exposeString("productId", { description: "The shop's product id." }),
    created: t.exposeBoolean("created", { description: "A new product (false: an update)." }),
    filledStub: t.exposeBoolean("filledStub", {
      description: "The row filled in a stub that events had made.",
    }),
  }),
});

const UpsertProductsPayload = builder
  .objectRef<{ rows: UpsertedProduct[] }>("UpsertProductsPayload")
  .implement({
    description: "What upsertProducts wrote.",
    fields: (t) => ({
      createdCount: t.int({
        description: "New products.",
        resolve: ({ rows }) => rows.filter((row) => row.created).length,
      }),
      updatedCount: t.int({
        description: "Products updated (stubs filled in included).",
        resolve: ({ rows }) => rows.filter((row) => !row.created).length,
      }),
      rows: t.field({
        type: [UpsertedProductRef],
        description: "One per input row, in input order.",
        resolve: ({ rows }) => rows,
      }),
    }),
  });

const UpsertProductsInput = builder.inputType("UpsertProductsInput", {
  description: "A batch of products.",
  fields: (t) => ({
    products: t.field({
      type: [ProductInput],
      required: true,
      description: `Up to ${maxProductBatch} products.`,
    }),
  }),
});

builder.mutationField("upsertProducts", (t) =>
  t.field({
    type: UpsertProductsPayload,
    description:
      "Creates or updates a batch of products by the shop's product id. All or nothing: if a row is invalid nothing changes and the error names each bad row.",
    authScopes: { scope: "catalog:write" },
    errors: {
      types: mutationErrors,
      union: { description: "The products written, or why nothing was." },
      result: { description: "The batch was written." },
      dataField: { name: "result", description: "What was written." },
    },
    args: { input: t.arg({ type: UpsertProductsInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      rows: await upsertProducts(
        workspaceOf(context.principal),
        input.products.map((product) => ({
          ...withoutUndefined(product),
          ...(product.variants && { variants: product.variants.map(withoutUndefined) }),
        })),
      ),
    }),
  }),
);

const ArchiveProductsPayload = builder
  .objectRef<Awaited<ReturnType<typeof archiveProducts>>>("ArchiveProductsPayload")
  .implement({
    description: "What archiveProducts did.",
    fields: (t) => ({
      archivedIds: t.idList({
        description: "Global ids of the products now archived (also those that already were).",
        resolve: (result) => result.archivedIds.map((id) => encodeGlobalID("Product", id)),
      }),
      unknownProductIds: t.exposeStringList("unknownProductIds", {
        description: "Product ids the workspace has no product for; nothing was done for them.",
      }),
    }),
  });

const ArchiveProductsInput = builder.inputType("ArchiveProductsInput", {
  description: "The products to archive.",
  fields: (t) => ({
    productIds: t.stringList({
      required: true,
      description: `The shop's product ids, up to ${maxProductBatch}.`,
    }),
  }),
});

builder.mutationField("archiveProducts", (t) =>
  t.field({
    type: ArchiveProductsPayload,
    description:
      "Archives products by the shop's product ids: they stay for orders and history but are no longer for sale. Harmless to repeat.",
    authScopes: { scope: "catalog:write" },
    errors: {
      types: mutationErrors,
      union: { description: "The products archived, or why nothing was." },
      result: { description: "The products were archived." },
      dataField: { name: "result", description: "What was archived." },
    },
    args: { input: t.arg({ type: ArchiveProductsInput, required: true }) },
    resolve: (_root, { input }, context) =>
      archiveProducts(workspaceOf(context.principal), input.productIds),
  }),
);
