import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { deleteContact } from "../src/domain/contacts/upsert-contact.ts";
import { upsertOrders } from "../src/domain/orders/upsert-orders.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { InvalidInputError } from "../src/domain/shared/errors.ts";
import { daysAgo, makeContact, makeWorkspace, storeEvent, testNow } from "./segment-fixtures.ts";

const order = (workspaceId: string, shopOrderId: string) =>
  db().order.findUniqueOrThrow({
    where: { workspaceId_shopOrderId: { workspaceId, shopOrderId } },
    include: {
      lines: { orderBy: { position: "asc" } },
      refunds: { orderBy: { refundedAt: "asc" } },
    },
  });
const netRevenue = (row: { total: bigint; refundedAmount: bigint }) =>
  row.total - row.refundedAmount;

/** Stores an event and runs its reaction, as the worker's process_event does. */
async function happen(
  workspaceId: string,
  contactId: string | null,
  name: string,
  properties: Record<string, unknown>,
  at: Date,
) {
  const id = await storeEvent(workspaceId, contactId, name, properties, at);
  const reaction = await reactToEvent(id, { now: testNow });
  return { id, reaction };
}

const completed = {
  order_id: "1042",
  order_number: "#1042",
  cart_id: "cart-7",
  currency: "EUR",
  subtotal: 50,
  discount: 5,
  shipping: 4.9,
  tax: 5,
  total: 54.9,
  coupon: "SPRING",
  products: [
    { product_id: "shirt", name: "Shirt", price: 20, quantity: 2 },
    { product_id: "socks", sku: "SO-1", name: "Socks", price: 10 },
  ],
};

