import {
  countOrders,
  listOrders,
  loadOrder,
  loadOrderByShopId,
  orderOrderBy,
} from "../domain/orders/list-orders.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { Product } from "./catalog.ts";
import { DateTimeRange } from "./contacts.ts";
import { decodeId } from "./ids.ts";
import { Money, money } from "./money.ts";
import { productLoader } from "./product-loader.ts";
import { inCallersWorkspace, nothing } from "./scoping.ts";

export const OrderStatus = builder.enumType("OrderStatus", {
  description:
    "Where an order stands. The latest change by time wins, so events that arrive late never undo a newer status.",
  values: {
    PLACED: { description: "Ordered, nothing further known." },
    PAID: { description: "Payment received." },
    FULFILLED: { description: "Packed or handed over." },
    SHIPPED: { description: "On its way; see tracking." },
    CANCELLED: { description: "Cancelled by the shop or the customer." },
    PARTIALLY_REFUNDED: { description: "Part of the total was refunded." },
    REFUNDED: { description: "The whole total was refunded." },
  },
});

const OrderSource = builder.enumType("OrderSource", {
  description: "What last wrote an order's amounts and lines.",
  values: {
    EVENT: { description: "An Order Completed (or Order Updated) event." },
    API: { description: "The shop's backend, through upsertOrders." },
  },
});

const Tracking = builder
  .objectRef<{ number: string | null; url: string | null; carrier: string | null }>("Tracking")
  .implement({
    description: "How to follow a shipment.",
    fields: (t) => ({
      number: t.exposeString("number", { nullable: true, description: "The tracking number." }),
      url: t.exposeString("url", { nullable: true, description: "The carrier's tracking page." }),
      carrier: t.exposeString("carrier", { nullable: true, description: 'e.g. "UPS".' }),
    }),
  });

builder.prismaObject("OrderLine", {
  description: "One line of an order, at the unit price paid.",
  fields: (t) => ({
    productId: t.exposeString("shopProductId", { description: "The shop's product id." }),
    variantId: t.exposeString("shopVariantId", {
      nullable: true,
      description: "The shop's variant id, if the line names one.",
    }),
    sku: t.exposeString("sku", { nullable: true, description: "The stock-keeping unit." }),
    title: t.exposeString("title", { nullable: true, description: "As the order named it." }),
    price: t.field({
      type: Money,
      description: "The unit price paid.",
      select: { price: true, order: { select: { currency: true } } },
      resolve: (line) => ({ minor: line.price, currency: line.order.currency }),
    }),
    quantity: t.exposeInt("quantity", { description: "Units bought." }),
    lineTotal: t.field({
      type: Money,
      description: "price × quantity.",
      select: { price: true, quantity: true, order: { select: { currency: true } } },
      resolve: (line) => ({
        minor: line.price * BigInt(line.quantity),
        currency: line.order.currency,
      }),
    }),
    imageUrl: t.exposeString("imageUrl", { nullable: true, description: "As the order named it." }),
    url: t.exposeString("url", {
      nullable: true,
      description: "The product page, as the order named it.",
    }),
    product: t.field({
      type: Product,
      nullable: true,
      description:
        "The catalog's product now (its current price, image and stock), or null if the catalog does not know it. Loaded for every line of a response in one query.",
      select: { shopProductId: true },
      resolve: (line, _args, context) => productLoader(context)(line.shopProductId),
    }),
  }),
});

builder.prismaObject("OrderRefund", {
  description: "One refund of an order.",
  fields: (t) => ({
    refundId: t.exposeString("refundKey", {
      description: 'The shop\'s refund id, or "event:<id>" for a refund event that gave none.',
    }),
    amount: t.field({
      type: Money,
      nullable: true,
      description: "Null: whatever was left of the total (a full refund).",
      select: { amount: true, order: { select: { currency: true } } },
      resolve: (refund) => money(refund.amount, refund.order.currency),
    }),
    refundedAt: t.expose("refundedAt", { type: "DateTime", description: "When it was refunded." }),
    reason: t.exposeString("reason", { nullable: true, description: "Why, if the shop said." }),
  }),
});

