import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { compileSegmentQuery } from "../src/domain/conditions/compile.ts";
import { filterDependencies } from "../src/domain/conditions/dependencies.ts";
import type { SegmentFilter } from "../src/domain/conditions/filter.ts";
import { explainSegment } from "../src/domain/segments/explain.ts";
import { previewSegment } from "../src/domain/segments/preview.ts";
import { enqueueSegmentRefreshes, refreshSegment } from "../src/domain/segments/refresh.ts";
import { createSegment } from "../src/domain/segments/segments.ts";
import {
  makeContact,
  makeWorkspace,
  memberIds,
  segmentEvents,
  storeEvent,
  storeOrder,
  testNow,
} from "./segment-fixtures.ts";

/*
 * Windows in days, hours and minutes, always counted back from the `now` the caller passes:
 * these tests move that clock, they never sleep.
 */
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
/** `ms` after `testNow` (negative: before). */
const at = (ms: number) => new Date(testNow.getTime() + ms);

const members = async (workspaceId: string, filter: SegmentFilter, now: Date) =>
  (await previewSegment(workspaceId, filter, { now, sampleSize: 100 })).sampleContactIds.sort();

describe("windows in hours and minutes", () => {
  it("no Order Completed in the last 2 hours: false at 1h59m after the order, true at 2h01m", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    const grace = await makeContact(workspace.id);
    await storeEvent(workspace.id, ada.id, "Order Completed", { total: 20 }, testNow);
    const noRecentOrder: SegmentFilter = {
      not: { event: { name: "Order Completed", withinHours: 2 } },
    };
    const atMostZero: SegmentFilter = {
      event: { name: "Order Completed", atMost: 0, withinHours: 2 },
    };
    for (const filter of [noRecentOrder, atMostZero]) {
      expect(await members(workspace.id, filter, at(hour + 59 * minute))).toEqual([grace.id]);
      expect(await members(workspace.id, filter, at(2 * hour + minute))).toEqual(
        [ada.id, grace.id].sort(),
      );
    }

    // A saved segment lapses the same way on its refresh, and records the entry once.
    const segment = await createSegment(
      workspace.id,
      { name: "No recent order", filter: noRecentOrder },
      { now: at(hour + 59 * minute) },
    );
    expect(await memberIds(segment.id)).toEqual([grace.id]);
    expect(await refreshSegment(segment.id, { now: at(2 * hour + minute) })).toHaveLength(1);
    expect(await memberIds(segment.id)).toEqual([ada.id, grace.id].sort());
    expect((await segmentEvents(ada.id)).map((e) => e.name)).toEqual(["Segment Entered"]);
  });

  it("viewed a product in the last 30 minutes; the window's start is inclusive", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    await storeEvent(workspace.id, ada.id, "Product Viewed", { sku: "a" }, testNow);
    const filter: SegmentFilter = { event: { name: "Product Viewed", withinMinutes: 30 } };
    expect(await members(workspace.id, filter, at(29 * minute))).toEqual([ada.id]);
    expect(await members(workspace.id, filter, at(30 * minute))).toEqual([ada.id]);
    expect(await members(workspace.id, filter, at(30 * minute + 1000))).toEqual([]);
  });

  it("counts orders and purchases within hours and minutes", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    const grace = await makeContact(workspace.id);
    const order = (contactId: string, ago: number, category: string) =>
      storeOrder(
        workspace.id,
        contactId,
        { total: 100, products: [{ product_id: `p-${category}`, category }] },
        at(-ago),
      );
    await order(ada.id, 10 * minute, "hats");
    await order(ada.id, 3 * hour, "shoes");
    await order(grace.id, 50 * minute, "hats");
    await order(grace.id, 70 * minute, "hats");

    const twoIn = (window: object) => ({
      orders: { metric: "COUNT", op: "AT_LEAST", value: 2, ...window },
    });
    expect(await members(workspace.id, twoIn({ withinHours: 1 }) as never, testNow)).toEqual([]);
    expect(await members(workspace.id, twoIn({ withinHours: 2 }) as never, testNow)).toEqual([
      grace.id,
    ]);
    expect(await members(workspace.id, twoIn({ withinHours: 4 }) as never, testNow)).toEqual(
      [ada.id, grace.id].sort(),
    );
    expect(
      await members(
        workspace.id,
        { orders: { metric: "TOTAL_SPENT", op: "AT_LEAST", value: 100, withinMinutes: 15 } },
        testNow,
      ),
    ).toEqual([ada.id]);
    expect(
      await members(workspace.id, { purchased: { category: "hats", withinMinutes: 60 } }, testNow),
    ).toEqual([ada.id, grace.id].sort());
    expect(
      await members(workspace.id, { purchased: { category: "shoes", withinHours: 2 } }, testNow),
    ).toEqual([]);
  });

  it("explains the count of the window's events and lists only those", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    const recent = await storeEvent(workspace.id, ada.id, "Page Viewed", {}, at(-20 * minute));
    await storeEvent(workspace.id, ada.id, "Page Viewed", {}, at(-2 * hour));
    const segment = await createSegment(
      workspace.id,
      { name: "Browsing now", filter: { event: { name: "Page Viewed", withinMinutes: 45 } } },
      { now: testNow },
    );
    const explanation = await explainSegment(workspace.id, segment.id, ada.id, { now: testNow });
    expect(explanation).toMatchObject({ isMember: true, matches: true });
    expect(explanation.tree).toMatchObject({ kind: "event", matches: true, actual: 1 });
    expect(explanation.tree.events.map((e) => e.id)).toEqual([recent]);
    // Later, the same contact no longer matches: the explanation counts from its own now.
    const later = await explainSegment(workspace.id, segment.id, ada.id, { now: at(hour) });
    expect(later).toMatchObject({ isMember: true, matches: false, tree: { actual: 0 } });
  });
});

