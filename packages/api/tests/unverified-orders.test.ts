import { decodeGlobalID } from "@pothos/plugin-relay";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { ingestEvents } from "../src/domain/events/ingest-events.ts";
import { replayBrowserOrders, updateOrderSettings } from "../src/domain/orders/order-settings.ts";
import { upsertOrders } from "../src/domain/orders/upsert-orders.ts";
import { createScoringRule } from "../src/domain/scores/rules.ts";
import { createSegment } from "../src/domain/segments/segments.ts";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";
import { runQueuedReactions } from "./support/scenarios.ts";

const api = makeTestApi();
const now = new Date();
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
let workspace: { id: string; secretKey: string; publicKey: string };
let sequence = 0;

beforeEach(async () => {
  const created = await createTestWorkspace(api);
  workspace = { ...created, id: decodeGlobalID(created.workspaceId).id };
  await db().contact.create({ data: { workspaceId: workspace.id, email: "ada@example.com" } });
});

/** An order event as a browser (public key) or the shop's backend (secret key) sends it. */
async function orderEvent(
  source: "browser" | "trusted",
  name: string,
  properties: Record<string, unknown>,
  at = minutesAgo(30),
  workspaceId = workspace.id,
) {
  sequence += 1;
  const result = await ingestEvents(
    workspaceId,
    [
      {
        messageId: `order-event-${sequence}-${Math.random()}`,
        type: "track",
        event: name,
        userId: "ada@example.com",
        anonymousId: "browser-1",
        properties,
        timestamp: at,
      },
    ],
    { source, now },
  );
  expect(result.rejected).toEqual([]);
  await runQueuedReactions(now);
}

const order = (shopOrderId: string, workspaceId = workspace.id) =>
  db().order.findUnique({
    where: { workspaceId_shopOrderId: { workspaceId, shopOrderId } },
    include: { refunds: true },
  });
const ada = () =>
  db().contact.findFirstOrThrow({ where: { workspaceId: workspace.id, email: "ada@example.com" } });
const members = async (segmentId: string) =>
  db().segmentMembership.count({ where: { segmentId, isMember: true } });

