import { createWorkspace, db, recommendProducts, upsertContact } from "@cartwheel/api/domain";
import { runOnce } from "graphile-worker";
import { expect, it } from "vitest";
import { taskList } from "../src/task-list.ts";

const runAll = () => runOnce({ connectionString: process.env.DATABASE_URL, taskList });
const addJob = (task: string, payload: object) =>
  db().$executeRaw`SELECT graphile_worker.add_job(${task}, ${JSON.stringify(payload)}::json)`;

it("process_event records orders, refresh_recommendations folds and ranks them, and the nightly rebuild agrees", async () => {
  const workspace = await createWorkspace({ name: "Shop" });
  const { contact } = await upsertContact(workspace.id, { email: "ada@example.com" });
  for (const [index, products] of [
    ["tent", "sleeping-bag"],
    ["tent", "sleeping-bag", "gas"],
    ["tent", "gas"],
  ].entries()) {
    const event = await db().event.create({
      data: {
        workspaceId: workspace.id,
        contactId: contact.id,
        name: "Order Completed",
        messageId: `order-${index}`,
        occurredAt: new Date(Date.now() - (3 - index) * 3_600_000),
        properties: {
          order_id: `o-${index}`,
          total: 10,
          products: products.map((product_id) => ({ product_id, name: product_id, price: 5 })),
        },
      },
    });
    await addJob("process_event", { eventId: String(event.id) });
  }
  await runAll();
  const neighbours = () =>
    db()
      .recommendationNeighbour.findMany({
        where: { workspaceId: workspace.id, graph: "PURCHASE", productId: "tent" },
        orderBy: [{ score: "desc" }, { neighbourId: "asc" }],
      })
      .then((rows) => rows.map((row) => [row.neighbourId, row.together]));
  expect(await neighbours()).toEqual([]);
  await addJob("refresh_recommendations", {});
  await runAll();
  expect(await neighbours()).toEqual([
    ["gas", 2],
    ["sleeping-bag", 2],
  ]);
  await addJob("rebuild_recommendations", { workspaceId: workspace.id });
  await runAll();
  expect(await neighbours()).toEqual([
    ["gas", 2],
    ["sleeping-bag", 2],
  ]);
  const together = await recommendProducts(workspace.id, {
    strategy: "frequently_bought_together",
    productIds: ["sleeping-bag"],
    limit: 2,
  });
  expect(together.items.map((item) => [item.product.shopProductId, item.strategy])).toEqual([
    ["tent", "frequently_bought_together"],
    ["gas", "bestsellers"],
  ]);
});