describe("documents with withinDays", () => {
  it("compile to the same query as the same window in hours or minutes", () => {
    const options = {
      workspaceId: crypto.randomUUID(),
      now: testNow,
      segments: new Map(),
      currency: "EUR",
    };
    const query = (window: object) =>
      compileSegmentQuery({ event: { name: "Page Viewed", atLeast: 2, ...window } }, options);
    const days = query({ withinDays: 7 });
    expect(query({ withinHours: 7 * 24 })).toEqual(days);
    expect(query({ withinMinutes: 7 * 24 * 60 })).toEqual(days);
    expect(days.values).toContainEqual(new Date(testNow.getTime() - 7 * day));
  });

  it("still mean the days × 24 hours before now, in events, orders and purchases", async () => {
    const workspace = await makeWorkspace();
    const inside = await makeContact(workspace.id);
    const outside = await makeContact(workspace.id);
    for (const [contact, ago] of [
      [inside, 7 * day - minute],
      [outside, 7 * day + minute],
    ] as const) {
      await storeOrder(
        workspace.id,
        contact.id,
        { total: 5, products: [{ product_id: "p1" }] },
        at(-ago),
      );
    }
    const filters: SegmentFilter[] = [
      { event: { name: "Order Completed", withinDays: 7 } },
      { orders: { metric: "COUNT", op: "AT_LEAST", value: 1, withinDays: 7 } },
      { purchased: { productId: "p1", withinDays: 7 } },
    ];
    for (const filter of filters) {
      expect(await members(workspace.id, filter, testNow)).toEqual([inside.id]);
    }
  });
});

describe("how time-relative segments are swept", () => {
  it("marks windows under a day for the frequent sweep, through included segments too", () => {
    const shortest = (filter: SegmentFilter, segments = new Map<string, SegmentFilter>()) =>
      filterDependencies(filter, segments).shortestWindowMinutes;
    expect(shortest({ event: { name: "Order Completed", withinHours: 2 } })).toBe(120);
    expect(
      shortest({
        and: [
          { event: { name: "Page Viewed", withinDays: 7 } },
          { purchased: { category: "hats", withinMinutes: 30 } },
        ],
      }),
    ).toBe(30);
    expect(shortest({ field: { name: "LAST_SEEN_AT", op: "IN_LAST_DAYS", days: 2 } })).toBe(2880);
    expect(shortest({ tag: { name: "vip" } })).toBeUndefined();
    const included = new Map<string, SegmentFilter>([
      ["s1", { orders: { metric: "COUNT", op: "EQUALS", value: 0, withinMinutes: 90 } }],
    ]);
    const deps = filterDependencies({ not: { inSegment: { segmentId: "s1" } } }, included);
    expect(deps).toMatchObject({ timeRelative: true, shortestWindowMinutes: 90 });
  });

  it("queues segments with windows under a day on the 5-minute sweep, and every time-relative one hourly", async () => {
    const workspace = await makeWorkspace();
    const save = (name: string, filter: SegmentFilter) =>
      createSegment(workspace.id, { name, filter }, { now: testNow });
    const twoHours = await save("2 hours", { event: { name: "Order Completed", withinHours: 2 } });
    const aDay = await save("24 hours", { event: { name: "Page Viewed", withinHours: 24 } });
    const week = await save("7 days", { event: { name: "Page Viewed", withinDays: 7 } });
    const including = await save("Includes 2 hours", {
      and: [{ tag: { name: "vip" } }, { inSegment: { segmentId: twoHours.id } }],
    });
    await save("Tagged", { tag: { name: "vip" } });

    const short = await enqueueSegmentRefreshes({
      dependingOn: "shortWindow",
      workspaceId: workspace.id,
    });
    expect(short.sort()).toEqual([twoHours.id, including.id].sort());
    const hourly = await enqueueSegmentRefreshes({
      dependingOn: "time",
      workspaceId: workspace.id,
    });
    expect(hourly.sort()).toEqual([twoHours.id, aDay.id, week.id, including.id].sort());
    const keys = await db().$queryRaw<{ key: string }[]>`
      SELECT j.key FROM graphile_worker._private_jobs j
        JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE t.identifier = 'refresh_segment' AND j.key = ANY(${short.map((id) => `refresh_segment:${id}`)})`;
    // Queued by both sweeps, each segment still has one job.
    expect(keys).toHaveLength(2);

    // Across workspaces: one with only longer windows (48 hours is not short) queues nothing.
    const other = await makeWorkspace("Other");
    const twoDays = await createSegment(
      other.id,
      { name: "48 hours", filter: { event: { name: "Page Viewed", withinHours: 48 } } },
      { now: testNow },
    );
    const everywhere = await enqueueSegmentRefreshes({ dependingOn: "shortWindow" });
    expect(everywhere).toEqual(expect.arrayContaining([twoHours.id, including.id]));
    expect(everywhere).not.toContain(twoDays.id);
    expect(everywhere).not.toContain(aDay.id);
  });
});
