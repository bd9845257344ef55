import type { Transaction } from "../../db.ts";
import { type FilterDependencies, filterDependencies } from "../conditions/dependencies.ts";
import { segmentEventNames } from "../events/event-names.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { shareSegmentDefinitions } from "./locks.ts";
import { type MembershipChange, syncMemberships } from "./memberships.ts";
import { loadSegmentDefinitions } from "./segments.ts";

/**
 * What happened to one contact: an event (which may have moved the score, and written one of
 * the contact's orders), a change of contact data, of the score, or of the contact's orders
 * without an event (`upsertOrders`, an order moving to another contact).
 */
export type ContactChange =
  | { kind: "event"; eventName: string; scoreChanged: boolean; ordersChanged?: boolean }
  | { kind: "contactData" }
  | { kind: "score" }
  | { kind: "orders" };

/** Whether a change to one contact can change its membership of a segment with `deps`. */
export function dependsOn(deps: FilterDependencies, change: ContactChange): boolean {
  switch (change.kind) {
    case "contactData":
      return deps.contactData;
    case "score":
      return deps.score;
    case "orders":
      return deps.orders;
    case "event":
      return (
        deps.eventNames.has(change.eventName) ||
        (deps.anyEvent && !(segmentEventNames as readonly string[]).includes(change.eventName)) ||
        deps.lastSeen ||
        (change.scoreChanged && deps.score) ||
        (change.ordersChanged === true && deps.orders)
      );
  }
}

/**
 * Re-checks, for the given contacts only, the segments whose conditions can depend on
 * `change` (an event's name, contact data, the score, the orders), recording Segment Entered / Exited
 * for each change, in the caller's transaction. Each segment is one statement over those
 * contacts. The definitions are read and applied under the workspace's definitions lock
 * (shared) and each segment's membership lock (shared), so a segment saved or refreshed in
 * full meanwhile is waited for (`locks.ts`).
 *
 * @example await refreshSegmentsForContacts(tx, workspaceId, [contactId], { kind: "event", eventName: "Order Completed", scoreChanged: false }, new Date())
 */
export async function refreshSegmentsForContacts(
  tx: Transaction,
  workspaceId: string,
  contactIds: readonly string[],
  change: ContactChange,
  now: Date,
): Promise<MembershipChange[]> {
  if (contactIds.length === 0) return [];
  await shareSegmentDefinitions(tx, workspaceId);
  const { definitions, filters } = await loadSegmentDefinitions(tx, workspaceId);
  const dependent = definitions.filter((segment) =>
    dependsOn(filterDependencies(segment.filter, filters), change),
  );
  if (dependent.length === 0) return [];
  const currency = await loadWorkspaceCurrency(tx, workspaceId);
  const changes: MembershipChange[] = [];
  for (const segment of dependent) {
    changes.push(
      ...(await syncMemberships(tx, segment, { segments: filters, now, contactIds, currency })),
    );
  }
  return changes;
}
