import { createHash } from "node:crypto";
import { withTransaction } from "../../db.ts";
import { batchJobSpecSql, jobSpecSql } from "../jobs/add-job.ts";
import type { IngestEvent } from "./event-input.ts";

/** Under a burst, a batch waits for a connection rather than fail: the pool is the queue. */
const ingestTransaction = { maxWaitMs: 60_000 } as const;

export interface RecordedEvents {
  /** Events stored by this call, each in the batch's `process_events` job. */
  accepted: number;
  /** Events already stored earlier (a retried delivery) or repeated within the batch. */
  duplicates: number;
}

interface EventRow {
  contact_id: string | null;
  anonymous_id: string | null;
  name: string;
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
  occurred_at: string;
  message_id: string;
  from_browser: boolean;
}

/**
 * Stores valid events exactly once and hands each new one to the worker, all in one
 * transaction: `(workspace_id, message_id)` is unique, so a retried batch stores nothing new,
 * and every stored event is an entry of the batch's one `process_events` job (neither exists
 * without the other).
 *
 * Identity: an event with a userId belongs to that user's contact (`contactsByUserId`) and
 * links its anonymousId to it; the link attaches the anonymous id's earlier events and every
 * later one. Batches touching the same anonymous id are serialised with advisory locks, so an
 * identify and a concurrent batch of the same browser can never leave events unattached.
 *
 * @example recordEvents(workspaceId, events, new Map([["ada@example.com", contactId]]))
 */
export async function recordEvents(
  workspaceId: string,
  events: readonly IngestEvent[],
  contactsByUserId: ReadonlyMap<string, string>,
  receivedAt = new Date(),
): Promise<RecordedEvents> {
  const seen = new Set<string>();
  const unique = events.filter((event) => !seen.has(event.messageId) && seen.add(event.messageId));
  if (unique.length === 0) return { accepted: 0, duplicates: events.length };
  const accepted = await withTransaction(async (tx) => {
    const anonymousIds = [...new Set(unique.flatMap((event) => event.anonymousId ?? []))];
    // The keys are numbers computed here, so the statement carries no user text.
    const locks = lockStatement(workspaceId, anonymousIds);
    if (locks) await tx.$executeRawUnsafe(locks);
    const rows: EventRow[] = [];
    const linkedInBatch = new Map<string, string>();
    const linksByMessageId = new Map<string, [anonymousId: string, contactId: string]>();
    for (const event of unique) {
      const userContact = event.userId ? contactsByUserId.get(event.userId) : undefined;
      if (userContact && event.anonymousId) {
        linkedInBatch.set(event.anonymousId, userContact);
        linksByMessageId.set(event.messageId, [event.anonymousId, userContact]);
      }
      rows.push({
        // Null here means "whoever the anonymous id is known as": the INSERT looks it up.
        contact_id:
          userContact ?? (event.anonymousId && linkedInBatch.get(event.anonymousId)) ?? null,
        anonymous_id: event.anonymousId,
        name: event.name,
        properties: event.properties,
        context: event.context,
        occurred_at: event.occurredAt.toISOString(),
        message_id: event.messageId,
        from_browser: event.fromBrowser,
      });
    }
    const inserted = await tx.$queryRawUnsafe<
      { id: string; message_id: string; job_entries: number }[]
    >(insertEventsWithJobSql, workspaceId, JSON.stringify(rows), receivedAt);
    const stored = inserted.filter((row) => row.id !== null);
    if (inserted[0] && inserted[0].job_entries !== stored.length) {
      throw new Error(
        `enqueued ${inserted[0].job_entries} job entries for ${stored.length} events`,
      );
    }
    // Only links from events stored now: a late retry of an old identify must not undo a newer one.
    const links = new Map(
      stored.flatMap((row) => {
        const link = linksByMessageId.get(row.message_id);
        return link ? [link] : [];
      }),
    );
    if (links.size > 0) {
      const linkArgs = [workspaceId, [...links.keys()], [...links.values()]];
      await tx.$executeRawUnsafe(linkAnonymousIdsSql, ...linkArgs);
      await tx.$queryRawUnsafe(attachAnonymousHistorySql, ...linkArgs);
    }
    return stored.length;
  }, ingestTransaction);
  return { accepted, duplicates: events.length - accepted };
}

