import { createWorkspace, db } from "@cartwheel/api/domain";
import { runOnce } from "graphile-worker";
import { expect, it } from "vitest";
import { taskList } from "../src/task-list.ts";

const minute = 60_000;
const runAll = () => runOnce({ connectionString: process.env.DATABASE_URL, taskList });

it("abandon_carts marks carts idle for the abandonment time (60 minutes by default) ABANDONED", async () => {
  const workspace = await createWorkspace({ name: "Shop" });
  const cart = (shopCartId: string, idleMinutes: number) =>
    db().cart.create({
      data: {
        workspaceId: workspace.id,
        shopCartId,
        currency: "EUR",
        lastActivityAt: new Date(Date.now() - idleMinutes * minute),
      },
    });
  const idle = await cart("idle", 61);
  const busy = await cart("busy", 30);
  await db().$executeRaw`SELECT graphile_worker.add_job('abandon_carts', '{}'::json)`;
  await runAll();
  const status = async (id: string) => (await db().cart.findFirstOrThrow({ where: { id } })).status;
  expect(await status(idle.id)).toBe("ABANDONED");
  expect(await status(busy.id)).toBe("ACTIVE");
});
