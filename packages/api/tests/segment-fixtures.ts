import { randomUUID } from "node:crypto";
import { db } from "../src/db.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";
import { createWorkspace } from "../src/domain/workspaces/workspaces.ts";

const dayMs = 86_400_000;

/** A fixed instant the segment tests count relative windows from. */
export const testNow = new Date("2026-06-15T12:00:00.000Z");

/** `days` days before `testNow` (fractions allowed). */
export function daysAgo(days: number, from: Date = testNow): Date {
  return new Date(from.getTime() - days * dayMs);
}

export async function makeWorkspace(name = "Shop") {
  return createWorkspace({ name });
}

/** A contact created directly in the database (no segment re-check is queued). */
export async function makeContact(
  workspaceId: string,
  fields: {
    email?: string;
    properties?: Record<string, unknown>;
    score?: number;
    consentStatus?: "UNKNOWN" | "PENDING" | "SUBSCRIBED" | "UNSUBSCRIBED";
    birthday?: Date | null;
    createdAt?: Date;
    lastSeenAt?: Date | null;
    tags?: string[];
  } = {},
) {
  const contact = await db().contact.create({
    data: {
      workspaceId,
      email: fields.email ?? `${randomUUID()}@example.com`,
      properties: (fields.properties ?? {}) as object,
      score: fields.score ?? 0,
      consentStatus: fields.consentStatus ?? "UNKNOWN",
      birthday: fields.birthday ?? null,
      createdAt: fields.createdAt ?? daysAgo(100),
      lastSeenAt: fields.lastSeenAt ?? null,
    },
  });
  for (const name of fields.tags ?? []) {
    const tag = await db().tag.upsert({
      where: { workspaceId_name: { workspaceId, name } },
      create: { workspaceId, name },
      update: {},
    });
    await db().contactTag.create({ data: { workspaceId, contactId: contact.id, tagId: tag.id } });
  }
  return contact;
}

/** Stores an event as ingestion would (without queueing its job); returns its id. */
export async function storeEvent(
  workspaceId: string,
  contactId: string | null,
  name: string,
  properties: Record<string, unknown> = {},
  occurredAt: Date = testNow,
): Promise<string> {
  const event = await db().event.create({
    data: {
      workspaceId,
      contactId,
      name,
      properties: properties as object,
      occurredAt,
      messageId: randomUUID(),
    },
  });
  return String(event.id);
}

/**
 * Stores an `Order Completed` event and processes it as the worker would, so its `Order` row
 * exists (the shopping-fact conditions read those); an `order_id` is made up if not given.
 */
export async function storeOrder(
  workspaceId: string,
  contactId: string,
  properties: Record<string, unknown>,
  occurredAt: Date = testNow,
): Promise<string> {
  const id = await storeEvent(
    workspaceId,
    contactId,
    "Order Completed",
    { order_id: randomUUID(), ...properties },
    occurredAt,
  );
  await reactToEvent(id, { now: testNow });
  return id;
}

/** The ids of a segment's current members, sorted. */
export async function memberIds(segmentId: string): Promise<string[]> {
  const rows = await db().segmentMembership.findMany({
    where: { segmentId, isMember: true },
    select: { contactId: true },
  });
  return rows.map((row) => row.contactId).sort();
}

/** Segment Entered / Exited events recorded for a contact, oldest first. */
export async function segmentEvents(contactId: string) {
  return db().event.findMany({
    where: { contactId, name: { in: ["Segment Entered", "Segment Exited"] } },
    orderBy: { id: "asc" },
    select: { name: true, properties: true, messageId: true },
  });
}
