import {
  createScoringRule,
  createSegment,
  createWorkspace,
  db,
  setScoreDecay,
  upsertContact,
} from "@cartwheel/api/domain";
import { parseCrontab, runOnce } from "graphile-worker";
import { expect, it } from "vitest";
import { crontab } from "../src/crontab.ts";
import { taskList } from "../src/task-list.ts";

const day = 86_400_000;
const runAll = () => runOnce({ connectionString: process.env.DATABASE_URL, taskList });
const addJob = (task: string, payload: object) =>
  db().$executeRaw`SELECT graphile_worker.add_job(${task}, ${JSON.stringify(payload)}::json)`;
const members = async (segmentId: string) =>
  (await db().segmentMembership.findMany({ where: { segmentId, isMember: true } })).map(
    (m) => m.contactId,
  );

it("process_event scores the event and moves the contact into segments, recording it", async () => {
  const workspace = await createWorkspace({ name: "Shop" });
  const { contact } = await upsertContact(workspace.id, { email: "ada@example.com" });
  await createScoringRule(workspace.id, { name: "Cart", eventName: "Product Added", points: 30 });
  const hot = await createSegment(workspace.id, { name: "Hot", filter: { score: { min: 25 } } });
  const event = await db().event.create({
    data: {
      workspaceId: workspace.id,
      contactId: contact.id,
      name: "Product Added",
      messageId: "m1",
      occurredAt: new Date(),
    },
  });
  await addJob("process_event", { eventId: String(event.id) });
  await runAll();
  expect((await db().contact.findFirstOrThrow({ where: { id: contact.id } })).score).toBe(30);
  expect(await members(hot.id)).toEqual([contact.id]);
  const entered = await db().event.findMany({
    where: { contactId: contact.id, name: "Segment Entered" },
  });
  expect(entered).toHaveLength(1);
});

it("refresh_segments queues only time-relative segments, and refresh_segment brings them up to date", async () => {
  const workspace = await createWorkspace({ name: "Shop" });
  const { contact } = await upsertContact(workspace.id, { email: "grace@example.com" });
  const recent = await createSegment(workspace.id, {
    name: "Recent",
    filter: { event: { name: "Page Viewed", withinDays: 7 } },
  });
  await createSegment(workspace.id, { name: "Tagged", filter: { tag: { name: "vip" } } });
  await db().event.create({
    data: {
      workspaceId: workspace.id,
      contactId: contact.id,
      name: "Page Viewed",
      messageId: "m2",
      occurredAt: new Date(Date.now() - day),
    },
  });
  await runAll(); // the contact's own refresh_contact_segments job
  expect(await members(recent.id)).toEqual([]);
  await addJob("refresh_segments", {});
  await runAll();
  const keys = await db().$queryRaw<{ key: string | null }[]>`
    SELECT key FROM graphile_worker._private_jobs WHERE key LIKE 'refresh_segment:%'`;
  expect(keys).toEqual([]);
  expect(await members(recent.id)).toEqual([contact.id]);
});

it("refresh_contact_segments follows contact changes; decay_scores applies the policy", async () => {
  const workspace = await createWorkspace({ name: "Shop" });
  const pro = await createSegment(workspace.id, {
    name: "Pro",
    filter: { property: { key: "plan", type: "STRING", op: "EQUALS", value: "pro" } },
  });
  const { contact } = await upsertContact(workspace.id, {
    email: "lin@example.com",
    properties: { plan: "pro" },
  });
  await runAll();
  expect(await members(pro.id)).toEqual([contact.id]);

  await setScoreDecay(workspace.id, { inactiveDays: 1, percent: 50 });
  await db().contact.update({
    where: { id_workspaceId: { workspaceId: contact.workspaceId, id: contact.id } },
    data: { score: 40, lastSeenAt: new Date(Date.now() - 2 * day) },
  });
  await addJob("decay_scores", {});
  await runAll();
  expect((await db().contact.findFirstOrThrow({ where: { id: contact.id } })).score).toBe(20);
});

it("schedules the segment refresh and the decay with tasks that exist", () => {
  const items = parseCrontab(crontab);
  expect(items.map((item) => [item.identifier, item.task, item.payload]).sort()).toEqual([
    ["abandon_carts", "abandon_carts", null],
    ["decay_scores", "decay_scores", null],
    ["decide_split_winners", "decide_split_winners", null],
    ["rebuild_recommendations", "rebuild_recommendations", null],
    ["refresh_recommendations", "refresh_recommendations", null],
    ["refresh_segments", "refresh_segments", null],
    ["refresh_segments_short_window", "refresh_segments", { dependingOn: "shortWindow" }],
    ["roll_up_analytics", "roll_up_analytics", null],
    ["wake_scenario_runs", "wake_scenario_runs", null],
  ]);
  for (const item of items)
    expect(taskList[item.task as keyof typeof taskList]).toBeTypeOf("function");
  // The short-window sweep runs every 5 minutes, never at the hourly sweep's :05.
  const short = items.find((item) => item.identifier === "refresh_segments_short_window");
  const minutes = Array.from({ length: 60 }, (_, min) => min).filter((min) =>
    short?.match({ min, hour: 0, date: 1, month: 1, dow: 1 }),
  );
  expect(minutes).toEqual([2, 7, 12, 17, 22, 27, 32, 37, 42, 47, 52, 57]);
});

it("the short-window sweep refreshes only segments with a window under a day", async () => {
  const workspace = await createWorkspace({ name: "Shop" });
  const { contact } = await upsertContact(workspace.id, { email: "lin@example.com" });
  const recent = await createSegment(workspace.id, {
    name: "Viewed in the last 30 minutes",
    filter: { event: { name: "Product Viewed", withinMinutes: 30 } },
  });
  const week = await createSegment(workspace.id, {
    name: "Viewed this week",
    filter: { event: { name: "Product Viewed", withinDays: 7 } },
  });
  // Stored without its process_event job: only a sweep can bring the segments up to date.
  await db().event.create({
    data: {
      workspaceId: workspace.id,
      contactId: contact.id,
      name: "Product Viewed",
      messageId: "m-short",
      occurredAt: new Date(Date.now() - 10 * 60_000),
    },
  });
  await addJob("refresh_segments", { workspaceId: workspace.id, dependingOn: "shortWindow" });
  await runAll();
  expect(await members(recent.id)).toEqual([contact.id]);
  expect(await members(week.id)).toEqual([]);
});
