import type { Transaction } from "../../db.ts";
import { Prisma } from "../../generated/prisma/client.ts";

/** A visit ends after this long without a page view (the SQL of the migration says 30 too). */
export const sessionGapMinutes = 30;

const gap = Prisma.sql`make_interval(mins => ${sessionGapMinutes})`;

/** A page view or browser order as `reactToEvent` hands it over. */
export interface VisitEvent {
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

interface NearVisit {
  id: bigint;
  started_at: Date;
  last_view_at: Date;
  contact_id: string | null;
  converted: boolean;
}

/**
 * Keeps the visits (`visitor_sessions`) as `Page Viewed` events arrive, in any order: a view
 * within 30 minutes of a visit joins it, one that bridges two visits merges them, any other
 * starts a visit. A visit has converted when an order of its contact (the orders trigger marks
 * those as they are written) or an `Order Completed` from its browser came before 30 minutes
 * after its last view. Handling the same event again changes nothing. Other events cost nothing.
 *
 * @example await recordVisit(tx, { workspaceId, contactId, anonymousId: "a1", name: "Page Viewed", occurredAt })
 */
export async function recordVisit(tx: Transaction, event: VisitEvent): Promise<void> {
  const visitor = visitorOf(event);
  if (!visitor) return;
  const workspace = Prisma.sql`${event.workspaceId}::uuid`;
  const at = Prisma.sql`${event.occurredAt}::timestamptz`;
  if (event.name === "Order Completed") {
    await tx.$executeRaw`
      UPDATE visitor_sessions SET converted = true
       WHERE workspace_id = ${workspace} AND visitor = ${visitor}
         AND started_at <= ${at} AND last_view_at + ${gap} > ${at} AND NOT converted`;
    return;
  }
  if (event.name !== "Page Viewed") return;
  // One visitor's views are folded one at a time (anonymous events hold no contact lock).
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`visit:${event.workspaceId}:${visitor}`}, 0))`;
  const near = await tx.$queryRaw<NearVisit[]>`
    SELECT id, started_at, last_view_at, contact_id::text, converted FROM visitor_sessions
     WHERE workspace_id = ${workspace} AND visitor = ${visitor}
       AND started_at < ${at} + ${gap} AND last_view_at > ${at} - ${gap}
     ORDER BY started_at`;
  const [kept, ...merged] = near;
  if (!kept) {
    await tx.$executeRaw`
      INSERT INTO visitor_sessions (workspace_id, visitor, contact_id, anonymous_id, started_at, last_view_at, converted)
      VALUES (${workspace}, ${visitor}, ${event.contactId}::uuid, ${event.anonymousId}, ${at}, ${at},
              ${convertedSql(event.workspaceId, event.contactId, event.anonymousId, event.occurredAt, event.occurredAt)})`;
    return;
  }
  const startedAt = new Date(Math.min(kept.started_at.getTime(), event.occurredAt.getTime()));
  const lastViewAt = new Date(
    Math.max(event.occurredAt.getTime(), ...near.map((visit) => visit.last_view_at.getTime())),
  );
  const contactId =
    near.find((visit) => visit.contact_id)?.contact_id ?? event.contactId ?? kept.contact_id;
  if (
    merged.length === 0 &&
    startedAt.getTime() === kept.started_at.getTime() &&
    lastViewAt.getTime() === kept.last_view_at.getTime() &&
    contactId === kept.contact_id
  ) {
    return; // already folded in (the same event handled again, or a view inside the visit)
  }
  if (merged.length > 0) {
    await tx.$executeRaw`
      DELETE FROM visitor_sessions
       WHERE workspace_id = ${workspace} AND id = ANY(${merged.map((visit) => visit.id)}::bigint[])`;
  }
  const wasConverted = near.some((visit) => visit.converted);
  await tx.$executeRaw`
    UPDATE visitor_sessions
       SET started_at = ${startedAt}, last_view_at = ${lastViewAt}, contact_id = ${contactId}::uuid,
           converted = ${wasConverted} OR ${convertedSql(event.workspaceId, contactId, event.anonymousId, startedAt, lastViewAt)}
     WHERE workspace_id = ${workspace} AND id = ${kept.id}`;
}

/** Whether an order of the contact or an `Order Completed` of the browser falls in the visit. */
function convertedSql(
  workspaceId: string,
  contactId: string | null,
  anonymousId: string | null,
  startedAt: Date,
  lastViewAt: Date,
): Prisma.Sql {
  const from = Prisma.sql`${startedAt}::timestamptz`;
  const until = Prisma.sql`${lastViewAt}::timestamptz + ${gap}`;
  return Prisma.sql`(EXISTS (
      SELECT 1 FROM orders o WHERE o.workspace_id = ${workspaceId}::uuid AND o.contact_id = ${contactId}::uuid
         AND o.ordered_at >= ${from} AND o.ordered_at < ${until})
    OR EXISTS (
      SELECT 1 FROM events oc WHERE oc.workspace_id = ${workspaceId}::uuid AND oc.name = 'Order Completed'
         AND oc.anonymous_id = ${anonymousId} AND oc.occurred_at >= ${from} AND oc.occurred_at < ${until}))`;
}
