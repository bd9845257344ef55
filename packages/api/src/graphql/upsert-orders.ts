import { maxOrderBatch } from "../domain/orders/order-input.ts";
import type { settableOrderStatuses } from "../domain/orders/order-write.ts";
import { type UpsertedOrder, upsertOrders } from "../domain/orders/upsert-orders.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { mutationErrors } from "./errors.ts";
import { withoutUndefined } from "./input.ts";

const SettableOrderStatus = builder.enumType("SettableOrderStatus", {
  description:
    "The statuses upsertOrders may set. The refund statuses follow from `refunds`: a refund as recent as the status (or newer) shows as PARTIALLY_REFUNDED or REFUNDED.",
  values: {
    PLACED: { description: "Ordered, nothing further known." },
    PAID: { description: "Payment received." },
    FULFILLED: { description: "Packed or handed over." },
    SHIPPED: { description: "On its way; give tracking." },
    CANCELLED: { description: "Cancelled by the shop or the customer." },
  } satisfies Record<(typeof settableOrderStatuses)[number], unknown>,
});

const OrderCustomerInput = builder.inputType("OrderCustomerInput", {
  description:
    "Whose order it is: the contact with this externalId (else this email), created with these names if there is none. An existing contact is not changed.",
  fields: (t) => ({
    email: t.string({ description: "The customer's email (lower-cased)." }),
    externalId: t.string({ description: "The shop's own customer id; preferred over the email." }),
    firstName: t.string({ description: "For a new contact only." }),
    lastName: t.string({ description: "For a new contact only." }),
  }),
});

const OrderLineInput = builder.inputType("OrderLineInput", {
  description: "One line of an order.",
  fields: (t) => ({
    productId: t.string({
      required: true,
      description: "The shop's product id (need not be in the catalog).",
    }),
    variantId: t.string({ description: "The shop's variant id." }),
    sku: t.string({ description: "The stock-keeping unit." }),
    title: t.string({ description: "The product's name as ordered." }),
    price: t.float({
      required: true,
      description: "The unit price paid, in major units: 19.9 is 19.90.",
    }),
    quantity: t.int({ description: "Default 1." }),
    imageUrl: t.string({ description: "An http(s) URL." }),
    url: t.string({ description: "The product page, an http(s) URL." }),
  }),
});

const OrderRefundInput = builder.inputType("OrderRefundInput", {
  description: "One refund, kept once per refundId (sending it again updates it).",
  fields: (t) => ({
    refundId: t.string({ required: true, description: "The shop's refund id." }),
    amount: t.float({ description: "Major units. Left out: whatever is left of the total." }),
    refundedAt: t.field({ type: "DateTime", description: "Default: the order's updatedAt." }),
    reason: t.string({ description: "Why, if the shop knows." }),
  }),
});

const OrderTrackingInput = builder.inputType("OrderTrackingInput", {
  description: "How to follow the shipment.",
  fields: (t) => ({
    number: t.string({ description: "The tracking number." }),
    url: t.string({ description: "The carrier's tracking page, an http(s) URL." }),
    carrier: t.string({ description: 'e.g. "UPS".' }),
  }),
});

