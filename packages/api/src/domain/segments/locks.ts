import type { Transaction } from "../../db.ts";

/*
 * Two advisory locks keep segment upkeep true under concurrency, always taken in this order
 * and before any membership row:
 * - a workspace's definitions lock: saving, changing or deleting a segment holds it exclusively,
 *   anything that applies definitions (a full refresh, a per-contact re-check) holds it shared
 *   from before it reads them until it commits, so no one applies a filter that is being
 *   replaced and a change waits for the refreshes in flight;
 * - a segment's membership lock: a full refresh holds it exclusively, a per-contact re-check
 *   shared, so a refresh (which reads every contact at one moment) never overwrites a flip
 *   that an event made meanwhile, while events for different contacts still run side by side.
 */

/** Holds the workspace's segment definitions for a change to them, until commit. */
export async function lockSegmentDefinitions(tx: Transaction, workspaceId: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${definitionsKey(workspaceId)}, 0))`;
}

/** Holds the workspace's segment definitions unchanged while they are applied, until commit. */
export async function shareSegmentDefinitions(tx: Transaction, workspaceId: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtextextended(${definitionsKey(workspaceId)}, 0))`;
}

/**
 * Takes the definitions lock shared and the segment's membership lock, exclusively for a
 * full refresh (`scope: "all"`) or shared for some contacts, until commit.
 */
export async function lockMemberships(
  tx: Transaction,
  segment: { id: string; workspaceId: string },
  scope: "all" | "contacts",
) {
  const definitions = definitionsKey(segment.workspaceId);
  const memberships = `segment-memberships:${segment.id}`;
  if (scope === "all") {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtextextended(${definitions}, 0)),
                                pg_advisory_xact_lock(hashtextextended(${memberships}, 0))`;
  } else {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtextextended(${definitions}, 0)),
                                pg_advisory_xact_lock_shared(hashtextextended(${memberships}, 0))`;
  }
}

function definitionsKey(workspaceId: string) {
  return `segments:${workspaceId}`;
}
