import { createWorkspace, db, upsertContact } from "@cartwheel/api/domain";
import { runOnce } from "graphile-worker";
import { expect, it } from "vitest";
import { taskList } from "../src/task-list.ts";

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
  await runOnce({ connectionString: process.env.DATABASE_URL, taskList });
  const seen = await db().contact.findUniqueOrThrow({ where: { id: contact.id } });
  expect(seen.lastSeenAt?.toISOString()).toBe("2026-05-02T10:00:00.000Z");
});
