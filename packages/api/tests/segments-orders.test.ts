import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { upsertProducts } from "../src/domain/catalog/upsert-products.ts";
import type { SegmentFilter } from "../src/domain/conditions/filter.ts";
import { upsertOrders } from "../src/domain/orders/upsert-orders.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { explainSegment } from "../src/domain/segments/explain.ts";
import { previewSegment } from "../src/domain/segments/preview.ts";
import { enqueueSegmentRefreshes, refreshSegment } from "../src/domain/segments/refresh.ts";
import { createSegment } from "../src/domain/segments/segments.ts";
import {
  daysAgo,
  makeContact,
  makeWorkspace,
  memberIds,
  segmentEvents,
  storeEvent,
  testNow,
} from "./segment-fixtures.ts";
import { runQueuedReactions } from "./support/scenarios.ts";

/*
 * The shopping-fact conditions read the Order rows, whichever path wrote them: orders pushed
 * or backfilled by upsertOrders (no event) reach segments through the queued per-contact
 * upkeep, as refunds and cancellations do.
 */

const spentOver = (value: number, window: object = {}): SegmentFilter => ({
  orders: { metric: "TOTAL_SPENT", op: "GREATER_THAN", value, ...window },
});

async function shop(currency = "EUR") {
  const workspace = await makeWorkspace();
  await db().workspaceEmailSettings.create({ data: { workspaceId: workspace.id, currency } });
  return workspace;
}

const save = (workspaceId: string, filter: SegmentFilter) =>
  createSegment(workspaceId, { name: "Spenders", filter }, { now: testNow });

const preview = async (workspaceId: string, filter: SegmentFilter) =>
  (
    await previewSegment(workspaceId, filter, { now: testNow, sampleSize: 100 })
  ).sampleContactIds.sort();

const order = (email: string, fields: Record<string, unknown> = {}) => ({
  orderId: `o-${email}`,
  customer: { email },
  total: 120,
  orderedAt: daysAgo(2).toISOString(),
  updatedAt: daysAgo(2).toISOString(),
  ...fields,
});

async function contactId(workspaceId: string, email: string): Promise<string> {
  const contact = await db().contact.findFirstOrThrow({ where: { workspaceId, email } });
  return contact.id;
}