export const Order = builder.prismaNode("Order", {
  id: { resolve: (row) => row.id, description: "The order's global id (for `node` and `order`)." },
  nullable: true,
  description:
    "An order of the shop, one per order id: from Order Completed events and from upsertOrders alike. Net revenue is `netTotal` (total minus refunds).",
  authScopes: { scope: "orders:read" },
  findUnique: inCallersWorkspace,
  fields: (t) => {
    const amount = (
      field: "subtotal" | "discount" | "shipping" | "tax" | "total",
      description: string,
    ) =>
      t.field({
        type: Money,
        description,
        resolve: (order) => ({ minor: order[field], currency: order.currency }),
      });
    return {
      orderId: t.exposeString("shopOrderId", { description: "The shop's own order id." }),
      orderNumber: t.exposeString("orderNumber", {
        nullable: true,
        description: 'What the customer sees, e.g. "#1042".',
      }),
      contact: t.relation("contact", {
        nullable: true,
        description: "Null for a guest order from an anonymous shopper not identified yet.",
      }),
      cartId: t.exposeString("cartId", {
        nullable: true,
        description: "The cart it converted, as the SDK's cart events name it.",
      }),
      currency: t.exposeString("currency", {
        description: "ISO 4217; every amount of the order is in it.",
      }),
      subtotal: amount(
        "subtotal",
        "Before discount, shipping and tax (by default the lines' sum).",
      ),
      discount: amount("discount", "Taken off."),
      shipping: amount("shipping", "Shipping charged."),
      tax: amount("tax", "Tax charged."),
      total: amount("total", "What the customer paid (gross revenue)."),
      refunded: t.field({
        type: Money,
        description: "The sum of the refunds, at most the total.",
        resolve: (order) => ({ minor: order.refundedAmount, currency: order.currency }),
      }),
      netTotal: t.field({
        type: Money,
        description: "Net revenue: total minus refunded.",
        resolve: (order) => ({
          minor: order.total - order.refundedAmount,
          currency: order.currency,
        }),
      }),
      coupon: t.exposeString("coupon", { nullable: true, description: "The coupon code used." }),
      status: t.expose("status", { type: OrderStatus, description: "Where the order stands now." }),
      tracking: t.field({
        type: Tracking,
        nullable: true,
        description: "Null until the order is shipped with tracking.",
        resolve: (order) =>
          order.trackingNumber || order.trackingUrl || order.carrier
            ? { number: order.trackingNumber, url: order.trackingUrl, carrier: order.carrier }
            : null,
      }),
      orderedAt: t.expose("orderedAt", { type: "DateTime", description: "When it was placed." }),
      shippedAt: t.expose("shippedAt", {
        type: "DateTime",
        nullable: true,
        description: "When it shipped.",
      }),
      cancelledAt: t.expose("cancelledAt", {
        type: "DateTime",
        nullable: true,
        description: "When it was cancelled.",
      }),
      lines: t.relation("lines", {
        description: "What was bought, in the order the shop listed it.",
        query: { orderBy: { position: "asc" } },
      }),
      refunds: t.relation("refunds", {
        description: "Its refunds, oldest first.",
        query: { orderBy: { refundedAt: "asc" } },
      }),
      source: t.expose("source", {
        type: OrderSource,
        description: "What last wrote its amounts and lines.",
      }),
      verified: t.exposeBoolean("verified", {
        description:
          "False while only a browser (an SDK event with the public key) has reported it; the backend's report of the same order id verifies it. A browser never changes a verified order.",
      }),
      properties: t.expose("properties", {
        type: "JSONObject",
        description: "The shop's own fields.",
      }),
      createdAt: t.expose("createdAt", {
        type: "DateTime",
        description: "When Cartwheel first heard of it.",
      }),
      updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When it last changed." }),
    };
  },
});

builder.queryField("order", (t) =>
  t.prismaField({
    type: Order,
    nullable: true,
    description: "An order by its global id; null if the workspace has none.",
    authScopes: { scope: "orders:read" },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, context) => {
      let orderId: string;
      try {
        orderId = decodeId(id, "Order", ["id"]);
      } catch {
        return null;
      }
      return loadOrder(workspaceOf(context.principal), orderId, query);
    },
  }),
);

builder.queryField("orderByShopId", (t) =>
  t.prismaField({
    type: Order,
    nullable: true,
    description: "An order by the shop's own order id; null if the workspace has none.",
    authScopes: { scope: "orders:read" },
    args: { orderId: t.arg.string({ required: true }) },
    resolve: (query, _root, { orderId }, context) =>
      loadOrderByShopId(workspaceOf(context.principal), orderId, query),
  }),
);

const OrderFilter = builder.inputType("OrderFilter", {
  description: "Every field given must hold.",
  fields: (t) => ({
    status: t.field({ type: [OrderStatus], description: "Any of these statuses." }),
    contactId: t.id({ description: "The contact's orders." }),
    orderId: t.string({ description: "The shop's order id." }),
    cartId: t.string({ description: "The cart it converted." }),
    orderedAt: t.field({ type: DateTimeRange, description: "Placed in this range (inclusive)." }),
  }),
});

function orderFilter(filter: typeof OrderFilter.$inferInput | null | undefined) {
  if (!filter) return undefined;
  const { contactId, orderedAt, ...rest } = filter;
  return {
    ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value != null)),
    ...(contactId && { contactId: contactRowId(contactId) }),
    ...(orderedAt && { orderedAt: { min: orderedAt.min ?? null, max: orderedAt.max ?? null } }),
  };
}

/** A contact's row id from its global id; an id that is not one matches no order. */
function contactRowId(globalId: string): string {
  try {
    return decodeId(globalId, "Contact", ["filter", "contactId"]);
  } catch {
    return nothing;
  }
}

builder.queryField("orders", (t) =>
  t.prismaConnection(
    {
      type: Order,
      cursor: "id_workspaceId",
      defaultSize: 50,
      maxSize: 500,
      description: "The workspace's orders, newest first.",
      authScopes: { scope: "orders:read" },
      args: { filter: t.arg({ type: OrderFilter }) },
      totalCount: (_connection, { filter }, context) =>
        countOrders(workspaceOf(context.principal), orderFilter(filter)),
      resolve: (query, _root, { filter }, context) =>
        listOrders(workspaceOf(context.principal), { filter: orderFilter(filter), query }),
    },
    {},
  ),
);

builder.prismaObjectField("Contact", "orders", (t) =>
  t.relatedConnection("orders", {
    type: Order,
    cursor: "id_workspaceId",
    description: "The contact's orders, newest first.",
    authScopes: { scope: "orders:read" },
    nullable: true,
    query: () => ({ orderBy: orderOrderBy }),
    totalCount: true,
  }),
);