/**
 * Transaction-scoped advisory locks on `(workspace, anonymous id)`, one 64-bit key each, taken
 * in sorted order so two batches locking overlapping ids cannot deadlock. A hash collision
 * only makes two unrelated browsers wait for each other.
 */
function lockStatement(workspaceId: string, anonymousIds: string[]): string {
  const keys = anonymousIds
    .map((id) => createHash("sha256").update(`${workspaceId}:${id}`).digest().readBigInt64BE(0))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (keys.length === 0) return "";
  return `SELECT pg_advisory_xact_lock(lock_key) FROM unnest('{${keys.join(",")}}'::bigint[]) AS lock_key`;
}

/**
 * Stores the new events and enqueues one `process_events` batch job naming every stored event,
 * in one statement. Events without a contact take the one their anonymous id is linked to.
 * Returns one row per stored event with the number of entries of the job enqueued (a single
 * null row if none).
 */
const insertEventsWithJobSql = `
  WITH inserted AS (
    INSERT INTO events (workspace_id, contact_id, anonymous_id, name, properties, context,
                        occurred_at, received_at, message_id, from_browser)
    SELECT $1::uuid, coalesce(r.contact_id, identity.contact_id), r.anonymous_id, r.name,
           r.properties, r.context, r.occurred_at, $3::timestamptz, r.message_id, r.from_browser
      FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (contact_id uuid, anonymous_id text,
             name text, properties jsonb, context jsonb, occurred_at timestamptz,
             message_id text, from_browser boolean)) WITH ORDINALITY
           AS r(contact_id, anonymous_id, name, properties, context, occurred_at, message_id,
                from_browser, position)
      LEFT JOIN anonymous_identities identity
        ON identity.workspace_id = $1::uuid AND identity.anonymous_id = r.anonymous_id
     ORDER BY r.position
    ON CONFLICT (workspace_id, message_id) DO NOTHING
    RETURNING id, message_id
  ), spec AS (
    SELECT ${batchJobSpecSql("process_events", { eventId: "id::text" }, "id")} AS spec
      FROM inserted
  ), queued AS (
    SELECT CASE WHEN (spec).identifier IS NOT NULL
                THEN (SELECT json_array_length(job.payload)
                        FROM graphile_worker.add_jobs(ARRAY[spec]) AS job)
                ELSE 0 END AS job_entries
      FROM spec
  )
  SELECT inserted.id::text, inserted.message_id, queued.job_entries
    FROM queued LEFT JOIN inserted ON true`;

const linkAnonymousIdsSql = `
  INSERT INTO anonymous_identities AS i (workspace_id, anonymous_id, contact_id)
  SELECT $1::uuid, link.anonymous_id, link.contact_id
    FROM unnest($2::text[], $3::uuid[]) AS link(anonymous_id, contact_id)
  ON CONFLICT (workspace_id, anonymous_id) DO UPDATE
     SET contact_id = EXCLUDED.contact_id, updated_at = now()
   WHERE i.contact_id <> EXCLUDED.contact_id`;

/**
 * Earlier anonymous events join the contact; events another contact already owns stay. Each
 * attached event is handed to `process_event` again: it did nothing while anonymous, and now
 * scores, segments and scenario triggers see it (an abandoned cart begun before the shopper
 * identified at checkout). Rules apply once per event and a trigger starts a scenario once
 * per event, so nothing counts twice even when its first job had not run yet.
 */
const attachAnonymousHistorySql = `
  WITH attached AS (
    UPDATE events e SET contact_id = link.contact_id
      FROM unnest($2::text[], $3::uuid[]) AS link(anonymous_id, contact_id)
     WHERE e.workspace_id = $1::uuid AND e.anonymous_id = link.anonymous_id AND e.contact_id IS NULL
    RETURNING e.id
  ), specs AS (
    SELECT ARRAY(SELECT ${jobSpecSql("process_event", { eventId: "id::text" })} FROM attached ORDER BY id) AS specs
  )
  SELECT CASE WHEN cardinality(specs) > 0
              THEN (SELECT count(*) FROM graphile_worker.add_jobs(specs))::int ELSE 0 END AS jobs
    FROM specs`;