describe("orders from upsertOrders", () => {
  it("put the contact into a spent-over segment through the queued upkeep, and a refund takes them out", async () => {
    const workspace = await shop();
    const segment = await save(workspace.id, spentOver(100));
    await upsertOrders(workspace.id, [order("ada@example.com")]);
    const ada = await contactId(workspace.id, "ada@example.com");
    expect(await memberIds(segment.id)).toEqual([]);
    await runQueuedReactions(testNow);
    expect(await memberIds(segment.id)).toEqual([ada]);
    expect((await segmentEvents(ada)).map((e) => e.name)).toEqual(["Segment Entered"]);

    await upsertOrders(workspace.id, [
      order("ada@example.com", {
        updatedAt: daysAgo(1).toISOString(),
        refunds: [{ refundId: "r1", amount: 30 }],
      }),
    ]);
    await runQueuedReactions(testNow);
    expect(await memberIds(segment.id)).toEqual([]);
    expect((await segmentEvents(ada)).map((e) => e.name)).toEqual([
      "Segment Entered",
      "Segment Exited",
    ]);
    expect(await refreshSegment(segment.id, { now: testNow })).toEqual([]);
  });

  it("count net of an Order Refunded event, even one without the contact", async () => {
    const workspace = await shop();
    const segment = await save(workspace.id, spentOver(100));
    await upsertOrders(workspace.id, [order("ada@example.com", { total: 150 })]);
    await runQueuedReactions(testNow);
    const ada = await contactId(workspace.id, "ada@example.com");
    expect(await memberIds(segment.id)).toEqual([ada]);
    const refund = await storeEvent(
      workspace.id,
      null,
      "Order Refunded",
      { order_id: "o-ada@example.com", refund_amount: 60 },
      daysAgo(1),
    );
    await reactToEvent(refund, { now: testNow });
    await runQueuedReactions(testNow);
    expect(await memberIds(segment.id)).toEqual([]);
  });

  it("re-check both contacts when an order moves from one customer to another", async () => {
    const workspace = await shop();
    const segment = await save(workspace.id, spentOver(100));
    await upsertOrders(workspace.id, [order("ada@example.com", { orderId: "o-1" })]);
    await runQueuedReactions(testNow);
    const ada = await contactId(workspace.id, "ada@example.com");
    expect(await memberIds(segment.id)).toEqual([ada]);
    await upsertOrders(workspace.id, [
      order("grace@example.com", { orderId: "o-1", updatedAt: daysAgo(1).toISOString() }),
    ]);
    await runQueuedReactions(testNow);
    expect(await memberIds(segment.id)).toEqual([
      await contactId(workspace.id, "grace@example.com"),
    ]);
  });

  it("leave cancelled orders out of every metric", async () => {
    const workspace = await shop();
    const counted = await save(workspace.id, {
      orders: { metric: "COUNT", op: "AT_LEAST", value: 1 },
    });
    const spent = await save(workspace.id, spentOver(100));
    await upsertOrders(workspace.id, [
      order("ada@example.com", { status: "CANCELLED" }),
      order("grace@example.com"),
    ]);
    await runQueuedReactions(testNow);
    const grace = await contactId(workspace.id, "grace@example.com");
    expect(await memberIds(counted.id)).toEqual([grace]);
    expect(await memberIds(spent.id)).toEqual([grace]);

    await upsertOrders(workspace.id, [
      order("grace@example.com", { status: "CANCELLED", updatedAt: daysAgo(1).toISOString() }),
    ]);
    await runQueuedReactions(testNow);
    expect(await memberIds(counted.id)).toEqual([]);
    expect(await memberIds(spent.id)).toEqual([]);
  });

  it("place a backfilled old order at its orderedAt, inside or outside the window", async () => {
    const workspace = await shop();
    const recent = await save(workspace.id, spentOver(100, { withinDays: 30 }));
    const ever = await save(workspace.id, spentOver(100));
    const lapsed = await save(workspace.id, {
      orders: { metric: "LAST_ORDER_AT", op: "MORE_THAN_DAYS_AGO", days: 365 },
    });
    await upsertOrders(workspace.id, [
      order("ada@example.com", { orderedAt: daysAgo(400).toISOString() }),
    ]);
    await runQueuedReactions(testNow);
    const ada = await contactId(workspace.id, "ada@example.com");
    expect(await memberIds(recent.id)).toEqual([]);
    expect(await memberIds(ever.id)).toEqual([ada]);
    expect(await memberIds(lapsed.id)).toEqual([ada]);
  });

  it("add up money only in the workspace currency, in its major units, and count every order", async () => {
    const workspace = await shop("JPY");
    await upsertOrders(workspace.id, [
      order("ada@example.com", { orderId: "yen", total: 5000 }),
      order("ada@example.com", { orderId: "eur", total: 9000, currency: "EUR" }),
    ]);
    const ada = await contactId(workspace.id, "ada@example.com");
    expect(await preview(workspace.id, spentOver(4999))).toEqual([ada]);
    expect(await preview(workspace.id, spentOver(5000))).toEqual([]);
    expect(
      await preview(workspace.id, {
        orders: { metric: "AVERAGE_ORDER_VALUE", op: "EQUALS", value: 5000 },
      }),
    ).toEqual([ada]);
    expect(
      await preview(workspace.id, { orders: { metric: "COUNT", op: "EQUALS", value: 2 } }),
    ).toEqual([ada]);
  });

  it("explain which orders counted, net of refunds", async () => {
    const workspace = await shop();
    const segment = await save(workspace.id, spentOver(50));
    await upsertOrders(workspace.id, [
      order("ada@example.com", { refunds: [{ refundId: "r1", amount: 20.1 }] }),
    ]);
    const ada = await contactId(workspace.id, "ada@example.com");
    const explanation = await explainSegment(workspace.id, segment.id, ada, { now: testNow });
    expect(explanation.tree).toMatchObject({
      matches: true,
      actual: 99.9,
      events: [],
      orders: [{ orderId: "o-ada@example.com", status: "PARTIALLY_REFUNDED", netTotal: "99.90" }],
    });
  });
});