describe("orders from events", () => {
  it("writes one order per Order Completed, even when the job runs twice, and a repeat updates it", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    const first = await happen(workspace.id, ada.id, "Order Completed", completed, daysAgo(2));
    await reactToEvent(first.id, { now: testNow }); // a retried job
    const stored = await order(workspace.id, "1042");
    expect(first.reaction?.shopping.orderId).toBe(stored.id);
    expect(stored).toMatchObject({
      orderNumber: "#1042",
      contactId: ada.id,
      cartId: "cart-7",
      currency: "EUR",
      subtotal: 5000n,
      discount: 500n,
      shipping: 490n,
      tax: 500n,
      total: 5490n,
      refundedAmount: 0n,
      coupon: "SPRING",
      status: "PLACED",
      source: "EVENT",
      orderedAt: daysAgo(2),
    });
    expect(stored.lines.map((line) => [line.shopProductId, line.price, line.quantity])).toEqual([
      ["shirt", 2000n, 2],
      ["socks", 1000n, 1],
    ]);

    // The shop sends Order Completed again for the same order (a new message): an update.
    await happen(
      workspace.id,
      ada.id,
      "Order Completed",
      { ...completed, total: 59.9, products: [{ product_id: "shirt", price: 20, quantity: 3 }] },
      daysAgo(1.5),
    );
    expect(await db().order.count({ where: { workspaceId: workspace.id } })).toBe(1);
    const updated = await order(workspace.id, "1042");
    expect(updated).toMatchObject({ id: stored.id, total: 5990n, subtotal: 5000n });
    expect(updated.lines.map((line) => [line.shopProductId, line.quantity])).toEqual([
      ["shirt", 3],
    ]);
  });

  it("moves the order with refunds, once per refund, and net revenue follows", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    await happen(workspace.id, ada.id, "Order Completed", completed, daysAgo(5));
    const partial = await happen(
      workspace.id,
      ada.id,
      "Order Refunded",
      { order_id: "1042", total: 10, currency: "EUR", reason: "socks too small" },
      daysAgo(4),
    );
    await reactToEvent(partial.id, { now: testNow }); // a retried job refunds nothing more
    let stored = await order(workspace.id, "1042");
    expect(stored).toMatchObject({ status: "PARTIALLY_REFUNDED", refundedAmount: 1000n });
    expect(netRevenue(stored)).toBe(4490n);
    expect(
      stored.refunds.map((refund) => [refund.refundKey, refund.amount, refund.reason]),
    ).toEqual([[`event:${partial.id}`, 1000n, "socks too small"]]);

    // A refund with its own id is kept once, however many events carry it.
    for (const at of [daysAgo(3), daysAgo(2.9)]) {
      await happen(
        workspace.id,
        ada.id,
        "Order Refunded",
        { order_id: "1042", refund_id: "r-2", amount: 4.9 },
        at,
      );
    }
    stored = await order(workspace.id, "1042");
    expect(stored.refundedAmount).toBe(1490n);

    // No amount: the rest of the order.
    await happen(workspace.id, ada.id, "Order Refunded", { order_id: "1042" }, daysAgo(2));
    stored = await order(workspace.id, "1042");
    expect(stored).toMatchObject({ status: "REFUNDED", refundedAmount: 5490n });
    expect(netRevenue(stored)).toBe(0n);
  });

  it("cancels and ships, and an older status event never undoes a newer one", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    await happen(
      workspace.id,
      ada.id,
      "Order Completed",
      { ...completed, order_id: "A" },
      daysAgo(5),
    );
    await happen(
      workspace.id,
      ada.id,
      "Order Shipped",
      {
        order_id: "A",
        tracking_number: "1Z999",
        tracking_url: "https://track.example/1Z999",
        carrier: "UPS",
      },
      daysAgo(3),
    );
    expect(await order(workspace.id, "A")).toMatchObject({
      status: "SHIPPED",
      trackingNumber: "1Z999",
      trackingUrl: "https://track.example/1Z999",
      carrier: "UPS",
      shippedAt: daysAgo(3),
    });
    // An Order Updated from before the shipment arrives late: the status stays SHIPPED.
    await happen(
      workspace.id,
      ada.id,
      "Order Updated",
      { order_id: "A", status: "paid" },
      daysAgo(4),
    );
    expect((await order(workspace.id, "A")).status).toBe("SHIPPED");

    await happen(
      workspace.id,
      ada.id,
      "Order Completed",
      { ...completed, order_id: "B" },
      daysAgo(5),
    );
    await happen(workspace.id, ada.id, "Order Cancelled", { order_id: "B" }, daysAgo(4));
    expect(await order(workspace.id, "B")).toMatchObject({
      status: "CANCELLED",
      cancelledAt: daysAgo(4),
    });
    // A late copy of Order Completed keeps the status and may still carry the order's data.
    await happen(
      workspace.id,
      ada.id,
      "Order Completed",
      { ...completed, order_id: "B", total: 60 },
      daysAgo(4.5),
    );
    expect(await order(workspace.id, "B")).toMatchObject({ status: "CANCELLED", total: 6000n });
  });

  it("takes a refund that arrives before its Order Completed", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    await happen(
      workspace.id,
      ada.id,
      "Order Refunded",
      { order_id: "early", amount: 10 },
      daysAgo(1),
    );
    expect(await order(workspace.id, "early")).toMatchObject({ total: 0n, dataAt: null });
    await happen(
      workspace.id,
      ada.id,
      "Order Completed",
      { ...completed, order_id: "early" },
      daysAgo(2),
    );
    const stored = await order(workspace.id, "early");
    expect(stored).toMatchObject({
      total: 5490n,
      refundedAmount: 1000n,
      status: "PARTIALLY_REFUNDED",
      orderedAt: daysAgo(2),
    });
    expect(stored.lines).toHaveLength(2);
  });

  it("keeps a guest's order and attaches it when the shopper is identified", async () => {
    const workspace = await makeWorkspace();
    const guest = await happen(
      workspace.id,
      null,
      "Order Completed",
      { ...completed, order_id: "G" },
      daysAgo(1),
    );
    expect(guest.reaction?.shopping.orderId).toBeTruthy();
    expect((await order(workspace.id, "G")).contactId).toBeNull();
    // Identification attaches the anonymous history and runs its reactions again.
    const ada = await makeContact(workspace.id);
    await db().event.update({
      where: { id_workspaceId: { workspaceId: workspace.id, id: BigInt(guest.id) } },
      data: { contactId: ada.id },
    });
    await reactToEvent(guest.id, { now: testNow });
    expect(await order(workspace.id, "G")).toMatchObject({ contactId: ada.id, total: 5490n });
    expect(await db().order.count({ where: { workspaceId: workspace.id } })).toBe(1);

    // Erasing the contact keeps the shop's order, detached.
    await deleteContact(workspace.id, ada.id);
    expect(await order(workspace.id, "G")).toMatchObject({ contactId: null, total: 5490n });
  });
});

