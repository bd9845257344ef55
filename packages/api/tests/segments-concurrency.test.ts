import { describe, expect, it } from "vitest";
import { db, withTransaction } from "../src/db.ts";
import type { SegmentFilter } from "../src/domain/conditions/filter.ts";
import { lockContact } from "../src/domain/contacts/lock-contact.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { StaleSegmentDefinitionError } from "../src/domain/segments/errors.ts";
import { syncMemberships } from "../src/domain/segments/memberships.ts";
import { previewSegment } from "../src/domain/segments/preview.ts";
import { refreshSegment } from "../src/domain/segments/refresh.ts";
import {
  createSegment,
  loadSegmentDefinitions,
  updateSegment,
} from "../src/domain/segments/segments.ts";
import {
  daysAgo,
  makeContact,
  makeWorkspace,
  memberIds,
  segmentEvents,
  storeEvent,
  testNow,
} from "./segment-fixtures.ts";

/*
 * Interleavings of segment upkeep with the changes that race it, each forced through
 * Postgres's own lock waits (no sleeps): a test holds one side's transaction open, waits until
 * the other side is either blocked on a lock or done, then lets the first commit.
 */

const planIn = (...plans: string[]): SegmentFilter =>
  plans.length === 1
    ? { property: { key: "plan", type: "STRING", op: "EQUALS", value: plans[0] } }
    : { property: { key: "plan", type: "STRING", op: "IN", values: plans } };

/**
 * Resolves "waiting" once some other session of this test database waits on a lock, or
 * "settled" once `work` has finished (either way), whichever comes first.
 */
