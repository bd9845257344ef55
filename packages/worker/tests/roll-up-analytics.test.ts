import { createWorkspace, db } from "@cartwheel/api/domain";
import { runOnce } from "graphile-worker";
import { expect, it } from "vitest";
import { crontab } from "../src/crontab.ts";
import { taskList } from "../src/task-list.ts";

const runAll = () => runOnce({ connectionString: process.env.DATABASE_URL, taskList });

it("roll_up_analytics (every minute) rolls up the slots an order marked dirty", async () => {
  expect(crontab).toContain("* * * * * roll_up_analytics");
  const workspace = await createWorkspace({ name: "Shop" });
  const orderedAt = new Date("2026-11-10T10:07:00Z");
  await db().order.create({
    data: {
      workspaceId: workspace.id,
      shopOrderId: "1001",
      currency: "EUR",
      total: 4900n,
      orderedAt,
      statusAt: orderedAt,
      source: "API",
    },
  });
  expect(await db().analyticsDirtySlot.count({ where: { workspaceId: workspace.id } })).toBe(1);
  await db()
    .$executeRaw`SELECT graphile_worker.add_job('roll_up_analytics', json_build_object('workspaceId', ${workspace.id}::text))`;
  await runAll();
  expect(await db().analyticsDirtySlot.count({ where: { workspaceId: workspace.id } })).toBe(0);
  expect(await db().orderSlot.findMany({ where: { workspaceId: workspace.id } })).toMatchObject([
    { slot: new Date("2026-11-10T10:00:00Z"), currency: "EUR", orders: 1, revenueNet: 4900n },
  ]);
});
