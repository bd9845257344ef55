import { type Executor, withTransaction } from "../../../db.ts";
import { Prisma } from "../../../generated/prisma/client.ts";
import { lockContact } from "../../contacts/lock-contact.ts";
import { localDateAt, zoneOf } from "../../shared/local-time.ts";
import { type ContactDateSource, contactDateOf } from "../contact-date.ts";
import type { ScenarioTrigger } from "../definition/definition.ts";
import { startRun } from "../runs/start-run.ts";
import { loadVersionDefinition } from "../scenarios.ts";

type DateTrigger = Extract<ScenarioTrigger, { kind: "date" }>;

const dayMs = 86_400_000;
/** After an outage the sweep catches up this far back; older occurrences are skipped. */
export const dateCatchUpMs = 7 * dayMs;
/** One transaction covers at most this much time, so a long catch-up commits as it goes. */
const sliceMs = 60 * 60_000;

/**
 * Starts the runs of live scenarios with a date trigger whose moment (the contact's date ±
 * offsetDays at `at` in the contact's time zone, the workspace's as fallback) has come since
 * the last sweep. Each scenario keeps how far it has swept (`date_swept_until`), moved in the
 * same transaction as the runs it starts, so an occurrence starts one run however often the
 * sweep runs or crashes. Publishing or resuming a scenario starts its sweep at that moment:
 * dates that passed before are not caught up. Returns the runs started.
 *
 * @example await sweepDateTriggers(new Date()) // every minute, by wake_scenario_runs
 */
export async function sweepDateTriggers(now: Date): Promise<number> {
  let started = 0;
  for (;;) {
    const slice = await sweepOneSlice(now);
    if (slice === null) return started;
    started += slice;
  }
}

interface DueScenario {
  id: string;
  workspace_id: string;
  priority: number;
  status: string;
  live_version_id: string;
  swept_until: Date;
}

