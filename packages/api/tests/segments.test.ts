import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import type { SegmentFilter } from "../src/domain/conditions/filter.ts";
import { updateContact } from "../src/domain/contacts/upsert-contact.ts";
import { reactToContactChange } from "../src/domain/reactions/react-to-contact-change.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { SegmentCycleError } from "../src/domain/segments/errors.ts";
import { explainSegment } from "../src/domain/segments/explain.ts";
import { installSegmentTemplates } from "../src/domain/segments/playbook.ts";
import { previewSegment } from "../src/domain/segments/preview.ts";
import { enqueueSegmentRefreshes, refreshSegment } from "../src/domain/segments/refresh.ts";
import { createSegment, deleteSegment, updateSegment } from "../src/domain/segments/segments.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../src/domain/shared/errors.ts";
import { deleteTag, renameTag } from "../src/domain/tags/tags.ts";
import {
  daysAgo,
  makeContact,
  makeWorkspace,
  memberIds,
  segmentEvents,
  storeEvent,
  storeOrder,
  testNow,
} from "./segment-fixtures.ts";

const save = (workspaceId: string, filter: SegmentFilter, name = "Segment") =>
  createSegment(workspaceId, { name, filter }, { now: testNow });

describe("segment membership", () => {
  it("computes members on save and keeps them current as events arrive", async () => {
    const workspace = await makeWorkspace();
    const pro = await makeContact(workspace.id, { properties: { plan: "pro" }, tags: ["vip"] });
    const free = await makeContact(workspace.id, { properties: { plan: "free" }, tags: ["vip"] });
    await storeEvent(workspace.id, pro.id, "Product Added", {}, daysAgo(1));
    const segment = await save(workspace.id, {
      and: [
        { property: { key: "plan", type: "STRING", op: "EQUALS", value: "pro" } },
        { tag: { name: "vip" } },
        { event: { name: "Product Added", atLeast: 2, withinDays: 7 } },
        { event: { name: "Order Completed", atMost: 0, withinDays: 7 } },
      ],
    });
    expect(await memberIds(segment.id)).toEqual([]);

    const second = await storeEvent(workspace.id, pro.id, "Product Added", {}, daysAgo(0.5));
    await reactToEvent(second, { now: testNow });
    expect(await memberIds(segment.id)).toEqual([pro.id]);
    // A retried job changes nothing and records nothing twice.
    await reactToEvent(second, { now: testNow });
    expect((await segmentEvents(pro.id)).map((e) => e.name)).toEqual(["Segment Entered"]);

    const order = await storeEvent(workspace.id, pro.id, "Order Completed", {}, daysAgo(0.2));
    await reactToEvent(order, { now: testNow });
    expect(await memberIds(segment.id)).toEqual([]);
    const recorded = await segmentEvents(pro.id);
    expect(recorded.map((e) => e.name)).toEqual(["Segment Entered", "Segment Exited"]);
    expect(recorded[0]?.properties).toEqual({ segment_id: segment.id, segment_name: "Segment" });
    expect(await segmentEvents(free.id)).toEqual([]);
  });

  it("does not record Segment Entered for the members found when the segment is saved", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id, { tags: ["vip"] });
    const segment = await save(workspace.id, { tag: { name: "vip" } });
    expect(await memberIds(segment.id)).toEqual([ada.id]);
    expect(await segmentEvents(ada.id)).toEqual([]);
  });

  it("queues a refresh of tag segments when a tag is renamed or deleted, in the same change", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id, { tags: ["vip"] });
    const segment = await save(workspace.id, { tag: { name: "vip" } });
    // A segment on events only is not affected by tags and is not queued.
    await save(workspace.id, { event: { name: "Page Viewed", withinDays: 7 } });
    const tag = await db().tag.findFirstOrThrow({
      where: { workspaceId: workspace.id, name: "vip" },
    });
    const queued = (task: string) =>
      db().$queryRaw<{ key: string; revision: number; payload: unknown }[]>`
        SELECT j.key, j.revision, j.payload FROM graphile_worker._private_jobs j
          JOIN graphile_worker._private_tasks t ON t.id = j.task_id
         WHERE t.identifier = ${task} ORDER BY j.key`;

    await renameTag(workspace.id, tag.id, "VIP");
    expect(await queued("refresh_segments")).toEqual([
      {
        key: `refresh_segments:contactData:${workspace.id}`,
        revision: 0,
        payload: { workspaceId: workspace.id, dependingOn: "contactData" },
      },
    ]);
    // What that job does: queue the workspace's segments on contact data.
    await enqueueSegmentRefreshes({ dependingOn: "contactData", workspaceId: workspace.id });
    expect((await queued("refresh_segment")).map((job) => job.key)).toEqual([
      `refresh_segment:${segment.id}`,
    ]);
    await refreshSegment(segment.id, { now: testNow });
    expect(await memberIds(segment.id)).toEqual([]);
    expect((await segmentEvents(ada.id)).map((e) => e.name)).toEqual(["Segment Exited"]);

    // Deleting queues it again: the keyed job is replaced, not doubled.
    await deleteTag(workspace.id, tag.id);
    expect(
      (await queued("refresh_segments")).map(({ key, revision }) => ({ key, revision })),
    ).toEqual([{ key: `refresh_segments:contactData:${workspace.id}`, revision: 1 }]);
  });

  it("lets time-relative conditions lapse on the scheduled refresh, once", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id);
    await storeEvent(workspace.id, ada.id, "Page Viewed", {}, daysAgo(5));
    const segment = await save(workspace.id, { event: { name: "Page Viewed", withinDays: 7 } });
    expect(await memberIds(segment.id)).toEqual([ada.id]);

    const later = daysAgo(-3);
    expect(await refreshSegment(segment.id, { now: later })).toHaveLength(1);
    expect(await memberIds(segment.id)).toEqual([]);
    expect(await refreshSegment(segment.id, { now: later })).toEqual([]);
    expect((await segmentEvents(ada.id)).map((e) => e.name)).toEqual(["Segment Exited"]);
  });

  it("re-checks contact-data segments when a contact changes, through the queued job", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id, { properties: { plan: "free" } });
    const segment = await save(workspace.id, {
      property: { key: "plan", type: "STRING", op: "IN", values: ["pro", "team"] },
    });
    await updateContact(workspace.id, ada.id, { properties: { plan: "team" } });
    const jobs = await db().$queryRaw<{ payload: string }[]>`
      SELECT j.payload::text AS payload FROM graphile_worker._private_jobs j
        JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE t.identifier = 'refresh_contact_segments'`;
    expect(jobs.some((job) => job.payload.includes(ada.id))).toBe(true);
    expect(await memberIds(segment.id)).toEqual([]);
    await reactToContactChange(workspace.id, [ada.id]);
    expect(await memberIds(segment.id)).toEqual([ada.id]);
  });

  it("ignores other workspaces' events and contacts", async () => {
    const mine = await makeWorkspace("Mine");
    const theirs = await makeWorkspace("Theirs");
    const ada = await makeContact(mine.id);
    const grace = await makeContact(theirs.id);
    const stray = await storeEvent(theirs.id, grace.id, "Order Completed", { total: 900 });
    const segment = await save(mine.id, { orders: { metric: "COUNT", op: "AT_LEAST", value: 0 } });
    await reactToEvent(stray, { now: testNow });
    expect(await memberIds(segment.id)).toEqual([ada.id]);
    await expect(explainSegment(theirs.id, segment.id, grace.id)).rejects.toThrow(NotFoundError);
    await expect(explainSegment(mine.id, segment.id, grace.id)).rejects.toThrow(NotFoundError);
  });

  it("passes hostile strings as parameters, never as SQL", async () => {
    const workspace = await makeWorkspace();
    const key = "plan'); DROP TABLE contacts; --";
    const ada = await makeContact(workspace.id, { properties: { [key]: "x' OR '1'='1" } });
    await makeContact(workspace.id, { properties: { [key]: "other" } });
    const preview = await previewSegment(
      workspace.id,
      { property: { key, type: "STRING", op: "EQUALS", value: "x' OR '1'='1" } },
      { now: testNow },
    );
    expect(preview).toEqual({ count: 1, sampleContactIds: [ada.id] });
  });
});