describe("orders only a browser reported", () => {
  it("are unverified, count by default, and give way to the backend's report of the same order", async () => {
    await orderEvent("browser", "Order Completed", {
      order_id: "1042",
      total: 500,
      currency: "USD",
    });
    expect(await order("1042")).toMatchObject({ verified: false, total: 50000n, source: "EVENT" });

    // The backend's report is older than the browser's, and still wins: it is the shop's word.
    await upsertOrders(workspace.id, [
      {
        orderId: "1042",
        customer: { email: "ada@example.com" },
        total: 54.9,
        currency: "USD",
        orderedAt: minutesAgo(40),
      },
    ]);
    expect(await order("1042")).toMatchObject({ verified: true, total: 5490n, source: "API" });
  });

  it("never change an order the backend reported: amounts, status, refunds", async () => {
    await orderEvent("trusted", "Order Completed", { order_id: "7", total: 54.9, currency: "USD" });
    const before = await order("7");
    expect(before).toMatchObject({ verified: true, total: 5490n, status: "PLACED" });

    const later = minutesAgo(1);
    await orderEvent("browser", "Order Completed", { order_id: "7", total: 0.01 }, later);
    await orderEvent(
      "browser",
      "Order Updated",
      { order_id: "7", total: 1, status: "paid" },
      later,
    );
    await orderEvent("browser", "Order Refunded", { order_id: "7", refund_amount: 54.9 }, later);
    await orderEvent("browser", "Order Cancelled", { order_id: "7" }, later);
    const after = await order("7");
    expect(after).toMatchObject({
      verified: true,
      total: 5490n,
      refundedAmount: 0n,
      status: "PLACED",
      dataAt: before?.dataAt,
    });
    expect(after?.refunds).toEqual([]);

    // The backend itself still moves it.
    await orderEvent("trusted", "Order Cancelled", { order_id: "7" }, later);
    expect(await order("7")).toMatchObject({ status: "CANCELLED" });
  });

  it("switched off, stop counting for segments and scores, and come back when switched on", async () => {
    const buyers = await createSegment(
      workspace.id,
      { name: "Buyers", filter: { orders: { metric: "COUNT", op: "AT_LEAST", value: 1 } } },
      { now },
    );
    await createScoringRule(workspace.id, {
      name: "Bought",
      eventName: "Order Completed",
      points: 10,
    });
    await orderEvent("browser", "Order Completed", { order_id: "b-1", total: 20 });
    expect(await members(buyers.id)).toBe(1);
    expect((await ada()).score).toBe(10);

    const off = await updateOrderSettings(workspace.id, { countUnverifiedOrders: false });
    expect(off).toEqual({
      countUnverifiedOrders: false,
      unverifiedOrders: 0,
      cartAbandonAfterMinutes: null,
    });
    expect(await order("b-1")).toBeNull();
    await runQueuedReactions(now);
    expect(await members(buyers.id)).toBe(0);

    // A spoofed order now is only an event: no order, no points, no segment.
    await orderEvent("browser", "Order Completed", { order_id: "b-2", total: 9_999 });
    expect(await order("b-2")).toBeNull();
    expect((await ada()).score).toBe(10);
    expect(await members(buyers.id)).toBe(0);
    expect(
      await db().event.count({ where: { workspaceId: workspace.id, fromBrowser: true } }),
    ).toBe(2);

    // The backend's orders still count.
    await orderEvent("trusted", "Order Completed", { order_id: "t-1", total: 30 });
    expect(await order("t-1")).toMatchObject({ verified: true });
    expect(await members(buyers.id)).toBe(1);
    expect((await ada()).score).toBe(20);

    // Switched on again: the browser's order events are written again, in the background.
    const on = await updateOrderSettings(workspace.id, { countUnverifiedOrders: true });
    expect(on.countUnverifiedOrders).toBe(true);
    const [job] = await db().$queryRaw<
      { payload: { workspaceId: string; afterEventId: string } }[]
    >`
      SELECT j.payload FROM graphile_worker._private_jobs j
        JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE t.identifier = 'replay_browser_orders'`;
    expect(job?.payload).toEqual({ workspaceId: workspace.id, afterEventId: "0" });
    expect(await replayBrowserOrders(workspace.id, "0")).toBeNull();
    expect(await order("b-1")).toMatchObject({ verified: false, total: 2000n });
    expect(await order("b-2")).toMatchObject({ verified: false, total: 999900n });
    expect(await replayBrowserOrders(workspace.id, "0")).toBeNull(); // a repeat adds nothing
    expect(await db().order.count({ where: { workspaceId: workspace.id } })).toBe(3);
    await runQueuedReactions(now);
    expect(await members(buyers.id)).toBe(1);
  });

  it("replays nothing once switched off again, and leave other workspaces alone", async () => {
    const other = await createTestWorkspace(api);
    const otherId = decodeGlobalID(other.workspaceId).id;
    await db().contact.create({ data: { workspaceId: otherId, email: "ada@example.com" } });
    await orderEvent("browser", "Order Completed", { order_id: "x", total: 5 });
    await orderEvent("browser", "Order Completed", { order_id: "x", total: 5 }, undefined, otherId);

    await updateOrderSettings(workspace.id, { countUnverifiedOrders: false });
    expect(await order("x")).toBeNull();
    expect(await order("x", otherId)).toMatchObject({ verified: false });
    await updateOrderSettings(workspace.id, { countUnverifiedOrders: true });
    await updateOrderSettings(workspace.id, { countUnverifiedOrders: false });
    expect(await replayBrowserOrders(workspace.id, "0")).toBeNull();
    expect(await order("x")).toBeNull();
  });
});

describe("order settings through GraphQL", () => {
  const settingsQuery = "{ orderSettings { countUnverifiedOrders unverifiedOrders } }";
  const update = `mutation($value: Boolean!) {
    updateOrderSettings(input: { countUnverifiedOrders: $value }) {
      __typename
      ... on MutationUpdateOrderSettingsSuccess { settings { countUnverifiedOrders unverifiedOrders } }
      ... on Error { message }
    }
  }`;

  it("reads and changes the setting with a secret key, and shows an order's verification", async () => {
    await orderEvent("browser", "Order Completed", { order_id: "g-1", total: 12 });
    expect((await api.data(settingsQuery, {}, workspace.secretKey)).orderSettings).toEqual({
      countUnverifiedOrders: true,
      unverifiedOrders: 1,
    });
    const { orderByShopId: shown } = await api.data(
      `{ orderByShopId(orderId: "g-1") { verified source } }`,
      {},
      workspace.secretKey,
    );
    expect(shown).toEqual({ verified: false, source: "EVENT" });
    const { updateOrderSettings: changed } = await api.data(
      update,
      { value: false },
      workspace.secretKey,
    );
    expect(changed).toEqual({
      __typename: "MutationUpdateOrderSettingsSuccess",
      settings: { countUnverifiedOrders: false, unverifiedOrders: 0 },
    });
  });

  it("refuses the public key, and a value that is not a boolean changes nothing", async () => {
    const refused = await api.request(update, { value: false }, workspace.publicKey);
    expect(JSON.stringify(refused)).toMatch(/FORBIDDEN|ForbiddenError/);
    const wrong = await api.request(update, { value: "no" }, workspace.secretKey);
    expect(wrong.errors?.[0]?.message).toMatch(/Boolean/);
    expect(
      await db().workspace.findUniqueOrThrow({
        where: { id: workspace.id },
        select: { countUnverifiedOrders: true },
      }),
    ).toEqual({ countUnverifiedOrders: true });
  });
});
