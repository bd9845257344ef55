import type { Transaction } from "../../db.ts";

/** A page view or browser order as `reactToEvent` hands it over. */
export interface VisitEvent {
  eventId: string;
  workspaceId: string;
  contactId: string | null;
  anonymousId: string | null;
  name: string;
  occurredAt: Date;
}

/** The visitor a page view belongs to: its browser, else (a backend's page view) its contact. */
export function visitorOf(event: Pick<VisitEvent, "contactId" | "anonymousId">): string | null {
  if (event.anonymousId) return `a:${event.anonymousId}`;
  return event.contactId ? `c:${event.contactId}` : null;
}

/**
 * Keeps the visits (`visitor_sessions`) as `Page Viewed` events arrive, in any order: a view
 * within 30 minutes of a visit joins it, one that bridges two visits merges them, any other
 * starts a visit (`cartwheel_record_visit`, one round trip, under a lock per visitor; a visit
 * ends 30 minutes after its last view, a figure the SQL functions hold). A visit
 * has converted when an order of its contact (the orders trigger marks those as they are
 * written) or an `Order Completed` from its browser came before 30 minutes after its last view
 * (`cartwheel_convert_visits`; a browser's own report counts only while the workspace counts
 * unverified orders). Handling the same event again changes nothing. Other events cost nothing.
 *
 * @example await recordVisit(tx, { eventId: "42", workspaceId, contactId, anonymousId: "a1", name: "Page Viewed", occurredAt })
 */
export async function recordVisit(tx: Transaction, event: VisitEvent): Promise<void> {
  const visitor = visitorOf(event);
  if (!visitor) return;
  if (event.name === "Order Completed") {
    await tx.$executeRaw`
      SELECT cartwheel_convert_visits(${event.workspaceId}::uuid, ARRAY[${event.eventId}::bigint])`;
  } else if (event.name === "Page Viewed") {
    await tx.$executeRaw`
      SELECT cartwheel_record_visit(${event.workspaceId}::uuid, ${visitor}, ${event.contactId}::uuid,
                                    ${event.anonymousId}, ${event.occurredAt}::timestamptz)`;
  }
}
