import {
  countProducts,
  listProducts,
  loadProduct,
  loadProductByShopId,
} from "../domain/catalog/list-products.ts";
import type { productStatuses } from "../domain/catalog/product-input.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { decodeId } from "./ids.ts";
import { withoutNulls } from "./input.ts";
import { Money, money } from "./money.ts";
import { inCallersWorkspace } from "./scoping.ts";

export const ProductStatus = builder.enumType("ProductStatus", {
  description: "Whether a product is for sale.",
  values: {
    ACTIVE: { description: "For sale; recommendations may show it." },
    DRAFT: { description: "Not published yet." },
    ARCHIVED: { description: "No longer sold; kept for orders and history." },
  } satisfies Record<(typeof productStatuses)[number], unknown>,
});

builder.prismaObject("ProductVariant", {
  description: "One purchasable variant of a product (a size, a colour).",
  fields: (t) => ({
    variantId: t.exposeString("shopVariantId", { description: "The shop's own variant id." }),
    sku: t.exposeString("sku", {
      nullable: true,
      description: "The variant's stock-keeping unit.",
    }),
    title: t.exposeString("title", { nullable: true, description: 'e.g. "M / Blue".' }),
    price: t.field({
      type: Money,
      nullable: true,
      description: "In the product's currency.",
      select: { price: true, product: { select: { currency: true } } },
      resolve: (variant) => money(variant.price, variant.product.currency),
    }),
    compareAtPrice: t.field({
      type: Money,
      nullable: true,
      description: "The price before a discount, shown struck through.",
      select: { compareAtPrice: true, product: { select: { currency: true } } },
      resolve: (variant) => money(variant.compareAtPrice, variant.product.currency),
    }),
    inventoryQuantity: t.exposeInt("inventoryQuantity", {
      nullable: true,
      description: "Units the shop has, if it says.",
    }),
    inStock: t.exposeBoolean("inStock", { description: "Whether this variant can be bought now." }),
  }),
});

export const Product = builder.prismaNode("Product", {
  id: {
    resolve: (row) => row.id,
    description: "The product's global id (for `node` and `product`).",
  },
  nullable: true,
  description:
    "A product of the shop's catalog, synced by the shop's backend with upsertProducts, or a stub made from events that named it before the catalog did.",
  authScopes: { scope: "catalog:read" },
  findUnique: inCallersWorkspace,
  fields: (t) => ({
    productId: t.exposeString("shopProductId", {
      description: "The shop's own product id, as events carry it in `product_id`.",
    }),
    sku: t.exposeString("sku", { nullable: true, description: "The stock-keeping unit." }),
    title: t.exposeString("title", {
      nullable: true,
      description: "Null only for a stub whose events carried no name.",
    }),
    url: t.exposeString("url", { nullable: true, description: "The product page." }),
    imageUrl: t.exposeString("imageUrl", { nullable: true, description: "The main image." }),
    price: t.field({
      type: Money,
      nullable: true,
      description:
        "The current selling price (with variants: the shop's price for the product, often the lowest).",
      resolve: (product) => money(product.price, product.currency),
    }),
    compareAtPrice: t.field({
      type: Money,
      nullable: true,
      description: "The price before a discount, shown struck through.",
      resolve: (product) => money(product.compareAtPrice, product.currency),
    }),
    currency: t.exposeString("currency", {
      description: "ISO 4217; every price of the product is in it.",
    }),
    category: t.exposeString("category", {
      nullable: true,
      description: 'A path such as "Women > Shirts".',
    }),
    brand: t.exposeString("brand", { nullable: true, description: "The maker or label." }),
    tags: t.exposeStringList("tags", { description: "The shop's tags for the product." }),
    inventoryQuantity: t.exposeInt("inventoryQuantity", {
      nullable: true,
      description: "Units the shop has, if it says (with variants, by default their sum).",
    }),
    inStock: t.exposeBoolean("inStock", {
      description: "Whether it can be bought now (with variants, by default whether any can).",
    }),
    status: t.expose("status", { type: ProductStatus, description: "Whether it is for sale." }),
    replenishmentDays: t.exposeInt("replenishmentDays", {
      nullable: true,
      description: "Days after which a buyer typically needs it again (replenishment reminders).",
    }),
    properties: t.expose("properties", {
      type: "JSONObject",
      description: "The shop's own fields.",
    }),
    stub: t.exposeBoolean("stub", {
      description: "Known only from events so far; the next upsertProducts naming it fills it in.",
    }),
    variants: t.relation("variants", {
      description: "Empty when the shop does not sell it in variants.",
      query: { orderBy: { position: "asc" } },
    }),
    createdAt: t.expose("createdAt", {
      type: "DateTime",
      description: "When Cartwheel first heard of it (by the catalog sync or an event).",
    }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When it last changed." }),
  }),
});

builder.queryField("product", (t) =>
  t.prismaField({
    type: Product,
    nullable: true,
    description: "A product by its global id; null if the workspace has none.",
    authScopes: { scope: "catalog:read" },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, context) => {
      let productId: string;
      try {
        productId = decodeId(id, "Product", ["id"]);
      } catch {
        return null;
      }
      return loadProduct(workspaceOf(context.principal), productId, query);
    },
  }),
);

builder.queryField("productByShopId", (t) =>
  t.prismaField({
    type: Product,
    nullable: true,
    description: "A product by the shop's own product id; null if the workspace has none.",
    authScopes: { scope: "catalog:read" },
    args: { productId: t.arg.string({ required: true }) },
    resolve: (query, _root, { productId }, context) =>
      loadProductByShopId(workspaceOf(context.principal), productId, query),
  }),
);

export const PriceRange = builder.inputType("PriceRange", {
  description: "Prices between `min` and `max` (inclusive), in major units of `currency`.",
  fields: (t) => ({
    min: t.float({ description: "Major units: 20 is 20.00." }),
    max: t.float({ description: "Major units." }),
    currency: t.string({
      description: "ISO 4217. Default: the workspace's currency. Only products priced in it match.",
    }),
  }),
});

const ProductFilter = builder.inputType("ProductFilter", {
  description: "Every field given must hold.",
  fields: (t) => ({
    search: t.string({
      description: "The title or brand contains it (any case), or the SKU or product id is it.",
    }),
    category: t.string({
      description: 'This category or one under it: "Women" matches "Women > Shirts".',
    }),
    inStock: t.boolean({
      description: "Only products that can (true) or cannot (false) be bought now.",
    }),
    priceRange: t.field({
      type: PriceRange,
      description: "Only priced products within the range.",
    }),
    status: t.field({ type: [ProductStatus], description: "Any of these statuses." }),
    stub: t.boolean({ description: "Only stubs (true) or only catalog products (false)." }),
  }),
});

function productFilter(filter: typeof ProductFilter.$inferInput | null | undefined) {
  if (!filter) return undefined;
  const { priceRange, ...rest } = withoutNulls(filter);
  return { ...rest, ...(priceRange && { priceRange: withoutNulls(priceRange) }) };
}

builder.queryField("products", (t) =>
  t.prismaConnection(
    {
      type: Product,
      cursor: "id_workspaceId",
      defaultSize: 50,
      maxSize: 500,
      description: "The workspace's products, oldest first (those created together by product id).",
      authScopes: { scope: "catalog:read" },
      args: { filter: t.arg({ type: ProductFilter }) },
      totalCount: (_connection, { filter }, context) =>
        countProducts(workspaceOf(context.principal), productFilter(filter)),
      resolve: (query, _root, { filter }, context) =>
        listProducts(workspaceOf(context.principal), { filter: productFilter(filter), query }),
    },
    {},
  ),
);