describe("upsertOrders", () => {
  it("backfills past orders with their own dates, creating or finding each customer's contact", async () => {
    const workspace = await makeWorkspace();
    const known = await db().contact.create({
      data: {
        workspaceId: workspace.id,
        externalId: "cust-1",
        email: "ada@example.com",
        firstName: "Ada",
      },
    });
    const placedAt = new Date("2024-11-29T09:30:00Z");
    const written = await upsertOrders(workspace.id, [
      {
        orderId: "9001",
        customer: { externalId: "cust-1", firstName: "Not Ada" },
        currency: "EUR",
        total: 120,
        shipping: 5,
        orderedAt: placedAt,
        status: "FULFILLED",
        lines: [{ productId: "coat", title: "Coat", price: 115, quantity: 1 }],
      },
      {
        orderId: "9002",
        customer: { email: "Bob@Example.com", firstName: "Bob" },
        total: 30,
        orderedAt: "2025-02-01T12:00:00Z",
        refunds: [{ refundId: "rf-1", amount: 12.5, refundedAt: "2025-02-03T12:00:00Z" }],
      },
    ]);
    expect(written.map(({ index, orderId, created }) => ({ index, orderId, created }))).toEqual([
      { index: 0, orderId: "9001", created: true },
      { index: 1, orderId: "9002", created: true },
    ]);
    const coat = await order(workspace.id, "9001");
    expect(coat).toMatchObject({
      contactId: known.id,
      status: "FULFILLED",
      orderedAt: placedAt,
      subtotal: 11500n,
      total: 12000n,
      source: "API",
    });
    expect((await db().contact.findFirstOrThrow({ where: { id: known.id } })).firstName).toBe(
      "Ada",
    );
    const bob = await db().contact.findUniqueOrThrow({
      where: { workspaceId_email: { workspaceId: workspace.id, email: "bob@example.com" } },
    });
    expect(bob.firstName).toBe("Bob");
    const refunded = await order(workspace.id, "9002");
    expect(refunded).toMatchObject({
      contactId: bob.id,
      currency: "USD",
      status: "PARTIALLY_REFUNDED",
      refundedAmount: 1250n,
    });
    expect(netRevenue(refunded)).toBe(1750n);

    // A repeat updates (as of now, without an updatedAt); an older copy is ignored.
    const [again] = await upsertOrders(workspace.id, [
      {
        orderId: "9001",
        customer: { externalId: "cust-1" },
        currency: "EUR",
        total: 100,
        orderedAt: placedAt,
      },
    ]);
    expect(again).toMatchObject({ id: coat.id, created: false });
    await upsertOrders(workspace.id, [
      {
        orderId: "9001",
        customer: { externalId: "cust-1" },
        total: 1,
        orderedAt: placedAt,
        updatedAt: "2024-12-01T00:00:00Z",
      },
    ]);
    expect(await order(workspace.id, "9001")).toMatchObject({ total: 10000n, currency: "EUR" });
  });

  it("is one order with the Order Completed event of the same id", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id, { email: "ada@example.com" });
    await happen(workspace.id, ada.id, "Order Completed", completed, daysAgo(1));
    const [written] = await upsertOrders(workspace.id, [
      {
        orderId: "1042",
        customer: { email: "ada@example.com" },
        currency: "EUR",
        total: 54.9,
        orderedAt: daysAgo(1),
        status: "PAID",
      },
    ]);
    expect(written?.created).toBe(false);
    expect(await order(workspace.id, "1042")).toMatchObject({
      status: "PAID",
      source: "API",
      contactId: ada.id,
    });
    expect((await order(workspace.id, "1042")).lines).toHaveLength(2);
  });

  it("refuses bad rows with typed problems and writes nothing, not even contacts", async () => {
    const workspace = await makeWorkspace();
    const error = await upsertOrders(workspace.id, [
      { orderId: "ok", customer: { email: "new@example.com" }, total: 10, orderedAt: daysAgo(1) },
      { orderId: "no-customer", customer: {}, total: 10, orderedAt: daysAgo(1) },
      { orderId: "ok", customer: { email: "x@example.com" }, total: -1, orderedAt: "yesterday" },
    ]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).problems).toEqual([
      {
        path: ["orders", "1", "customer", "email"],
        message: "give an email or an externalId to name the customer",
      },
      { path: ["orders", "2", "total"], message: "must not be negative" },
      { path: ["orders", "2", "orderedAt"], message: "must be an ISO 8601 date-time" },
    ]);
    const decimals = await upsertOrders(workspace.id, [
      {
        orderId: "yen",
        customer: { email: "new@example.com" },
        currency: "JPY",
        total: 10.5,
        orderedAt: daysAgo(1),
      },
    ]).catch((caught: unknown) => caught);
    expect((decimals as InvalidInputError).problems).toEqual([
      { path: ["orders", "0", "total"], message: "has more decimals than JPY allows (0)" },
    ]);
    expect(await db().order.count({ where: { workspaceId: workspace.id } })).toBe(0);
    expect(await db().contact.count({ where: { workspaceId: workspace.id } })).toBe(0);
    await expect(
      upsertOrders(
        workspace.id,
        Array.from({ length: 1001 }, (_, index) => ({ orderId: String(index) })),
      ),
    ).rejects.toThrow("at most 1,000 orders per call; split them into batches");
  });
});