describe("guest orders", () => {
  it("count once the order is attached to the contact", async () => {
    const workspace = await shop();
    const ada = await makeContact(workspace.id);
    const segment = await save(workspace.id, {
      orders: { metric: "COUNT", op: "EQUALS", value: 1 },
    });
    const properties = { order_id: "g1", total: 40 };
    const guest = await storeEvent(workspace.id, null, "Order Completed", properties, daysAgo(1));
    await reactToEvent(guest, { now: testNow });
    expect(await db().order.count({ where: { workspaceId: workspace.id } })).toBe(1);
    expect(await memberIds(segment.id)).toEqual([]);
    // The shopper is identified: the event now names the contact and is handled again.
    await db().event.update({
      where: { id_workspaceId: { workspaceId: workspace.id, id: BigInt(guest) } },
      data: { contactId: ada.id },
    });
    await reactToEvent(guest, { now: testNow });
    expect(await memberIds(segment.id)).toEqual([ada.id]);
  });
});

describe("purchased", () => {
  it("matches a category by its path or any path under it, from the catalog", async () => {
    const workspace = await shop();
    await upsertProducts(workspace.id, [
      { productId: "shirt", title: "Shirt", price: 30, category: "Women > Shirts" },
      { productId: "blouse", title: "Blouse", price: 40, category: "Women > Shirts > Blouses" },
      { productId: "shoe", title: "Shoe", price: 90, category: "Women Shoes" },
    ]);
    const line = (productId: string) => ({ lines: [{ productId, price: 30 }] });
    await upsertOrders(workspace.id, [
      order("ada@example.com", line("shirt")),
      order("grace@example.com", line("blouse")),
      order("joan@example.com", line("shoe")),
      order("mary@example.com", { ...line("shirt"), status: "CANCELLED" }),
    ]);
    const [ada, grace, joan] = await Promise.all(
      ["ada", "grace", "joan"].map((name) => contactId(workspace.id, `${name}@example.com`)),
    );
    const bought = (category: string) => preview(workspace.id, { purchased: { category } });
    expect(await bought("Women")).toEqual([ada, grace].sort());
    expect(await bought("Women > Shirts")).toEqual([ada, grace].sort());
    expect(await bought(" Women >Shirts > Blouses ")).toEqual([grace]);
    expect(await bought("Shirts")).toEqual([]);
    expect(await bought("Women Shoes")).toEqual([joan]);
    expect(await preview(workspace.id, { purchased: { productId: "shirt" } })).toEqual([ada]);
  });

  it("re-checks category segments when the catalog moves a product to another category", async () => {
    const workspace = await shop();
    await upsertProducts(workspace.id, [{ productId: "shirt", title: "Shirt", category: "Men" }]);
    await upsertOrders(workspace.id, [
      order("ada@example.com", { lines: [{ productId: "shirt", price: 30 }] }),
    ]);
    const segment = await save(workspace.id, { purchased: { category: "Women" } });
    const ada = await contactId(workspace.id, "ada@example.com");
    expect(await memberIds(segment.id)).toEqual([]);
    await upsertProducts(workspace.id, [
      { productId: "shirt", title: "Shirt", category: "Women > Shirts" },
    ]);
    expect(
      await enqueueSegmentRefreshes({ dependingOn: "catalog", workspaceId: workspace.id }),
    ).toEqual([segment.id]);
    await refreshSegment(segment.id, { now: testNow });
    expect(await memberIds(segment.id)).toEqual([ada]);
  });
});

describe("workspace isolation", () => {
  it("never counts another workspace's orders, lines or products", async () => {
    const mine = await shop();
    const theirs = await shop();
    await upsertProducts(theirs.id, [{ productId: "shirt", title: "Shirt", category: "Women" }]);
    await upsertProducts(mine.id, [{ productId: "shirt", title: "Shirt", category: "Men" }]);
    await upsertOrders(theirs.id, [
      order("ada@example.com", { total: 900, lines: [{ productId: "shirt", price: 900 }] }),
    ]);
    await upsertOrders(mine.id, [
      order("ada@example.com", { total: 10, lines: [{ productId: "shirt", price: 10 }] }),
    ]);
    const ada = await contactId(mine.id, "ada@example.com");
    expect(await preview(mine.id, spentOver(100))).toEqual([]);
    expect(await preview(mine.id, spentOver(5))).toEqual([ada]);
    expect(await preview(mine.id, { purchased: { category: "Women" } })).toEqual([]);
    expect(await preview(mine.id, { purchased: { category: "Men" } })).toEqual([ada]);
    expect(
      await preview(mine.id, { orders: { metric: "COUNT", op: "AT_LEAST", value: 2 } }),
    ).toEqual([]);
  });
});
