import { type Transaction, withTransaction } from "../../db.ts";
import { recordVisit } from "../analytics/visitor-sessions.ts";
import { lockContact } from "../contacts/lock-contact.ts";
import {
  reactToEventInScenarios,
  type ScenarioReaction,
  startScoreCrossingRuns,
} from "../scenarios/triggers/react-to-event.ts";
import { applyScoringRules } from "../scores/apply-rules.ts";
import { refreshSegmentsForContacts } from "../segments/incremental.ts";
import type { MembershipChange } from "../segments/memberships.ts";
import { recordShoppingFacts, type ShoppingFacts } from "./record-shopping-facts.ts";

/** The event `reactToEvent` handled, and what it changed. */
export interface EventReaction {
  eventId: string;
  workspaceId: string;
  contactId: string | null;
  name: string;
  occurredAt: Date;
  /** Whether a scoring rule changed the contact's score. */
  scoreChanged: boolean;
  /** Segments the contact entered or left. */
  memberships: MembershipChange[];
  /** Scenario runs the event ended, resumed or started. */
  scenarios: ScenarioReaction;
  /** Stub products it made and the order and cart it wrote. */
  shopping: ShoppingFacts;
}

interface StoredEvent {
  eventId: string;
  workspaceId: string;
  contactId: string | null;
  anonymousId: string | null;
  name: string;
  occurredAt: Date;
  properties: Record<string, unknown>;
  activity: boolean;
  fromBrowser: boolean;
}

/**
 * Everything a stored event causes, in one transaction that holds its contact's row lock, so
 * one contact's events are handled one at a time and a retry after a crash finds each effect
 * applied once or not at all:
 * 0. the catalog and orders learn from it: unknown products become stubs, order events create
 *    or move their order (`recordShoppingFacts`), and page views fold into the visitor's visits
 *    (`recordVisit`); this happens for anonymous events too, after the contact's lock and before
 *    the steps below, so they see the order;
 * 1. the contact's last-seen time moves forward (never back, as late events arrive out of
 *    order), when the event was the contact's own activity rather than one Cartwheel recorded
 *    about them (a segment entered, a bounce);
 * 2. the scoring rules for its name apply (once per rule and event);
 * 3. the segments that can depend on it (or on the order it wrote) are re-checked for this contact;
 * 4. its scenarios: goals and exits end runs, waits for it resume, triggers start runs (and a
 *    score the rules lifted across a threshold starts the score-triggered ones);
 * and next, as a peer here, order attribution.
 * Events without a contact (anonymous ones) change nothing beyond step 0. Returns null when the event no
 * longer exists (its contact was erased before the job ran), so such a job ends quietly.
 *
 * @example await reactToEvent("42") // → { eventId: "42", name: "Page Viewed", scoreChanged: false, memberships: [] }
 */
export async function reactToEvent(
  eventId: string,
  options: { now?: Date; tx?: Transaction } = {},
): Promise<EventReaction | null> {
  if (!/^\d{1,19}$/.test(eventId)) throw new Error(`"${eventId}" is not an event id`);
  const now = options.now ?? new Date();
  return withTransaction(async (tx) => {
    const [event] = await tx.$queryRaw<StoredEvent[]>`
      SELECT id::text AS "eventId", workspace_id::text AS "workspaceId", contact_id::text AS "contactId",
             anonymous_id AS "anonymousId", name, occurred_at AS "occurredAt", properties,
             context->>'source' IS DISTINCT FROM 'cartwheel' OR context->>'activity' = 'true' AS activity,
             from_browser AS "fromBrowser"
        FROM events WHERE id = ${eventId}::bigint`;
    if (!event) return null;
    const { activity, properties, anonymousId, fromBrowser, ...handled } = event;
    const reaction: EventReaction = {
      ...handled,
      scoreChanged: false,
      memberships: [],
      scenarios: { ended: [], resumed: [], started: [] },
      shopping: { productStubs: 0, orderId: null, cartId: null, uncountedOrder: false },
    };
    const contactId = event.contactId;
    // The contact's lock comes first: its orders are written after it, as upsertOrders does.
    if (contactId && !(await lockContact(tx, event.workspaceId, contactId))) return reaction;
    reaction.shopping = await recordShoppingFacts(tx, {
      id: event.eventId,
      workspaceId: event.workspaceId,
      contactId,
      name: event.name,
      occurredAt: event.occurredAt,
      properties,
      fromBrowser,
    });
    await recordVisit(tx, { ...handled, anonymousId });
    if (!contactId) return reaction;
    if (activity) {
      await tx.$executeRaw`
        UPDATE contacts SET last_seen_at = ${event.occurredAt}::timestamptz
         WHERE workspace_id = ${event.workspaceId}::uuid AND id = ${contactId}::uuid
           AND (last_seen_at IS NULL OR last_seen_at < ${event.occurredAt}::timestamptz)`;
    }
    // An order that does not count does not score either.
    const score = reaction.shopping.uncountedOrder
      ? null
      : await applyScoringRules(tx, {
          id: event.eventId,
          workspaceId: event.workspaceId,
          contactId,
          name: event.name,
          occurredAt: event.occurredAt,
        });
    reaction.scoreChanged = score !== null;
    reaction.memberships = await refreshSegmentsForContacts(
      tx,
      event.workspaceId,
      [contactId],
      {
        kind: "event",
        eventName: event.name,
        scoreChanged: reaction.scoreChanged,
        ordersChanged: reaction.shopping.orderId !== null,
      },
      now,
    );
    reaction.scenarios = await reactToEventInScenarios(
      tx,
      {
        id: event.eventId,
        workspaceId: event.workspaceId,
        contactId,
        name: event.name,
        occurredAt: event.occurredAt,
        properties,
      },
      now,
    );
    if (score) {
      reaction.scenarios.started.push(
        ...(await startScoreCrossingRuns(tx, {
          workspaceId: event.workspaceId,
          contactId,
          ...score,
          now,
        })),
      );
    }
    return reaction;
  }, options);
}
