import { randomUUID } from "node:crypto";
import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { createTestWorkspace, makeTestApi, testAdminKey } from "./support/index.ts";

const api = makeTestApi();
const replay = `mutation($input: ReplayCommerceHistoryInput!) {
  replayCommerceHistory(input: $input) {
    __typename
    ... on MutationReplayCommerceHistorySuccess { replay { state phase jobKey cartEvents orderEvents } }
    ... on InvalidInputError { problems { path message } }
    ... on NotFoundError { entity }
    ... on ForbiddenError { message }
  }
}`;
const replayJobs = (workspaceId: string) =>
  db().$queryRaw<{ payload: Record<string, unknown> }[]>`
    SELECT payload FROM graphile_worker._private_jobs WHERE key = ${`replay_commerce_history:${workspaceId}`}`;

async function shopWithHistory() {
  const shop = await createTestWorkspace(api);
  const workspaceId = decodeGlobalID(shop.workspaceId).id;
  await db().event.createMany({
    data: [
      { name: "Product Added", properties: { cart_id: "c1", product_id: "p1" } },
      { name: "Cart Viewed", properties: { cart_id: "c1" } },
      { name: "Product Added", properties: { product_id: "p2" } },
      { name: "Order Completed", properties: { order_id: "o1", total: 9 } },
      { name: "Page Viewed", properties: {} },
    ].map((event) => ({
      ...event,
      workspaceId,
      anonymousId: "a1",
      occurredAt: new Date("2026-01-10T10:00:00Z"),
      messageId: randomUUID(),
    })),
  });
  return { ...shop, rowId: workspaceId };
}

describe("replayCommerceHistory", () => {
  it("queues the replay for a secret key's own workspace, once, and says how", async () => {
    const shop = await shopWithHistory();
    const orders = await shop.makeKey("SECRET", ["ORDERS_WRITE"]);
    const { replayCommerceHistory } = await api.data(replay, { input: {} }, orders.key);
    expect(replayCommerceHistory).toEqual({
      __typename: "MutationReplayCommerceHistorySuccess",
      replay: {
        state: "QUEUED",
        phase: "CARTS",
        jobKey: `replay_commerce_history:${shop.rowId}`,
        cartEvents: 2,
        orderEvents: 1,
      },
    });
    expect(await replayJobs(shop.rowId)).toEqual([
      { payload: { workspaceId: shop.rowId, cursor: { phase: "carts", afterCartId: "" } } },
    ]);
    // A key acts for its own workspace whatever the input names.
    const other = await shopWithHistory();
    const again = await api.data(
      replay,
      { input: { workspaceId: other.workspaceId } },
      shop.secretKey,
    );
    expect(again.replayCommerceHistory.replay.state).toBe("ALREADY_QUEUED");
    expect(await replayJobs(other.rowId)).toEqual([]);
    expect(await replayJobs(shop.rowId)).toHaveLength(1);
  });

  it("lets the admin key name the workspace, and refuses keys without the scope", async () => {
    const shop = await shopWithHistory();
    const forAdmin = await api.data(
      replay,
      { input: { workspaceId: shop.workspaceId } },
      testAdminKey,
    );
    expect(forAdmin.replayCommerceHistory.replay).toMatchObject({ state: "QUEUED", cartEvents: 2 });

    const missing = await api.data(replay, { input: {} }, testAdminKey);
    expect(missing.replayCommerceHistory).toMatchObject({
      __typename: "InvalidInputError",
      problems: [{ path: ["workspaceId"], message: "is not a Workspace id" }],
    });
    const unknown = await api.data(
      replay,
      { input: { workspaceId: encodeGlobalID("Workspace", randomUUID()) } },
      testAdminKey,
    );
    expect(unknown.replayCommerceHistory).toEqual({
      __typename: "NotFoundError",
      entity: "Workspace",
    });

    const other = await shopWithHistory();
    const readOnly = await other.makeKey("SECRET", ["ORDERS_READ"]);
    for (const key of [readOnly.key, other.publicKey]) {
      const refused = await api.data(replay, { input: {} }, key);
      expect(refused.replayCommerceHistory.__typename).toBe("ForbiddenError");
    }
    expect(await replayJobs(other.rowId)).toEqual([]);
  });
});
