import {
  createWorkspace,
  db,
  ingestEvents,
  replayBatchSize,
  updateOrderSettings,
} from "@cartwheel/api/domain";
import { runOnce } from "graphile-worker";
import { expect, it } from "vitest";
import { taskList } from "../src/task-list.ts";

const runAll = () => runOnce({ connectionString: process.env.DATABASE_URL, taskList });

it("replay_browser_orders writes every browser order again, batch after batch, once they count again", async () => {
  const workspace = await createWorkspace({ name: "Replay shop" });
  await updateOrderSettings(workspace.id, { countUnverifiedOrders: false });
  const count = replayBatchSize + 20;
  const at = new Date(Date.now() - 60_000).toISOString();
  const events = Array.from({ length: count }, (_, i) => ({
    messageId: `browser-order-${i}`,
    type: "track",
    event: "Order Completed",
    anonymousId: `browser-${i}`,
    properties: { order_id: `o-${i}`, total: 10 + i },
    timestamp: at,
  }));
  for (let start = 0; start < count; start += 100) {
    const result = await ingestEvents(workspace.id, events.slice(start, start + 100), {
      source: "browser",
    });
    expect(result.rejected).toEqual([]);
  }
  await runAll(); // the events' own reactions: no orders while they do not count
  expect(await db().order.count({ where: { workspaceId: workspace.id } })).toBe(0);

  await updateOrderSettings(workspace.id, { countUnverifiedOrders: true });
  await runAll();
  const orders = await db().order.findMany({
    where: { workspaceId: workspace.id },
    select: { shopOrderId: true, total: true, verified: true },
  });
  const missing = events
    .map((event) => event.properties.order_id)
    .filter((id) => !orders.some((order) => order.shopOrderId === id));
  expect(missing).toEqual([]);
  expect(orders).toHaveLength(count);
  expect(orders.every((order) => !order.verified)).toBe(true);
  expect(orders.find((order) => order.shopOrderId === "o-7")?.total).toBe(1700n);
});
