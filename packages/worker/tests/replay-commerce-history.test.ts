import { randomUUID } from "node:crypto";
import {
  commerceReplayBatchSize,
  createScenario,
  createSegment,
  createTag,
  createWorkspace,
  db,
  publishScenario,
  queueCommerceReplay,
} from "@cartwheel/api/domain";
import { runOnce } from "graphile-worker";
import { expect, it } from "vitest";
import { taskList } from "../src/task-list.ts";

const runAll = () => runOnce({ connectionString: process.env.DATABASE_URL, taskList });
const pendingReplays = () =>
  db().$queryRaw<{ payload: { cursor: unknown }; attempts: number }[]>`
    SELECT j.payload, j.attempts FROM graphile_worker._private_jobs j
      JOIN graphile_worker._private_tasks t ON t.id = j.task_id
     WHERE t.identifier = 'replay_commerce_history'`;

it("replay_commerce_history folds every stored cart and writes every order, batch after batch", async () => {
  const workspace = await createWorkspace({ name: "Upgraded shop" });
  const contact = await db().contact.create({
    data: { workspaceId: workspace.id, email: "ada@shop.example" },
  });
  const carts = commerceReplayBatchSize + 40;
  const old = Date.now() - 30 * 86_400_000;
  const events = Array.from({ length: carts }, (_, i) => [
    {
      name: "Product Added",
      properties: { cart_id: `cart-${i}`, product_id: "shirt", price: 20, quantity: 2 },
      occurredAt: new Date(old + i * 1000),
    },
    ...(i % 4 === 0
      ? [
          {
            name: "Order Completed",
            properties: {
              order_id: `order-${i}`,
              cart_id: `cart-${i}`,
              total: 40,
              products: [{ product_id: "shirt", price: 20, quantity: 2 }],
            },
            occurredAt: new Date(old + i * 1000 + 500),
          },
        ]
      : []),
  ]).flat();
  await db().event.createMany({
    data: events.map((event) => ({
      ...event,
      workspaceId: workspace.id,
      contactId: contact.id,
      messageId: randomUUID(),
    })),
  });

  // A segment on orders, and a scenario that starts when someone enters it.
  const buyers = await createSegment(workspace.id, {
    name: "Buyers",
    filter: { orders: { metric: "COUNT", op: "AT_LEAST", value: 1 } },
  });
  await createTag(workspace.id, "welcomed");
  await createScenario(workspace.id, {
    name: "Welcome buyers",
    definition: {
      version: 1,
      trigger: { kind: "segment_entered", segmentId: buyers.id },
      start: "tag",
      nodes: [{ id: "tag", kind: "add_tag", tag: "welcomed" }],
    },
  }).then((scenario) => publishScenario(workspace.id, scenario.id));

  const queued = await queueCommerceReplay(workspace.id);
  expect(queued).toMatchObject({
    state: "QUEUED",
    cursor: { phase: "carts", afterCartId: "" },
    cartEvents: carts,
    orderEvents: carts / 4,
  });
  // Asked again while it waits: the waiting replay is left alone.
  expect(await queueCommerceReplay(workspace.id)).toMatchObject({ state: "ALREADY_QUEUED" });
  expect(await pendingReplays()).toHaveLength(1);

  await runAll();
  expect(await pendingReplays()).toEqual([]);
  const statuses = await db().cart.groupBy({
    by: ["status"],
    where: { workspaceId: workspace.id },
    _count: true,
  });
  expect(Object.fromEntries(statuses.map((row) => [row.status, row._count]))).toEqual({
    CONVERTED: carts / 4,
    ABANDONED: carts - carts / 4,
  });
  expect(await db().order.count({ where: { workspaceId: workspace.id } })).toBe(carts / 4);
  // The buyer of history is in the segment, quietly: no Segment Entered, no scenario run.
  expect(
    await db().segmentMembership.count({
      where: { workspaceId: workspace.id, segmentId: buyers.id },
    }),
  ).toBe(1);
  expect(
    await db().event.count({ where: { workspaceId: workspace.id, name: "Segment Entered" } }),
  ).toBe(0);
  expect(await db().scenarioRun.count({ where: { workspaceId: workspace.id } })).toBe(0);
  expect(await db().cartLine.count({ where: { workspaceId: workspace.id } })).toBe(carts);
  // The recommendation graphs were rebuilt from the orders (and nothing else was queued).
  const [rebuilt] = await db().$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS count FROM recommendation_contributions
     WHERE workspace_id = ${workspace.id}::uuid AND graph = 'PURCHASE'`;
  expect(rebuilt?.count).toBe(carts / 4);
  const [leftover] = await db().$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS count FROM graphile_worker._private_jobs`;
  expect(leftover?.count).toBe(0);
});

it("queues a replay that gave up again from where it stopped", async () => {
  const workspace = await createWorkspace({ name: "Stuck shop" });
  await queueCommerceReplay(workspace.id);
  await db().$executeRaw`
    UPDATE graphile_worker._private_jobs
       SET attempts = max_attempts, payload = ${JSON.stringify({
         workspaceId: workspace.id,
         cursor: { phase: "orders", afterEventId: "41" },
       })}::json
     WHERE key = ${`replay_commerce_history:${workspace.id}`}`;
  expect(await queueCommerceReplay(workspace.id)).toMatchObject({
    state: "RESUMED",
    cursor: { phase: "orders", afterEventId: "41" },
  });
  const keyed = () =>
    db().$queryRaw<{ payload: { cursor: unknown }; attempts: number }[]>`
      SELECT payload, attempts FROM graphile_worker._private_jobs
       WHERE key = ${`replay_commerce_history:${workspace.id}`}`;
  // The given-up job stays as graphile-worker keeps failed jobs; a fresh one carries its cursor.
  expect(await keyed()).toEqual([
    {
      attempts: 0,
      payload: { workspaceId: workspace.id, cursor: { phase: "orders", afterEventId: "41" } },
    },
  ]);
  await runAll();
  expect(await keyed()).toEqual([]);
  expect(await pendingReplays()).toHaveLength(1);
});