async function sweepOneSlice(now: Date): Promise<number | null> {
  return withTransaction(async (tx) => {
    const [due] = await tx.$queryRaw<DueScenario[]>`
      SELECT id::text, workspace_id::text, priority, status::text, live_version_id::text,
             coalesce(date_swept_until, published_at) AS swept_until
        FROM scenarios
       WHERE status = 'LIVE' AND trigger_kind = 'date' AND live_version_id IS NOT NULL
         AND coalesce(date_swept_until, published_at) < ${now}::timestamptz
       ORDER BY coalesce(date_swept_until, published_at)
       LIMIT 1
         FOR UPDATE SKIP LOCKED`;
    if (!due) return null;
    const from = new Date(Math.max(due.swept_until.getTime(), now.getTime() - dateCatchUpMs));
    const to = new Date(Math.min(now.getTime(), from.getTime() + sliceMs));
    const definition = await loadVersionDefinition(tx, due.workspace_id, due.live_version_id);
    let started = 0;
    if (definition.trigger.kind === "date") {
      const trigger = definition.trigger;
      const settings = await tx.workspaceEmailSettings.findUnique({
        where: { workspaceId: due.workspace_id },
        select: { timezone: true },
      });
      for (const contact of await candidates(tx, due.workspace_id, trigger, from, to)) {
        const date = contactDateOf(contact, trigger);
        if (!date) continue;
        const zone = zoneOf(contact.timezone, settings?.timezone);
        const occurrence = occurrenceBetween(date, trigger, zone, from, to);
        if (!occurrence) continue;
        if (!(await lockContact(tx, due.workspace_id, contact.id))) continue;
        const result = await startRun(
          tx,
          {
            id: due.id,
            workspaceId: due.workspace_id,
            priority: due.priority,
            status: due.status,
            liveVersionId: due.live_version_id,
          },
          {
            contactId: contact.id,
            trigger: {
              name: "Date Reached",
              occurredAt: occurrence.moment.toISOString(),
              properties: {
                ...(trigger.field ? { field: trigger.field } : { property: trigger.property }),
                date: isoDay(date),
                occurrence: occurrence.day,
                offset_days: trigger.offsetDays,
              },
            },
            now,
          },
        );
        if (result.started) started += 1;
      }
    }
    await tx.$executeRaw`
      UPDATE scenarios SET date_swept_until = ${to}::timestamptz
       WHERE workspace_id = ${due.workspace_id}::uuid AND id = ${due.id}::uuid`;
    return started;
  });
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * When this date's occurrence falls in (from, to] for a contact in `zone`: the instant and its
 * calendar day, or null. A yearly date recurs on its month and day (29 February on the 28th in
 * other years); `offsetDays` moves the occurrence from it.
 */
export function occurrenceBetween(
  date: Date,
  trigger: Pick<DateTrigger, "offsetDays" | "at" | "yearly">,
  zone: string,
  from: Date,
  to: Date,
): { moment: Date; day: string } | null {
  const at = (anchor: Date) => {
    const moment = localDateAt(anchor, trigger.offsetDays, trigger.at, zone);
    if (moment <= from || moment > to) return null;
    return { moment, day: isoDay(new Date(anchor.getTime() + trigger.offsetDays * dayMs)) };
  };
  if (!trigger.yearly) return at(date);
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  const shift = trigger.offsetDays * dayMs;
  const firstYear = new Date(from.getTime() - shift).getUTCFullYear() - 1;
  const lastYear = new Date(to.getTime() - shift).getUTCFullYear() + 1;
  for (let year = firstYear; year <= lastYear; year++) {
    const leap = new Date(Date.UTC(year, 1, 29)).getUTCMonth() === 1;
    const found = at(
      new Date(Date.UTC(year, month, month === 1 && day === 29 && !leap ? 28 : day)),
    );
    if (found) return found;
  }
  return null;
}

/**
 * Contacts whose date could fall in the window: its day (or, yearly, its month and day) within
 * a few days of the window shifted by the offset, which covers every time zone. The exact test
 * is `occurrenceBetween`.
 */
async function candidates(
  executor: Executor,
  workspaceId: string,
  trigger: DateTrigger,
  from: Date,
  to: Date,
) {
  const first = new Date(from.getTime() - (trigger.offsetDays + 2) * dayMs);
  const last = new Date(to.getTime() - (trigger.offsetDays - 2) * dayMs);
  const dayText = dateText(trigger);
  const days: string[] = [];
  for (let t = first.getTime(); t <= last.getTime() + dayMs; t += dayMs) {
    days.push(isoDay(new Date(t)));
  }
  const inRange = trigger.yearly
    ? Prisma.sql`substr(${dayText}, 6) = ANY(${[
        ...new Set(days.flatMap((d) => (d.endsWith("-02-28") ? ["02-28", "02-29"] : [d.slice(5)]))),
      ]}::text[])`
    : Prisma.sql`${dayText} BETWEEN ${isoDay(first)} AND ${isoDay(last)}`;
  return executor.$queryRaw<
    {
      id: string;
      timezone: string | null;
      birthday: Date | null;
      createdAt: Date;
      lastSeenAt: Date | null;
      properties: Prisma.JsonValue;
    }[]
  >`
    SELECT c.id::text, c.timezone, c.birthday, c.created_at AS "createdAt",
           c.last_seen_at AS "lastSeenAt", c.properties
      FROM contacts c
     WHERE c.workspace_id = ${workspaceId}::uuid AND ${inRange}
     ORDER BY c.id`;
}

/** SQL for the date's calendar day as YYYY-MM-DD text (null when missing or not a date). */
function dateText(source: ContactDateSource): Prisma.Sql {
  switch (source.field) {
    case "BIRTHDAY":
      return Prisma.sql`to_char(c.birthday, 'YYYY-MM-DD')`;
    case "CREATED_AT":
      return Prisma.sql`to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    case "LAST_SEEN_AT":
      return Prisma.sql`to_char(c.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    default: {
      const key = source.property ?? "";
      // A timestamp with an offset may fall on the neighbouring UTC day: the window is padded.
      return Prisma.sql`(CASE WHEN c.properties->>${key} ~ '^\\d{4}-\\d{2}-\\d{2}'
                              THEN left(c.properties->>${key}, 10) END)`;
    }
  }
}
