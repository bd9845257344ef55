import type { Executor } from "../../db.ts";
import { compileSegmentQuery, SegmentCompiler } from "../conditions/compile.ts";
import type { SegmentFilter } from "../conditions/filter.ts";
import { segmentEntered, segmentExited } from "../events/event-names.ts";
import type { ScenarioDefinition } from "../scenarios/definition/definition.ts";
import { durationMs } from "../scenarios/definition/definition.ts";
import { loadSegmentDefinitions } from "../segments/segments.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";

/** How many contacts a scenario would reach: now, and over the last 30 days of events. */
export interface AudienceForecast {
  /**
   * Contacts in the audience that the trigger would catch now: for an event trigger, those who
   * did the event in the last 30 days; for a segment, its members (entered) or non-members
   * (exited); for a tag, those with it; for a score, those at or above it; otherwise the audience.
   */
  matchingNow: number;
  /**
   * Runs the last 30 days of trigger events would have started under the entry rules (a
   * cooldown counted from the previous event that would have started one), for the contacts
   * in the audience now; null for triggers that no stored event records (tag, date, api).
   */
  startsLast30Days: number | null;
  since: Date;
  until: Date;
}

const windowDays = 30;

/**
 * Forecasts a definition's reach from the stored contacts, segments and events, as of `now`.
 *
 * @example const { matchingNow, startsLast30Days } = await forecastAudience(db(), workspaceId, definition, new Date())
 */
export async function forecastAudience(
  executor: Executor,
  workspaceId: string,
  definition: ScenarioDefinition,
  now: Date,
): Promise<AudienceForecast> {
  const since = new Date(now.getTime() - windowDays * 86_400_000);
  const options = {
    workspaceId,
    now,
    segments: (await loadSegmentDefinitions(executor, workspaceId)).filters,
    currency: await loadWorkspaceCurrency(executor, workspaceId),
  };
  const trigger = definition.trigger;
  const caught = triggerFilter(trigger);
  const filter: SegmentFilter | null =
    caught && definition.audience
      ? { and: [caught, definition.audience] }
      : (caught ?? definition.audience ?? null);
  const audienceQuery = filter ? compileSegmentQuery(filter, options) : null;
  const [counted] = audienceQuery
    ? await executor.$queryRawUnsafe<{ n: bigint }[]>(
        `SELECT count(*) AS n FROM (${audienceQuery.text}) matching`,
        ...audienceQuery.values,
      )
    : await executor.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM contacts WHERE workspace_id = ${workspaceId}::uuid`;
  const matchingNow = Number(counted?.n ?? 0);

  const starting = startingEvents(trigger);
  if (!starting) return { matchingNow, startsLast30Days: null, since, until: now };
  const compiler = new SegmentCompiler(options);
  const where = compiler.eventRows(starting.name, { withinDays: windowDays }, starting.where);
  const entity = definition.entityKey
    ? `e.properties->>${compiler.params.add(definition.entityKey, "text")}`
    : "''";
  const audience = definition.audience
    ? `AND EXISTS (SELECT 1 FROM contacts c WHERE c.id = e.contact_id AND ${compiler.scope} AND ${compiler.predicate(definition.audience)})`
    : "";
  const rows = await executor.$queryRawUnsafe<{ contact: string; entity: string; at: Date }[]>(
    `SELECT e.contact_id::text AS contact, ${entity} AS entity, e.occurred_at AS at
       FROM events e
      WHERE ${where} AND e.occurred_at <= ${compiler.params.add(now, "timestamptz")}
        AND coalesce(${entity}, '') ${definition.entityKey ? "<> ''" : "= ''"} ${audience}
      ORDER BY e.contact_id, e.occurred_at`,
    ...compiler.params.values,
  );
  return { matchingNow, startsLast30Days: countStarts(definition, rows), since, until: now };
}

function triggerFilter(trigger: ScenarioDefinition["trigger"]): SegmentFilter | null {
  switch (trigger.kind) {
    case "event":
      return {
        event: {
          name: trigger.event,
          withinDays: windowDays,
          ...(trigger.where && { where: trigger.where }),
        },
      };
    case "segment_entered":
    case "segment_exited":
      return {
        inSegment: { segmentId: trigger.segmentId, isMember: trigger.kind === "segment_entered" },
      };
    case "tag_added":
      return { tag: { name: trigger.tag, has: true } };
    case "score_crossed":
      return { score: { min: trigger.threshold } };
    default:
      return null;
  }
}

function startingEvents(trigger: ScenarioDefinition["trigger"]) {
  if (trigger.kind === "event") return { name: trigger.event, where: trigger.where };
  if (trigger.kind === "segment_entered" || trigger.kind === "segment_exited") {
    return {
      name: trigger.kind === "segment_entered" ? segmentEntered : segmentExited,
      where: [
        {
          key: "segment_id",
          type: "STRING" as const,
          op: "EQUALS" as const,
          value: trigger.segmentId,
        },
      ],
    };
  }
  return null;
}

/** The runs these events (ordered by contact, then time) would start under the entry rules. */
function countStarts(
  definition: ScenarioDefinition,
  rows: { contact: string; entity: string; at: Date }[],
): number {
  const { rule, cooldown } = definition.entry;
  const seen = new Set<string>();
  const lastStart = new Map<string, number>();
  const gap = cooldown ? durationMs(cooldown) : 0;
  let starts = 0;
  for (const row of rows) {
    if (rule !== "every_time") {
      const key = rule === "once" ? row.contact : `${row.contact}\u0000${row.entity}`;
      if (seen.has(key)) continue;
      seen.add(key);
      starts += 1;
      continue;
    }
    const previous = lastStart.get(row.contact);
    if (previous !== undefined && row.at.getTime() - previous < gap) continue;
    lastStart.set(row.contact, row.at.getTime());
    starts += 1;
  }
  return starts;
}
