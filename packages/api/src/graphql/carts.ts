import {
  cartOrderBy,
  countCarts,
  listCarts,
  loadCart,
  loadCartByShopId,
} from "../domain/orders/list-carts.ts";
import { loadProductFacts, type ProductFact } from "../domain/orders/product-facts.ts";
import type { cartStatuses } from "../domain/orders/record-carts.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { Product } from "./catalog.ts";
import { DateTimeRange } from "./contacts.ts";
import { decodeId } from "./ids.ts";
import { Money } from "./money.ts";
import { Order } from "./orders.ts";
import { productLoader } from "./product-loader.ts";
import { inCallersWorkspace, nothing } from "./scoping.ts";

export const CartStatus = builder.enumType("CartStatus", {
  description:
    "Where a cart stands: ACTIVE → CHECKOUT_STARTED → CONVERTED, or ABANDONED after no activity for the abandonment time (CARTWHEEL_CART_ABANDON_AFTER_MINUTES, default 60).",
  values: {
    ACTIVE: { description: "Being filled." },
    CHECKOUT_STARTED: { description: "The shopper started checking out." },
    CONVERTED: { description: "An order bought it (by its cart id, or containing its items)." },
    ABANDONED: { description: "Idle for the abandonment time; new activity makes it ACTIVE." },
  } satisfies Record<(typeof cartStatuses)[number], unknown>,
});

builder.prismaObject("CartLine", {
  description: "One line of a cart, at the unit price the shopper last saw.",
  fields: (t) => ({
    productId: t.exposeString("shopProductId", { description: "The shop's product id." }),
    variantId: t.exposeString("shopVariantId", {
      nullable: true,
      description: "The shop's variant id, if the events named one.",
    }),
    sku: t.exposeString("sku", { nullable: true, description: "The stock-keeping unit." }),
    title: t.exposeString("title", { nullable: true, description: "As the events named it." }),
    variant: t.exposeString("variant", {
      nullable: true,
      description: 'The variant as the events named it, e.g. "M / Blue".',
    }),
    price: t.field({
      type: Money,
      description: "The unit price the shopper saw (the catalog's price now is `product.price`).",
      select: { price: true, cart: { select: { currency: true } } },
      resolve: (line) => ({ minor: line.price, currency: line.cart.currency }),
    }),
    quantity: t.exposeInt("quantity", { description: "Units in the cart." }),
    imageUrl: t.exposeString("imageUrl", {
      nullable: true,
      description: "As the events named it.",
    }),
    url: t.exposeString("url", { nullable: true, description: "As the events named it." }),
    addedAt: t.expose("addedAt", {
      type: "DateTime",
      description: "When the shopper last added (or listed) it.",
    }),
    product: t.field({
      type: Product,
      nullable: true,
      description:
        "The catalog's product now (current price, image, stock), or null if the catalog does not know it. Loaded for every line of a response in one query.",
      select: { shopProductId: true },
      resolve: (line, _args, context) => productLoader(context)(line.shopProductId),
    }),
  }),
});

export const Cart = builder.prismaNode("Cart", {
  id: { resolve: (row) => row.id, description: "The cart's global id (for `node` and `cart`)." },
  nullable: true,
  description:
    "A shopper's cart, one per cart id (the SDK's `cart_id`), kept from the cart events: lines with quantities and the prices seen, its status, and the order that converted it.",
  authScopes: { scope: "orders:read" },
  findUnique: inCallersWorkspace,
  fields: (t) => ({
    cartId: t.exposeString("shopCartId", {
      description: "The shop's cart id, as the cart events carry it in `cart_id`.",
    }),
    status: t.expose("status", { type: CartStatus, description: "Where the cart stands now." }),
    contact: t.relation("contact", {
      nullable: true,
      description: "Null while the shopper is anonymous.",
    }),
    currency: t.exposeString("currency", { description: "ISO 4217; the lines' prices are in it." }),
    lines: t.relation("lines", {
      description: "What is in the cart now, in the order it was added.",
      query: { orderBy: { position: "asc" } },
    }),
    total: t.field({
      type: Money,
      description: "The lines' sum at the prices seen.",
      select: {
        currency: true,
        // The same arguments as `lines`, so Prisma loads the lines once for both.
        lines: { orderBy: { position: "asc" }, select: { price: true, quantity: true } },
      },
      resolve: (cart) => ({
        minor: cart.lines.reduce((sum, line) => sum + line.price * BigInt(line.quantity), 0n),
        currency: cart.currency,
      }),
    }),
    checkoutUrl: t.exposeString("checkoutUrl", {
      nullable: true,
      description: "Where the shopper can finish checking out, if the events said.",
    }),
    lastActivityAt: t.expose("lastActivityAt", {
      type: "DateTime",
      description: "The latest cart event's time.",
    }),
    checkoutStartedAt: t.expose("checkoutStartedAt", {
      type: "DateTime",
      nullable: true,
      description: "The latest Checkout Started's time.",
    }),
    abandonedAt: t.expose("abandonedAt", {
      type: "DateTime",
      nullable: true,
      description: "When the sweep last found it idle.",
    }),
    convertedOrder: t.relation("convertedOrder", {
      type: Order,
      nullable: true,
      description: "The order that bought it.",
    }),
    convertedAt: t.expose("convertedAt", {
      type: "DateTime",
      nullable: true,
      description: "When that order was placed.",
    }),
    createdAt: t.expose("createdAt", {
      type: "DateTime",
      description: "When Cartwheel first heard of it.",
    }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When it last changed." }),
  }),
});

builder.queryField("cart", (t) =>
  t.prismaField({
    type: Cart,
    nullable: true,
    description: "A cart by its global id; null if the workspace has none.",
    authScopes: { scope: "orders:read" },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, context) => {
      let cartId: string;
      try {
        cartId = decodeId(id, "Cart", ["id"]);
      } catch {
        return null;
      }
      return loadCart(workspaceOf(context.principal), cartId, query);
    },
  }),
);

