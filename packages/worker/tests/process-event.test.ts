import { createWorkspace, db, ingestEvents, pool, upsertContact } from "@cartwheel/api/domain";
import { runOnce } from "graphile-worker";
import { expect, it } from "vitest";
import { taskList } from "../src/task-list.ts";

const drain = () => runOnce({ connectionString: process.env.DATABASE_URL, taskList });

// runOnce can resolve a moment before its last job's completion is committed, so the count
// is polled rather than read once.
const noJobsLeft = () => expect.poll(pendingJobs, { timeout: 5_000 }).toBe(0);

const pendingJobs = async () =>
  (await pool().query("SELECT count(*)::int AS n FROM graphile_worker.jobs")).rows[0].n as number;

it("process_event moves the contact's last-seen time forward and never back", async () => {
  const workspace = await createWorkspace({ name: "Shop" });
  const { contact } = await upsertContact(workspace.id, { email: "ada@example.com" });
  const record = (messageId: string, occurredAt: string) =>
    db().event.create({
      data: {
        workspaceId: workspace.id,
        contactId: contact.id,
        name: "Page Viewed",
        messageId,
        occurredAt: new Date(occurredAt),
      },
    });
  const later = await record("m1", "2026-05-02T10:00:00Z");
  const earlier = await record("m2", "2026-05-01T10:00:00Z");
  for (const event of [later, earlier]) {
    await db()
      .$executeRaw`SELECT graphile_worker.add_job('process_event', json_build_object('eventId', ${String(event.id)}::text))`;
  }
  await drain();
  const seen = await db().contact.findFirstOrThrow({ where: { id: contact.id } });
  expect(seen.lastSeenAt?.toISOString()).toBe("2026-05-02T10:00:00.000Z");
});

it("processes every ingested event, identified or anonymous, and leaves no job behind", async () => {
  const workspace = await createWorkspace({ name: "Shop" });
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const identifiedAt = at(1);
  const result = await ingestEvents(workspace.id, [
    { messageId: "a", type: "page", anonymousId: "stranger", timestamp: at(3) },
    { messageId: "b", type: "page", anonymousId: "browser", timestamp: at(2) },
    {
      messageId: "c",
      type: "identify",
      anonymousId: "browser",
      userId: "grace@example.com",
      timestamp: identifiedAt,
    },
  ]);
  expect(result.accepted).toBe(3);
  // One job for the batch, and one more for "b": it joined the contact when "c" identified the
  // browser, so scores, segments and scenario triggers see it again, now with its contact.
  expect(await pendingJobs()).toBe(2);

  await drain();
  await noJobsLeft();
  const contact = await db().contact.findFirstOrThrow({
    where: { workspaceId: workspace.id, email: "grace@example.com" },
  });
  expect(contact.lastSeenAt?.toISOString()).toBe(identifiedAt);
});

it("ends the job of an event erased before it ran instead of retrying it", async () => {
  const workspace = await createWorkspace({ name: "Shop" });
  const { contact } = await upsertContact(workspace.id, { email: "gone@example.com" });
  await ingestEvents(workspace.id, [
    {
      messageId: "x",
      type: "track",
      event: "Viewed",
      userId: "gone@example.com",
      timestamp: new Date().toISOString(),
    },
  ]);
  await db().contact.delete({
    where: { id_workspaceId: { workspaceId: contact.workspaceId, id: contact.id } },
  });
  await drain();
  await noJobsLeft();
});

it("retries only the events of a batch whose reaction failed, once each", async () => {
  const workspace = await createWorkspace({ name: "Shop" });
  const { contact: failing } = await upsertContact(workspace.id, { email: "fails@example.com" });
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const event = (messageId: string, userId: string, minutesAgo: number) => ({
    messageId,
    type: "track",
    event: "Viewed",
    userId,
    timestamp: at(minutesAgo),
  });
  await ingestEvents(
    workspace.id,
    [
      event("ok-1", "ada@example.com", 3),
      event("bad", "fails@example.com", 2),
      event("ok-2", "ada@example.com", 1),
    ],
    { source: "trusted" },
  );
  await pool().query(
    `CREATE FUNCTION refuse_last_seen() RETURNS trigger LANGUAGE plpgsql AS
       $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$;
     CREATE TRIGGER refuse_last_seen BEFORE UPDATE OF last_seen_at ON contacts
       FOR EACH ROW WHEN (NEW.id = '${failing.id}') EXECUTE FUNCTION refuse_last_seen();`,
  );
  try {
    await drain();
  } finally {
    await pool().query(
      "DROP TRIGGER refuse_last_seen ON contacts; DROP FUNCTION refuse_last_seen();",
    );
  }
  const { rows: left } = await pool().query<{ payload: { eventId: string }[]; attempts: number }>(
    `SELECT j.payload, j.attempts FROM graphile_worker._private_jobs j
       JOIN graphile_worker._private_tasks t ON t.id = j.task_id
      WHERE t.identifier = 'process_events'`,
  );
  const bad = await db().event.findFirstOrThrow({
    where: { workspaceId: workspace.id, messageId: "bad" },
  });
  expect(left).toEqual([{ payload: [{ eventId: String(bad.id) }], attempts: 1 }]);
  const ada = await db().contact.findFirstOrThrow({
    where: { workspaceId: workspace.id, email: "ada@example.com" },
  });
  const adasLast = await db().event.findFirstOrThrow({
    where: { workspaceId: workspace.id, messageId: "ok-2" },
  });
  expect(ada.lastSeenAt).toEqual(adasLast.occurredAt);

  await pool().query("UPDATE graphile_worker._private_jobs SET run_at = now()");
  await drain();
  await noJobsLeft();
  const recovered = await db().contact.findFirstOrThrow({
    where: { id: failing.id, workspaceId: failing.workspaceId },
  });
  expect(recovered.lastSeenAt).toEqual(bad.occurredAt);
});
