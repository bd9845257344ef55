import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { recordInternalEvent } from "../src/domain/events/record-internal-event.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { createWorkspace } from "../src/domain/workspaces/workspaces.ts";

describe("processEvent and last-seen", () => {
  it("moves last-seen for the contact's own activity, not for what Cartwheel records about them", async () => {
    const workspace = await createWorkspace({ name: "Shop" });
    const { contact } = await upsertContact(workspace.id, { email: "ada@example.com" });
    const lastSeen = async () =>
      (await db().contact.findFirstOrThrow({ where: { id: contact.id } })).lastSeenAt;
    const record = async (name: string, activity: boolean | undefined, occurredAt: string) => {
      const id = await recordInternalEvent(undefined, {
        workspaceId: workspace.id,
        contactId: contact.id,
        name,
        activity,
        occurredAt: new Date(occurredAt),
        idempotencyKey: `${name}:${occurredAt}`,
      });
      await reactToEvent(id!);
    };

    await record("Segment Entered", undefined, "2026-03-01T00:00:00Z");
    await record("Email Bounced", false, "2026-03-02T00:00:00Z");
    expect(await lastSeen()).toBeNull();
    await record("Email Clicked", true, "2026-03-03T00:00:00Z");
    expect((await lastSeen())?.toISOString()).toBe("2026-03-03T00:00:00.000Z");
    await record("Segment Exited", undefined, "2026-03-04T00:00:00Z");
    expect((await lastSeen())?.toISOString()).toBe("2026-03-03T00:00:00.000Z");
  });

  it("stores Cartwheel's own events under a prefixed messageId, once per idempotency key", async () => {
    const workspace = await createWorkspace({ name: "Shop" });
    const { contact } = await upsertContact(workspace.id, { email: "bob@example.com" });
    const event = {
      workspaceId: workspace.id,
      contactId: contact.id,
      name: "Segment Entered",
      idempotencyKey: "k1",
    };
    expect(await recordInternalEvent(undefined, event)).not.toBeNull();
    expect(await recordInternalEvent(undefined, event)).toBeNull();
    const stored = await db().event.findMany({ where: { workspaceId: workspace.id } });
    expect(stored.map((row) => row.messageId)).toEqual(["cartwheel:k1"]);
  });
});