builder.queryField("cartByShopId", (t) =>
  t.prismaField({
    type: Cart,
    nullable: true,
    description: "A cart by the shop's cart id (`cart_id`); null if the workspace has none.",
    authScopes: { scope: "orders:read" },
    args: { cartId: t.arg.string({ required: true }) },
    resolve: (query, _root, { cartId }, context) =>
      loadCartByShopId(workspaceOf(context.principal), cartId, query),
  }),
);

const CartFilter = builder.inputType("CartFilter", {
  description: "Every field given must hold.",
  fields: (t) => ({
    status: t.field({ type: [CartStatus], description: "Any of these statuses." }),
    contactId: t.id({ description: "The contact's carts." }),
    updatedAt: t.field({ type: DateTimeRange, description: "Changed in this range (inclusive)." }),
  }),
});

function cartFilter(filter: typeof CartFilter.$inferInput | null | undefined) {
  if (!filter) return undefined;
  const { status, contactId, updatedAt } = filter;
  return {
    ...(status && { status }),
    ...(contactId && { contactId: contactRowId(contactId) }),
    ...(updatedAt && { updatedAt: { min: updatedAt.min ?? null, max: updatedAt.max ?? null } }),
  };
}

/** A contact's row id from its global id; an id that is not one matches no cart. */
function contactRowId(globalId: string): string {
  try {
    return decodeId(globalId, "Contact", ["filter", "contactId"]);
  } catch {
    return nothing;
  }
}

builder.queryField("carts", (t) =>
  t.prismaConnection(
    {
      type: Cart,
      cursor: "id_workspaceId",
      defaultSize: 50,
      maxSize: 500,
      description: "The workspace's carts, most recently changed first.",
      authScopes: { scope: "orders:read" },
      args: { filter: t.arg({ type: CartFilter }) },
      totalCount: (_connection, { filter }, context) =>
        countCarts(workspaceOf(context.principal), cartFilter(filter)),
      resolve: (query, _root, { filter }, context) =>
        listCarts(workspaceOf(context.principal), { filter: cartFilter(filter), query }),
    },
    {},
  ),
);

builder.prismaObjectField("Contact", "carts", (t) =>
  t.relatedConnection("carts", {
    type: Cart,
    cursor: "id_workspaceId",
    description: "The contact's carts, most recently changed first.",
    authScopes: { scope: "orders:read" },
    nullable: true,
    query: () => ({ orderBy: cartOrderBy }),
    totalCount: true,
  }),
);

const ProductFactRef = builder.objectRef<ProductFact>("ProductFact").implement({
  description: "A product a contact touched, and when.",
  fields: (t) => ({
    productId: t.exposeString("productId", { description: "The shop's product id." }),
    at: t.expose("at", { type: "DateTime", description: "When." }),
    product: t.field({
      type: Product,
      nullable: true,
      description: "The catalog's product, or null if the catalog does not know it.",
      resolve: (fact, _args, context) => productLoader(context)(fact.productId),
    }),
  }),
});

const ProductFacts = builder
  .objectRef<Awaited<ReturnType<typeof loadProductFacts>>>("ProductFacts")
  .implement({
    description: "What a contact last did with products.",
    fields: (t) => ({
      lastViewed: t.field({
        type: ProductFactRef,
        nullable: true,
        description: "The latest Product Viewed.",
        resolve: (facts) => facts.lastViewed,
      }),
      lastAddedToCart: t.field({
        type: ProductFactRef,
        nullable: true,
        description: "The latest Product Added, whether or not it is still in a cart.",
        resolve: (facts) => facts.lastAddedToCart,
      }),
      lastBought: t.field({
        type: ProductFactRef,
        nullable: true,
        description: "The first line of the latest order that was not cancelled.",
        resolve: (facts) => facts.lastBought,
      }),
    }),
  });

builder.prismaObjectField("Contact", "productFacts", (t) =>
  t.field({
    type: ProductFacts,
    description:
      "The products the contact last viewed, added to a cart and bought (from its events and orders).",
    authScopes: { scope: "orders:read" },
    nullable: true,
    select: { id: true, workspaceId: true },
    resolve: (contact) => loadProductFacts(contact.workspaceId, contact.id),
  }),
);