async function waitingOrSettled(work: Promise<unknown>): Promise<"waiting" | "settled"> {
  let settled = false;
  work.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let poll = 0; poll < 4000; poll++) {
    if (settled) return "settled";
    const [row] = await db().$queryRaw<{ waiting: number }[]>`
      SELECT count(*)::int AS waiting FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    if ((row?.waiting ?? 0) > 0) return "waiting";
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("the work neither finished nor waited on a lock");
}

/** Opens a transaction and hands it out; the returned `commit` ends it. */
function openTransaction() {
  let commit: () => void = () => {};
  let handOut: (tx: Parameters<Parameters<typeof withTransaction>[0]>[0]) => void = () => {};
  const tx = new Promise<Parameters<Parameters<typeof withTransaction>[0]>[0]>((resolve) => {
    handOut = resolve;
  });
  const done = withTransaction(
    (transaction) =>
      new Promise<void>((resolve) => {
        commit = resolve;
        handOut(transaction);
      }),
  );
  return {
    tx,
    commit: async () => {
      commit();
      await done;
    },
  };
}

async function expectMembersMatchFilter(workspaceId: string, segmentId: string) {
  const segment = await db().segment.findFirstOrThrow({ where: { id: segmentId } });
  const fresh = await previewSegment(workspaceId, segment.filter, {
    sampleSize: 100,
    now: testNow,
  });
  expect(await memberIds(segmentId)).toEqual([...fresh.sampleContactIds].sort());
}

describe("segment upkeep under concurrency", () => {
  it("refuses to apply a filter that updateSegment changed after it was read (the refresh queued by deleteTag)", async () => {
    const workspace = await makeWorkspace();
    const pro = await makeContact(workspace.id, { properties: { plan: "pro" } });
    const enterprise = await makeContact(workspace.id, { properties: { plan: "enterprise" } });
    await makeContact(workspace.id, { properties: { plan: "free" } });
    const segment = await createSegment(
      workspace.id,
      { name: "Pro", filter: planIn("pro") },
      { now: testNow },
    );
    // A refresh job has read the segment's definition...
    const read = await loadSegmentDefinitions(db(), workspace.id);
    const [stale] = read.definitions;
    // ...then updateSegment commits a new filter...
    await updateSegment(
      workspace.id,
      segment.id,
      { filter: planIn("pro", "enterprise") },
      { now: testNow },
    );
    expect(await memberIds(segment.id)).toEqual([pro.id, enterprise.id].sort());
    // ...and the refresh goes on to apply what it read.
    const apply = withTransaction((tx) =>
      syncMemberships(tx, stale as NonNullable<typeof stale>, {
        segments: read.filters,
        now: testNow,
        currency: "USD",
      }),
    );
    await expect(apply).rejects.toThrow(StaleSegmentDefinitionError);
    expect(await memberIds(segment.id)).toEqual([pro.id, enterprise.id].sort());
    await expectMembersMatchFilter(workspace.id, segment.id);
    expect(await segmentEvents(enterprise.id)).toEqual([]);
  });

  it("refuses to apply a segment whose included segment changed after it was read", async () => {
    const workspace = await makeWorkspace();
    const enterprise = await makeContact(workspace.id, {
      properties: { plan: "enterprise" },
      tags: ["vip"],
    });
    const pro = await createSegment(
      workspace.id,
      { name: "Paying", filter: planIn("pro") },
      { now: testNow },
    );
    const vips = await createSegment(
      workspace.id,
      {
        name: "Paying VIPs",
        filter: { and: [{ inSegment: { segmentId: pro.id } }, { tag: { name: "vip" } }] },
      },
      { now: testNow },
    );
    const read = await loadSegmentDefinitions(db(), workspace.id);
    const stale = read.definitions.find((definition) => definition.id === vips.id);
    await updateSegment(
      workspace.id,
      pro.id,
      { filter: planIn("pro", "enterprise") },
      { now: testNow },
    );
    expect(await memberIds(vips.id)).toEqual([enterprise.id]);
    const apply = withTransaction((tx) =>
      syncMemberships(tx, stale as NonNullable<typeof stale>, {
        segments: read.filters,
        now: testNow,
        currency: "USD",
      }),
    );
    await expect(apply).rejects.toThrow(StaleSegmentDefinitionError);
    expect(await memberIds(vips.id)).toEqual([enterprise.id]);
  });

  it("updateSegment waits for a refresh in flight, and the refresh for an update in flight", async () => {
    const workspace = await makeWorkspace();
    const enterprise = await makeContact(workspace.id, { properties: { plan: "enterprise" } });
    await makeContact(workspace.id, { properties: { plan: "pro" } });
    const segment = await createSegment(
      workspace.id,
      { name: "Pro", filter: planIn("pro") },
      { now: testNow },
    );

    const refresh = openTransaction();
    await refreshSegment(segment.id, { tx: await refresh.tx, now: testNow });
    const update = updateSegment(
      workspace.id,
      segment.id,
      { filter: planIn("pro", "enterprise") },
      { now: testNow },
    );
    expect(await waitingOrSettled(update)).toBe("waiting");
    await refresh.commit();
    await update;
    await expectMembersMatchFilter(workspace.id, segment.id);

    // The other way round: the refresh starts while the update holds the definitions.
    const edit = openTransaction();
    await updateSegment(
      workspace.id,
      segment.id,
      { filter: planIn("pro") },
      { now: testNow, tx: await edit.tx },
    );
    const late = refreshSegment(segment.id, { now: testNow });
    expect(await waitingOrSettled(late)).toBe("waiting");
    await edit.commit();
    expect(await late).toEqual([]);
    await expectMembersMatchFilter(workspace.id, segment.id);
    expect(await segmentEvents(enterprise.id)).toEqual([]);
  });

  it("an event handled while a full refresh runs is not lost to the refresh's older view", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    await storeEvent(workspace.id, ada.id, "Order Completed", {}, daysAgo(1.9));
    const recent = await createSegment(
      workspace.id,
      { name: "Ordered in 2 days", filter: { event: { name: "Order Completed", withinDays: 2 } } },
      { now: testNow },
    );
    expect(await memberIds(recent.id)).toEqual([ada.id]);

    // Five hours later Ada's order is more than 2 days old, and she orders again. The event's
    // reaction holds her lock when the hourly refresh, which cannot see the new order yet,
    // decides she left.
    const later = new Date(testNow.getTime() + 5 * 3_600_000);
    const reaction = openTransaction();
    const eventTx = await reaction.tx;
    await lockContact(eventTx, workspace.id, ada.id);
    const refresh = refreshSegment(recent.id, { now: later });
    await waitingOrSettled(refresh);
    const order = await eventTx.event.create({
      data: {
        workspaceId: workspace.id,
        contactId: ada.id,
        name: "Order Completed",
        occurredAt: later,
        messageId: "second-order",
      },
    });
    await reactToEvent(String(order.id), { now: later, tx: eventTx });
    await reaction.commit();
    await refresh;

    expect(await memberIds(recent.id)).toEqual([ada.id]);
    const fresh = await previewSegment(workspace.id, recent.filter, { now: later });
    expect(fresh.sampleContactIds).toEqual([ada.id]);
    // Her exit (the old order lapsed) and re-entry (the new one) both happened.
    expect((await segmentEvents(ada.id)).map((event) => event.name)).toEqual([
      "Segment Exited",
      "Segment Entered",
    ]);
  });
});
