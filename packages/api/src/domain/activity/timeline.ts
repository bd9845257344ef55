import { z } from "zod";
import { db } from "../../db.ts";
import { type Event, Prisma } from "../../generated/prisma/client.ts";
import { InvalidInputError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import {
  decodeTimelineCursor,
  encodeTimelineCursor,
  type TimelinePosition,
} from "./timeline-cursor.ts";
import {
  type MessageActivity,
  sourceSelects,
  type TimelineSource,
  timelineSources,
} from "./timeline-sources.ts";

export const timelinePageSizes = { default: 50, max: 200 } as const;

const timelineQuery = z.object({
  sources: z.array(z.enum(timelineSources)),
  since: z.date().optional(),
  until: z.date().optional(),
  first: z.number().int().min(0).max(timelinePageSizes.max).optional(),
  last: z.number().int().min(0).max(timelinePageSizes.max).optional(),
  after: z.string().optional(),
  before: z.string().optional(),
});

/**
 * Which part of a timeline to read: the sources the caller may see, a window (`since`
 * inclusive, `until` exclusive) and a Relay page (`first`/`after` forwards, newest first, or
 * `last`/`before` backwards). Default: the newest 50.
 */
export type TimelineQuery = z.input<typeof timelineQuery>;

interface Entry<S extends TimelineSource, D> {
  source: S;
  key: string;
  at: Date;
  cursor: string;
  data: D;
}

export type TimelineEntry =
  | Entry<"EVENT", Event>
  | Entry<
      "MESSAGE",
      {
        activity: MessageActivity;
        messageId: string;
        templateId: string | null;
        templateName: string | null;
        subject: string | null;
        bounceType: string | null;
      }
    >
  | Entry<
      "SCENARIO_STEP",
      {
        scenarioId: string;
        scenarioName: string;
        runId: string;
        seq: number;
        nodeId: string;
        nodeKind: string;
        output: string | null;
        reason: string | null;
        leftAt: Date | null;
        messageId: string | null;
      }
    >
  | Entry<
      "SCORE_CHANGE",
      {
        kind: "RULE" | "MANUAL" | "DECAY";
        delta: number;
        scoreAfter: number;
        reason: string;
        ruleId: string | null;
        eventId: string | null;
      }
    >;

export interface TimelinePage {
  entries: TimelineEntry[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/**
 * A contact's timeline, newest first: its events (internal ones such as Segment Entered
 * included), what happened to its messages, the scenario steps it took and its score changes,
 * from the `sources` given only. One UNION ALL ordered by (at, key) with a keyset cursor: each
 * source reads at most a page past the cursor, so long histories are never loaded whole.
 * Bad pages, windows or cursors throw `InvalidInputError` naming the argument.
 *
 * @example await listTimeline(workspaceId, contactId, { sources: ["EVENT", "MESSAGE"], first: 20 })
 */
export async function listTimeline(
  workspaceId: string,
  contactId: string,
  rawQuery: TimelineQuery,
): Promise<TimelinePage> {
  const query = parseInput(timelineQuery, rawQuery);
  if (query.since && query.until && query.since >= query.until) {
    throw InvalidInputError.field(["until"], "must be after since");
  }
  if (query.first !== undefined && query.last !== undefined) {
    throw InvalidInputError.field(["last"], "cannot be combined with first");
  }
  const backwards =
    query.last !== undefined || (query.before !== undefined && query.first === undefined);
  const size = (backwards ? query.last : query.first) ?? timelinePageSizes.default;
  const after = query.after === undefined ? null : decodeTimelineCursor(query.after, ["after"]);
  const before = query.before === undefined ? null : decodeTimelineCursor(query.before, ["before"]);
  const sources = [...new Set(query.sources)];
  if (size === 0 || sources.length === 0 || !isUuid(contactId)) {
    return { entries: [], hasNextPage: false, hasPreviousPage: false };
  }

  // Newest first reads downwards from `after`; a backwards page reads upwards from `before`.
  const direction = Prisma.raw(backwards ? "ASC" : "DESC");
  const conditions = [
    query.since && Prisma.sql`entry.at >= ${query.since}`,
    query.until && Prisma.sql`entry.at < ${query.until}`,
    after && olderThan(after),
    before && newerThan(before),
  ].filter((condition): condition is Prisma.Sql => Boolean(condition));
  const where = conditions.length ? Prisma.join(conditions, " AND ") : Prisma.sql`TRUE`;
  const selects = sourceSelects(workspaceId, contactId);
  const branches = sources.map(
    (source) => Prisma.sql`(
      SELECT * FROM (${selects[source]}) entry WHERE ${where}
       ORDER BY entry.at ${direction}, entry.key ${direction} LIMIT ${size + 1})`,
  );
  const rows = await db().$queryRaw<
    { source: TimelineSource; key: string; at: Date; data: object }[]
  >`
    SELECT source, key, at, data FROM (${Prisma.join(branches, " UNION ALL ")}) entries
     ORDER BY at ${direction}, key COLLATE "C" ${direction} LIMIT ${size + 1}`;

  const more = rows.length > size;
  const page = rows.slice(0, size).map(toEntry);
  if (backwards) page.reverse();
  return {
    entries: page,
    hasNextPage: backwards ? before !== null : more,
    hasPreviousPage: backwards ? more : after !== null,
  };
}

function olderThan(position: TimelinePosition) {
  return Prisma.sql`entry.at <= ${position.at}
    AND (entry.at, entry.key COLLATE "C") < (${position.at}::timestamptz, ${position.key}::text)`;
}

function newerThan(position: TimelinePosition) {
  return Prisma.sql`entry.at >= ${position.at}
    AND (entry.at, entry.key COLLATE "C") > (${position.at}::timestamptz, ${position.key}::text)`;
}

const dateFields = ["occurredAt", "receivedAt", "leftAt"] as const;

function toEntry(row: {
  source: TimelineSource;
  key: string;
  at: Date;
  data: object;
}): TimelineEntry {
  const data: Record<string, unknown> = { ...row.data };
  for (const field of dateFields) {
    if (typeof data[field] === "string") data[field] = new Date(data[field]);
  }
  if (row.source === "EVENT") data.id = BigInt(data.id as string);
  return {
    source: row.source,
    key: row.key,
    at: row.at,
    cursor: encodeTimelineCursor({ at: row.at, key: row.key }),
    data,
  } as TimelineEntry;
}
