import type { Transaction } from "../../db.ts";
import { compileSegmentQuery } from "../conditions/compile.ts";
import type { SegmentFilter } from "../conditions/filter.ts";
import { segmentEntered, segmentExited } from "../events/event-names.ts";
import { recordInternalEvent } from "../events/record-internal-event.ts";

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
 * @example await syncMemberships(tx, segment, { segments, now: new Date(), currency: "EUR", contactIds: [contactId] })
 */
export async function syncMemberships(
  tx: Transaction,
  segment: SegmentDefinition,
  options: SyncOptions,
): Promise<MembershipChange[]> {
  const target = compileSegmentQuery(segment.filter, {
    workspaceId: segment.workspaceId,
    now: options.now,
    segments: options.segments,
    currency: options.currency,
    ...(options.contactIds && { contactIds: options.contactIds }),
  });
  const values = [...target.values, segment.id, segment.workspaceId, options.now];
  const [seg, ws, now] = [values.length - 2, values.length - 1, values.length].map((n) => `$${n}`);
  let scope = "";
  if (options.contactIds) {
    values.push(options.contactIds);
    scope = `AND m.contact_id = ANY($${values.length}::uuid[])`;
  }
  const rows = await tx.$queryRawUnsafe<
    { contact_id: string; version: number; entered: boolean }[]
  >(
    `WITH target AS (${target.text}),
     entered AS (
       INSERT INTO segment_memberships AS m (segment_id, contact_id, workspace_id, is_member, version, changed_at)
       SELECT ${seg}::uuid, t.id, ${ws}::uuid, true, 1, ${now}::timestamptz FROM target t
        WHERE NOT EXISTS (SELECT 1 FROM segment_memberships x
                           WHERE x.segment_id = ${seg}::uuid AND x.contact_id = t.id AND x.is_member)
       ON CONFLICT (segment_id, contact_id) DO UPDATE
          SET is_member = true, version = m.version + 1, changed_at = excluded.changed_at
        WHERE NOT m.is_member
       RETURNING m.contact_id, m.version, true AS entered),
     exited AS (
       UPDATE segment_memberships m SET is_member = false, version = m.version + 1, changed_at = ${now}::timestamptz
        WHERE m.segment_id = ${seg}::uuid AND m.is_member ${scope}
          AND NOT EXISTS (SELECT 1 FROM target t WHERE t.id = m.contact_id)
       RETURNING m.contact_id, m.version, false AS entered)
     SELECT contact_id::text, version, entered FROM entered
     UNION ALL SELECT contact_id::text, version, entered FROM exited`,
    ...values,
  );
  const changes = rows.map((row) => ({
    segmentId: segment.id,
    contactId: row.contact_id,
    entered: row.entered,
    version: Number(row.version),
  }));
  if (options.recordEvents !== false) {
    for (const change of changes) await recordMembershipEvent(tx, segment, change, options.now);
  }
  return changes;
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