const OrderInput = builder.inputType("OrderInput", {
  description:
    "One order, named by the shop's orderId: sending the same orderId again updates that order (also one that came from an Order Completed event). Amounts are major units of `currency`.",
  fields: (t) => ({
    orderId: t.string({ required: true, description: "The shop's own order id." }),
    orderNumber: t.string({ description: 'What the customer sees, e.g. "#1042".' }),
    customer: t.field({
      type: OrderCustomerInput,
      required: true,
      description: "Whose order it is; their contact is created if missing.",
    }),
    currency: t.string({ description: "ISO 4217. Default: the workspace's currency." }),
    subtotal: t.float({ description: "Major units. Default: the lines' sum." }),
    discount: t.float({ description: "Major units, taken off." }),
    shipping: t.float({ description: "Major units." }),
    tax: t.float({ description: "Major units." }),
    total: t.float({
      required: true,
      description: "Major units: what the customer paid (54.9 is 54.90).",
    }),
    coupon: t.string({ description: "The coupon code used." }),
    cartId: t.string({ description: "The cart it converted, as the SDK's cart events name it." }),
    orderedAt: t.field({
      type: "DateTime",
      required: true,
      description: "When it was placed; past dates backfill history.",
    }),
    updatedAt: t.field({
      type: "DateTime",
      description:
        "When the shop last changed the order (default: now). A write older than what is stored is ignored, so syncs may arrive out of order.",
    }),
    status: t.field({ type: SettableOrderStatus, description: "Default for a new order: PLACED." }),
    tracking: t.field({ type: OrderTrackingInput, description: "Kept until replaced." }),
    shippedAt: t.field({
      type: "DateTime",
      description: "Default with status SHIPPED: updatedAt.",
    }),
    cancelledAt: t.field({
      type: "DateTime",
      description: "Default with status CANCELLED: updatedAt.",
    }),
    lines: t.field({ type: [OrderLineInput], description: "Up to 500; replace the stored lines." }),
    refunds: t.field({
      type: [OrderRefundInput],
      description: "Up to 100; refunds not listed are kept.",
    }),
    properties: t.field({ type: "JSONObject", description: "Merged into the stored ones." }),
  }),
});

const UpsertedOrderRef = builder.objectRef<UpsertedOrder>("UpsertedOrder").implement({
  description: "What upsertOrders did with one row.",
  fields: (t) => ({
    index: t.exposeInt("index", { description: "The row's position in the input." }),
    id: t.globalID({
      description: "The order's global id.",
      resolve: (row) => ({ type: "Order", id: row.id }),
    }),
    orderId: t.exposeString("orderId", { description: "The shop's order id." }),
    contactId: t.globalID({
      description: "The global id of the customer's contact.",
      resolve: (row) => ({ type: "Contact", id: row.contactId }),
    }),
    created: t.exposeBoolean("created", { description: "A new order (false: an update)." }),
  }),
});

const UpsertOrdersPayload = builder
  .objectRef<{ rows: UpsertedOrder[] }>("UpsertOrdersPayload")
  .implement({
    description: "What upsertOrders wrote.",
    fields: (t) => ({
      createdCount: t.int({
        description: "New orders.",
        resolve: ({ rows }) => rows.filter((row) => row.created).length,
      }),
      updatedCount: t.int({
        description: "Orders updated.",
        resolve: ({ rows }) => rows.filter((row) => !row.created).length,
      }),
      rows: t.field({
        type: [UpsertedOrderRef],
        description: "One per input row, in input order.",
        resolve: ({ rows }) => rows,
      }),
    }),
  });

const UpsertOrdersInput = builder.inputType("UpsertOrdersInput", {
  description: "A batch of orders.",
  fields: (t) => ({
    orders: t.field({
      type: [OrderInput],
      required: true,
      description: `Up to ${maxOrderBatch} orders.`,
    }),
  }),
});

builder.mutationField("upsertOrders", (t) =>
  t.field({
    type: UpsertOrdersPayload,
    description:
      "Creates or updates a batch of orders pushed by the shop's backend (a live sync or a backfill with past dates), each attached to its customer's contact. All or nothing: if a row is invalid nothing changes and the error names each bad row.",
    authScopes: { scope: "orders:write" },
    errors: {
      types: mutationErrors,
      union: { description: "The orders written, or why nothing was." },
      result: { description: "The batch was written." },
      dataField: { name: "result", description: "What was written." },
    },
    args: { input: t.arg({ type: UpsertOrdersInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      rows: await upsertOrders(
        workspaceOf(context.principal),
        input.orders.map((order) => ({
          ...withoutUndefined(order),
          customer: withoutUndefined(order.customer),
          ...(order.lines && { lines: order.lines.map(withoutUndefined) }),
          ...(order.refunds && { refunds: order.refunds.map(withoutUndefined) }),
          ...(order.tracking && { tracking: withoutUndefined(order.tracking) }),
        })),
      ),
    }),
  }),
);
