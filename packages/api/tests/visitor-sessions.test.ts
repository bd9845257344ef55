import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { createWorkspace } from "../src/domain/workspaces/workspaces.ts";

/** Stores events as ingestion would and runs what the worker's process_event does with each. */
async function handle(
  workspaceId: string,
  events: { name?: string; anonymousId?: string; contactId?: string; at: string }[],
) {
  const stored = await db().event.createManyAndReturn({
    data: events.map((event, index) => ({
      workspaceId,
      name: event.name ?? "Page Viewed",
      anonymousId: event.anonymousId ?? null,
      contactId: event.contactId ?? null,
      occurredAt: new Date(event.at),
      messageId: `${event.at}-${index}-${Math.random()}`,
    })),
    select: { id: true },
  });
  for (const event of stored) await reactToEvent(String(event.id));
  return stored.map((event) => String(event.id));
}

async function visits(workspaceId: string) {
  const rows = await db().visitorSession.findMany({
    where: { workspaceId },
    orderBy: { startedAt: "asc" },
  });
  return rows.map((visit) => [
    visit.visitor,
    visit.startedAt.toISOString().slice(11, 16),
    visit.lastViewAt.toISOString().slice(11, 16),
    visit.converted,
  ]);
}

describe("visits", () => {
  it("fold page views arriving in any order, and merge the visits a late view bridges", async () => {
    const { id } = await createWorkspace({ name: "Visits" });
    await handle(id, [
      { anonymousId: "b1", at: "2026-11-10T10:00:00Z" },
      { anonymousId: "b1", at: "2026-11-10T10:50:00Z" }, // 50 minutes later: a second visit
      { anonymousId: "b2", at: "2026-11-10T10:10:00Z" }, // another browser
    ]);
    expect(await visits(id)).toEqual([
      ["a:b1", "10:00", "10:00", false],
      ["a:b2", "10:10", "10:10", false],
      ["a:b1", "10:50", "10:50", false],
    ]);
    // A view at 10:25 arrives late: within 30 minutes of both, it makes them one visit.
    const [late] = await handle(id, [{ anonymousId: "b1", at: "2026-11-10T10:25:00Z" }]);
    expect(await visits(id)).toEqual([
      ["a:b1", "10:00", "10:50", false],
      ["a:b2", "10:10", "10:10", false],
    ]);
    // The same event handled again (a retried job) changes nothing; nor does a view inside.
    await reactToEvent(late!);
    await handle(id, [{ anonymousId: "b1", at: "2026-11-10T10:40:00Z" }]);
    expect(await visits(id)).toHaveLength(2);
    // An earlier view just under 30 minutes before moves the start.
    await handle(id, [{ anonymousId: "b1", at: "2026-11-10T09:31:00Z" }]);
    expect((await visits(id))[0]).toEqual(["a:b1", "09:31", "10:50", false]);
  });

  it("convert on the browser's Order Completed or the contact's order, whichever comes first", async () => {
    const { id } = await createWorkspace({ name: "Conversions" });
    const contact = await db().contact.create({
      data: { workspaceId: id, email: "buyer@example.com" },
    });
    await handle(id, [
      { anonymousId: "b1", at: "2026-11-10T10:00:00Z" },
      { anonymousId: "b1", name: "Order Completed", at: "2026-11-10T10:29:00Z" },
      { anonymousId: "b2", at: "2026-11-10T12:00:00Z" },
      // 31 minutes after the last view: the visit was over.
      { anonymousId: "b2", name: "Order Completed", at: "2026-11-10T12:31:00Z" },
    ]);
    // A backend page view of a contact, then their order written by the shop's backend…
    await handle(id, [{ contactId: contact.id, at: "2026-11-10T14:00:00Z" }]);
    await db().order.create({
      data: {
        workspaceId: id,
        shopOrderId: "A1",
        contactId: contact.id,
        currency: "EUR",
        total: 1000n,
        orderedAt: new Date("2026-11-10T14:20:00Z"),
        statusAt: new Date("2026-11-10T14:20:00Z"),
        source: "API",
      },
    });
    // …and an order first, then the page view that puts it inside a visit.
    await db().order.create({
      data: {
        workspaceId: id,
        shopOrderId: "A2",
        contactId: contact.id,
        currency: "EUR",
        total: 1000n,
        orderedAt: new Date("2026-11-10T17:10:00Z"),
        statusAt: new Date("2026-11-10T17:10:00Z"),
        source: "API",
      },
    });
    await handle(id, [{ contactId: contact.id, at: "2026-11-10T17:00:00Z" }]);
    expect(await visits(id)).toEqual([
      ["a:b1", "10:00", "10:00", true],
      ["a:b2", "12:00", "12:00", false],
      [`c:${contact.id}`, "14:00", "14:00", true],
      [`c:${contact.id}`, "17:00", "17:00", true],
    ]);
  });

  it("belong to their workspace", async () => {
    const first = await createWorkspace({ name: "One" });
    const second = await createWorkspace({ name: "Two" });
    await handle(first.id, [{ anonymousId: "same-browser-id", at: "2026-11-10T10:00:00Z" }]);
    await handle(second.id, [{ anonymousId: "same-browser-id", at: "2026-11-10T10:05:00Z" }]);
    expect(await visits(first.id)).toEqual([["a:same-browser-id", "10:00", "10:00", false]]);
    expect(await visits(second.id)).toEqual([["a:same-browser-id", "10:05", "10:05", false]]);
  });
});