describe("shopping facts and other conditions", () => {
  it("derives orders, spend, average and products from the orders of Order Completed events", async () => {
    const workspace = await makeWorkspace();
    const big = await makeContact(workspace.id);
    const once = await makeContact(workspace.id, { score: 80 });
    const never = await makeContact(workspace.id, { score: 80 });
    const order = (contactId: string, total: number, days: number, product = "p1") =>
      storeOrder(
        workspace.id,
        contactId,
        {
          total,
          products: [{ product_id: product, category: product === "p1" ? "shoes" : "hats" }],
        },
        daysAgo(days),
      );
    await order(big.id, 400, 40);
    await order(big.id, 300, 10, "p2");
    await order(once.id, 50, 3);
    const count = async (filter: SegmentFilter) =>
      (
        await previewSegment(workspace.id, filter, { now: testNow, sampleSize: 100 })
      ).sampleContactIds.sort();

    expect(await count({ orders: { metric: "TOTAL_SPENT", op: "AT_LEAST", value: 700 } })).toEqual([
      big.id,
    ]);
    expect(await count({ orders: { metric: "COUNT", op: "EQUALS", value: 1 } })).toEqual([once.id]);
    expect(await count({ orders: { metric: "COUNT", op: "LESS_THAN", value: 2 } })).toEqual(
      [once.id, never.id].sort(),
    );
    expect(
      await count({ orders: { metric: "AVERAGE_ORDER_VALUE", op: "GREATER_THAN", value: 300 } }),
    ).toEqual([big.id]);
    expect(
      await count({ orders: { metric: "LAST_ORDER_AT", op: "MORE_THAN_DAYS_AGO", days: 5 } }),
    ).toEqual([big.id]);
    expect(await count({ purchased: { category: "hats" } })).toEqual([big.id]);
    expect(await count({ purchased: { productId: "p1", withinDays: 5 } })).toEqual([once.id]);

    const installed = await installSegmentTemplates(workspace.id);
    const again = await installSegmentTemplates(workspace.id);
    expect(again.map((s) => s.id)).toEqual(installed.map((s) => s.id));
    const byKey = new Map(installed.map((s) => [s.templateKey, s.id]));
    expect(await memberIds(byKey.get("vip-customers")!)).toEqual([big.id]);
    expect(await memberIds(byKey.get("one-time-buyers")!)).toEqual([once.id]);
    expect(await memberIds(byKey.get("ready-to-buy")!)).toEqual([never.id]);
  });

  it("matches birthdays in the coming days, across the new year", async () => {
    const workspace = await makeWorkspace();
    const soon = await makeContact(workspace.id, { birthday: new Date("1990-01-02T00:00:00Z") });
    await makeContact(workspace.id, { birthday: new Date("1990-01-20T00:00:00Z") });
    const preview = await previewSegment(
      workspace.id,
      { field: { name: "BIRTHDAY", op: "ANNIVERSARY_WITHIN_DAYS", days: 7 } },
      { now: new Date("2026-12-29T10:00:00Z") },
    );
    expect(preview.sampleContactIds).toEqual([soon.id]);
  });
});

