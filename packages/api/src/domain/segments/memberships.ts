import type { Transaction } from "../../db.ts";
import { compileSegmentQuery } from "../conditions/compile.ts";
import { referencedSegments } from "../conditions/dependencies.ts";
import type { SegmentFilter } from "../conditions/filter.ts";
import { segmentEntered, segmentExited } from "../events/event-names.ts";
import { recordInternalEvent } from "../events/record-internal-event.ts";
import { StaleSegmentDefinitionError } from "./errors.ts";
import { lockMemberships } from "./locks.ts";

/** A segment as membership upkeep needs it. */
export interface SegmentDefinition {
  id: string;
  workspaceId: string;
  name: string;
  filter: SegmentFilter;
}

export interface MembershipChange {
  segmentId: string;
  contactId: string;
  entered: boolean;
  /** Counts the contact's entries and exits of this segment; keys the recorded event. */
  version: number;
}

export interface SyncOptions {
  /** The workspace's segment filters by id, for `inSegment`. */
  segments: ReadonlyMap<string, SegmentFilter>;
  now: Date;
  /** The workspace's shop currency, for money metrics (`loadWorkspaceCurrency`). */
  currency: string;
  /** Re-check only these contacts; every contact when left out. */
  contactIds?: readonly string[];
  /** Record Segment Entered / Exited events for the changes. Default true. */
  recordEvents?: boolean;
}

/**
 * Brings a segment's membership rows in line with its filter in one statement: the compiled
 * query names who belongs, rows are inserted or flipped for those who entered and flipped for
 * those who left, and (unless `recordEvents` is false) each change is recorded as a
 * Segment Entered / Exited event in the same transaction. Safe to repeat: a second run finds
 * nothing to change.
 *
 * Holds the locks of `locks.ts` to commit (the segment's membership lock exclusively when
 * every contact is re-checked), and applies `segment` only while it and every segment it
 * includes still have the filters given: a definition read before a change committed throws
 * StaleSegmentDefinitionError and changes nothing. Callers that take `shareSegmentDefinitions`
 * before reading the definitions never see it.
 *
 * @example await syncMemberships(tx, segment, { segments, now: new Date(), currency: "EUR", contactIds: [contactId] })
 */
export async function syncMemberships(
  tx: Transaction,
  segment: SegmentDefinition,
  options: SyncOptions,
): Promise<MembershipChange[]> {
  await lockMemberships(tx, segment, options.contactIds ? "contacts" : "all");
  const applied = appliedDefinitions(segment, options.segments);
  const target = compileSegmentQuery(segment.filter, {
    workspaceId: segment.workspaceId,
    now: options.now,
    segments: options.segments,
    currency: options.currency,
    ...(options.contactIds && { contactIds: options.contactIds }),
  });
  const values = [
    ...target.values,
    segment.id,
    segment.workspaceId,
    options.now,
    JSON.stringify(Object.fromEntries(applied)),
  ];
  const [seg, ws, now, defs] = [3, 2, 1, 0].map((back) => `$${values.length - back}`);
  let scope = "";
  if (options.contactIds) {
    values.push(options.contactIds);
    scope = `AND m.contact_id = ANY($${values.length}::uuid[])`;
  }
  const rows = await tx.$queryRawUnsafe<
    { contact_id: string | null; version: number; entered: boolean; current: boolean }[]
  >(
    `WITH current AS (
       SELECT count(*) = ${applied.size} AS ok FROM segments s
        WHERE s.workspace_id = ${ws}::uuid AND s.filter = (${defs}::jsonb -> s.id::text)),
     target AS (${target.text}),
     entered AS (
       INSERT INTO segment_memberships AS m (segment_id, contact_id, workspace_id, is_member, version, changed_at)
       SELECT ${seg}::uuid, t.id, ${ws}::uuid, true, 1, ${now}::timestamptz FROM target t
        WHERE (SELECT ok FROM current) AND NOT EXISTS (SELECT 1 FROM segment_memberships x
                           WHERE x.segment_id = ${seg}::uuid AND x.contact_id = t.id AND x.is_member)
       ON CONFLICT (workspace_id, segment_id, contact_id) DO UPDATE
          SET is_member = true, version = m.version + 1, changed_at = excluded.changed_at
        WHERE NOT m.is_member
       RETURNING m.contact_id, m.version, true AS entered),
     exited AS (
       UPDATE segment_memberships m SET is_member = false, version = m.version + 1, changed_at = ${now}::timestamptz
        WHERE m.segment_id = ${seg}::uuid AND m.is_member ${scope}
          AND (SELECT ok FROM current)
          AND NOT EXISTS (SELECT 1 FROM target t WHERE t.id = m.contact_id)
       RETURNING m.contact_id, m.version, false AS entered)
     SELECT contact_id::text, version, entered, true AS current FROM entered
     UNION ALL SELECT contact_id::text, version, entered, true FROM exited
     UNION ALL SELECT NULL, 0, false, false FROM current WHERE NOT ok`,
    ...values,
  );
  if (rows.some((row) => !row.current)) throw new StaleSegmentDefinitionError(segment.id);
  const changes = rows.map((row) => ({
    segmentId: segment.id,
    contactId: row.contact_id as string,
    entered: row.entered,
    version: Number(row.version),
  }));
  if (options.recordEvents !== false) {
    for (const change of changes) await recordMembershipEvent(tx, segment, change, options.now);
  }
  return changes;
}

/** The filters `segment` is evaluated with: its own and those of the segments it includes, at any depth. */
function appliedDefinitions(
  segment: SegmentDefinition,
  segments: ReadonlyMap<string, SegmentFilter>,
): Map<string, SegmentFilter> {
  const applied = new Map<string, SegmentFilter>([[segment.id, segment.filter]]);
  const visit = (filter: SegmentFilter) => {
    for (const id of referencedSegments(filter)) {
      const included = segments.get(id);
      if (applied.has(id) || !included) continue;
      applied.set(id, included);
      visit(included);
    }
  };
  visit(segment.filter);
  return applied;
}

function recordMembershipEvent(
  tx: Transaction,
  segment: SegmentDefinition,
  change: MembershipChange,
  now: Date,
) {
  const name = change.entered ? segmentEntered : segmentExited;
  return recordInternalEvent(tx, {
    workspaceId: segment.workspaceId,
    contactId: change.contactId,
    name,
    properties: { segment_id: segment.id, segment_name: segment.name },
    occurredAt: now,
    idempotencyKey: `${change.entered ? "segment-entered" : "segment-exited"}:${segment.id}:${change.contactId}:${change.version}`,
  });
}
