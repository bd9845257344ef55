import { describe, expect, it } from "vitest";
import { db, withTransaction } from "../src/db.ts";
import { rollUpAnalytics } from "../src/domain/analytics/roll-up.ts";
import { reportShopKpis } from "../src/domain/analytics/shop-kpis.ts";
import { createWorkspace } from "../src/domain/workspaces/workspaces.ts";

const orderData = (workspaceId: string, shopOrderId: string, at: string, total = 1000n) => ({
  workspaceId,
  shopOrderId,
  currency: "USD", // the shop currency until email settings name another
  total,
  orderedAt: new Date(at),
  statusAt: new Date(at),
  source: "API" as const,
});
const november = { from: "2026-11-01", to: "2026-11-30", bucket: "WEEK" as const };

describe("roll-ups under concurrent writes", () => {
  it("keep the mark of a change that commits while a roll-up runs", async () => {
    const { id } = await createWorkspace({ name: "Busy shop" });
    await db().order.create({ data: orderData(id, "1", "2026-11-10T10:00:00Z") });
    let releaseWriter = () => {};
    let writerHolding = () => {};
    const holding = new Promise<void>((resolve) => {
      writerHolding = resolve;
    });
    // A writer inserts an order in the same slot and holds its transaction open…
    const writer = withTransaction(async (tx) => {
      await tx.order.create({ data: orderData(id, "2", "2026-11-10T10:05:00Z") });
      writerHolding();
      await new Promise<void>((resolve) => {
        releaseWriter = resolve;
      });
    });
    await holding;
    // …while the roll-up runs: it sees neither the order nor its mark, and clears only its own.
    await rollUpAnalytics({ workspaceId: id });
    releaseWriter();
    await writer;
    expect(await db().analyticsDirtySlot.count({ where: { workspaceId: id } })).toBe(1);
    expect((await reportShopKpis(id, november)).total.orders).toBe(2);
    await rollUpAnalytics({ workspaceId: id });
    expect(await db().analyticsDirtySlot.count({ where: { workspaceId: id } })).toBe(0);
    expect((await reportShopKpis(id, november)).total.orders).toBe(2);
  });

  it("rebuild every day when the shop moves to another time zone", async () => {
    const { id } = await createWorkspace({ name: "Moving shop" });
    const contact = await db().contact.create({
      data: { workspaceId: id, email: "a@example.com" },
    });
    // 23:30 UTC on November 9th is November 10th in Berlin.
    await db().order.create({
      data: { ...orderData(id, "1", "2026-11-09T23:30:00Z"), contactId: contact.id },
    });
    await rollUpAnalytics({ workspaceId: id });
    const day = async () =>
      (await reportShopKpis(id, { from: "2026-11-10", to: "2026-11-10" })).total;
    expect(await day()).toMatchObject({ orders: 0, customers: 0, newCustomers: 0 });
    await db().workspaceEmailSettings.upsert({
      where: { workspaceId: id },
      create: { workspaceId: id, timezone: "Europe/Berlin" },
      update: { timezone: "Europe/Berlin" },
    });
    expect(await db().analyticsDirtySlot.count({ where: { workspaceId: id, slot: null } })).toBe(1);
    expect(await day()).toMatchObject({ orders: 1, customers: 1, newCustomers: 1 });
    await rollUpAnalytics({ workspaceId: id });
    expect(await day()).toMatchObject({ orders: 1, customers: 1, newCustomers: 1 });
  });
});