describe("segment validation and references", () => {
  it.each([
    [
      { property: { key: "plan", type: "COLOR", op: "EQUALS", value: "x" } },
      ["filter", "property", "type"],
      "unknown property type",
    ],
    [
      { event: { name: "Page Viewed", withinDays: 0 } },
      ["filter", "event", "withinDays"],
      "window of zero days",
    ],
    [
      { property: { key: "age", type: "NUMBER", op: "CONTAINS", value: "3" } },
      ["filter", "property", "op"],
      "does not apply",
    ],
    [
      { property: { key: "age", type: "NUMBER", op: "EQUALS", value: "old" } },
      ["filter", "property", "value"],
      "not a number",
    ],
    [{ tag: { name: "a" }, score: { min: 1 } }, ["filter"], "exactly one"],
    [
      { and: [{ field: { name: "CREATED_AT", op: "IN_LAST_DAYS" } }] },
      ["filter", "and", "0", "field", "days"],
      "required",
    ],
  ])("refuses %j naming the field", async (filter, path, words) => {
    const workspace = await makeWorkspace();
    const error = await save(workspace.id, filter as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).problems[0]?.path).toEqual(path);
    expect((error as InvalidInputError).problems[0]?.message).toContain(words);
    expect(await db().segment.count({ where: { workspaceId: workspace.id } })).toBe(0);
  });

  it("inlines included segments, refuses cycles, unknown segments and deleting an included one", async () => {
    const workspace = await makeWorkspace();
    const other = await makeWorkspace("Other");
    const foreign = await save(other.id, { tag: { name: "vip" } });
    const ada = await makeContact(workspace.id, { tags: ["vip"], score: 10 });
    const vip = await save(workspace.id, { tag: { name: "vip" } }, "VIP");
    const scored = await save(workspace.id, {
      and: [{ inSegment: { segmentId: vip.id } }, { score: { min: 5 } }],
    });
    expect(await memberIds(scored.id)).toEqual([ada.id]);

    const cycle = await updateSegment(workspace.id, vip.id, {
      filter: { inSegment: { segmentId: scored.id } },
    }).catch((e: unknown) => e);
    expect(cycle).toBeInstanceOf(SegmentCycleError);
    expect((cycle as SegmentCycleError).segmentIds).toEqual([vip.id, scored.id, vip.id]);
    await expect(save(workspace.id, { inSegment: { segmentId: foreign.id } })).rejects.toThrow(
      /does not exist/,
    );
    await expect(deleteSegment(workspace.id, vip.id)).rejects.toThrow(ConflictError);

    // Changing the included segment recomputes the segment that includes it.
    await updateSegment(
      workspace.id,
      vip.id,
      { filter: { tag: { name: "gold" } } },
      { now: testNow },
    );
    expect(await memberIds(scored.id)).toEqual([]);
  });

  it("explains each condition with the measured value and the events that counted", async () => {
    const workspace = await makeWorkspace();
    const ada = await makeContact(workspace.id, { properties: { plan: "pro" } });
    const added = await storeEvent(workspace.id, ada.id, "Product Added", { sku: "a" }, daysAgo(2));
    const segment = await save(workspace.id, {
      and: [
        { property: { key: "plan", type: "STRING", op: "EQUALS", value: "pro" } },
        { event: { name: "Product Added", atLeast: 2, withinDays: 7 } },
      ],
    });
    const explanation = await explainSegment(workspace.id, segment.id, ada.id, { now: testNow });
    expect(explanation.isMember).toBe(false);
    expect(explanation.matches).toBe(false);
    const [plan, products] = explanation.tree.children;
    expect(plan).toMatchObject({ kind: "property", matches: true, actual: "pro" });
    expect(products).toMatchObject({ kind: "event", matches: false, actual: 1 });
    expect(products?.events.map((e) => e.id)).toEqual([added]);
  });
});
