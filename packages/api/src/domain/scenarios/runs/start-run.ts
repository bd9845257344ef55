import type { Transaction } from "../../../db.ts";
import { compileSegmentQuery } from "../../conditions/compile.ts";
import { segmentFiltersFor } from "../../segments/segments.ts";
import { isHeldOut, loadHoldoutSettings } from "../../workspaces/holdout-groups.ts";
import { loadWorkspaceCurrency } from "../../workspaces/workspace-currency.ts";
import { durationMs, type ScenarioDefinition } from "../definition/definition.ts";
import { loadVersionDefinition } from "../scenarios.ts";
import { advanceNewRuns } from "./advance-run.ts";
import type { RunTrigger } from "./run-types.ts";
import { queueAdvances } from "./schedule.ts";

export type StartResult = { started: true; runId: string } | { started: false; reason: string };

interface LiveScenario {
  id: string;
  workspaceId: string;
  priority: number;
  status: string;
  liveVersionId: string | null;
}

/** One contact's entry into a scenario: what started it, and the event when one did. */
export interface RunEntry {
  contactId: string;
  trigger: RunTrigger;
  triggerEventId?: string;
}

interface StartOptions {
  now: Date;
  /** `now` (the default): the first steps are taken in this transaction; `queue`: by a job. */
  advance?: "now" | "queue";
}

/**
 * Starts a run of a live scenario for a contact, in the caller's transaction (which holds the
 * contact's lock), if its entry rules and audience let the contact in: the run is written
 * ACTIVE at the start node and takes its first steps at once (see `advanceNewRuns`), or by a
 * queued job with `advance: "queue"`. One event starts a scenario at
 * most once (`triggerEventId`), and a contact (or contact and entity) has at most one run in
 * progress per scenario.
 */
export async function startRun(
  tx: Transaction,
  scenario: LiveScenario,
  input: RunEntry & StartOptions,
): Promise<StartResult> {
  const [result] = await startRuns(tx, scenario, [input], input);
  return result as StartResult;
}

/**
 * Starts runs of a live scenario for many contacts at once, as `startRun` does each (the
 * caller's transaction holds their locks), with a result per entry in order: entry rules, the
 * audience and the holdouts checked for all of them in a statement each, the runs written in
 * one, and their first steps taken together (one `AdvanceBatch`).
 */
export async function startRuns(
  tx: Transaction,
  scenario: LiveScenario,
  entries: readonly RunEntry[],
  options: StartOptions,
): Promise<StartResult[]> {
  const refuse = (reason: string): StartResult => ({ started: false, reason });
  if (scenario.status !== "LIVE" || !scenario.liveVersionId) {
    return entries.map(() => refuse(`the scenario is ${scenario.status.toLowerCase()}`));
  }
  const { now } = options;
  const definition = await loadVersionDefinition(tx, scenario.workspaceId, scenario.liveVersionId);
  const results: (StartResult | null)[] = entries.map(() => null);
  const candidates: { index: number; entry: RunEntry; entityKey: string }[] = [];
  const listed = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const entityKey = entityOf(definition, entry.trigger);
    const key = `${entry.contactId}:${entityKey}`;
    if (entityKey === null) results[index] = refuse(`the trigger has no ${definition.entityKey}`);
    else if (listed.has(key)) results[index] = refuse("listed twice in this call");
    else {
      listed.add(key);
      candidates.push({ index, entry, entityKey });
    }
  }
  const refusals = await entryRefusals(tx, scenario, definition, candidates, now);
  const audience = await audienceOf(
    tx,
    scenario.workspaceId,
    definition,
    candidates.map((c) => c.entry.contactId),
    now,
  );
  const admitted = candidates.filter(({ index, entry }) => {
    const refused = refusals.get(index);
    if (refused) results[index] = refuse(refused);
    else if (audience && !audience.has(entry.contactId))
      results[index] = refuse("not in the audience");
    else return true;
    return false;
  });
  const holdouts = await holdoutsOf(
    tx,
    scenario,
    definition,
    admitted.map((c) => c.entry.contactId),
  );
  const rows =
    admitted.length === 0
      ? []
      : await tx.$queryRaw<{ id: string; contact_id: string; entity_key: string }[]>`
    INSERT INTO scenario_runs (workspace_id, scenario_id, version_id, contact_id, entity_key, status, node_id,
                               trigger, trigger_event_id, started_at, updated_at, holdout)
    SELECT ${scenario.workspaceId}::uuid, ${scenario.id}::uuid, ${scenario.liveVersionId}::uuid,
           e.contact_id, e.entity_key, 'ACTIVE', ${definition.start}, e.trigger, e.trigger_event_id,
           ${now}::timestamptz, now(), e.holdout
      FROM unnest(${admitted.map((c) => c.entry.contactId)}::uuid[], ${admitted.map((c) => c.entityKey)}::text[],
                  ${admitted.map((c) => JSON.stringify(c.entry.trigger))}::jsonb[],
                  ${admitted.map((c) => c.entry.triggerEventId ?? null)}::bigint[],
                  ${admitted.map((c) => holdouts.get(c.entry.contactId) ?? null)}::text[]) WITH ORDINALITY
           AS e(contact_id, entity_key, trigger, trigger_event_id, holdout, position)
     ORDER BY e.position
    ON CONFLICT DO NOTHING
    RETURNING id::text, contact_id::text, entity_key`;
  const written = new Map(rows.map((row) => [`${row.contact_id}:${row.entity_key}`, row.id]));
  const runs: { id: string; priority: number }[] = [];
  for (const { index, entry, entityKey } of admitted) {
    const runId = written.get(`${entry.contactId}:${entityKey}`);
    if (!runId) results[index] = refuse("already running (or started by this event)");
    else {
      results[index] = { started: true, runId };
      runs.push({ id: runId, priority: scenario.priority });
    }
  }
  if (options.advance === "queue") await queueAdvances(tx, runs);
  else await advanceNewRuns(tx, scenario.workspaceId, runs, now);
  return results as StartResult[];
}

/**
 * Starts a run of the workspace's scenario `scenarioId` (by id), as `startRun`, its first
 * steps by a job (a scenario started from another's step does not run inside that step).
 */
export async function startRunOf(
  tx: Transaction,
  input: {
    workspaceId: string;
    scenarioId: string;
    contactId: string;
    trigger: RunTrigger;
    now: Date;
  },
): Promise<StartResult> {
  const scenario = await tx.scenario.findFirst({
    where: { id: input.scenarioId, workspaceId: input.workspaceId },
    select: { id: true, workspaceId: true, priority: true, status: true, liveVersionId: true },
  });
  if (!scenario) return { started: false, reason: "the scenario no longer exists" };
  return startRun(tx, scenario, { ...input, advance: "queue" });
}

/**
 * Which contacts' runs are held out of the scenario's marketing mail: by the workspace's
 * control group first, else by the scenario's own holdout.
 */
async function holdoutsOf(
  tx: Transaction,
  scenario: LiveScenario,
  definition: ScenarioDefinition,
  contactIds: readonly string[],
): Promise<Map<string, "control_group" | "scenario">> {
  const held = new Map<string, "control_group" | "scenario">();
  if (contactIds.length === 0) return held;
  const scenarioPercent = definition.holdout?.percent ?? 0;
  const settings = await loadHoldoutSettings(scenario.workspaceId, tx);
  for (const contactId of contactIds) {
    const { holdoutSalt, controlGroupPercent } = settings;
    if (isHeldOut(holdoutSalt, "control_group", contactId, controlGroupPercent)) {
      held.set(contactId, "control_group");
    } else if (isHeldOut(holdoutSalt, scenario.id, contactId, scenarioPercent)) {
      held.set(contactId, "scenario");
    }
  }
  return held;
}

/** The run's entity: "" without an entity key, null when the trigger lacks it. */
export function entityOf(definition: ScenarioDefinition, trigger: RunTrigger): string | null {
  if (!definition.entityKey) return "";
  const value = trigger.properties[definition.entityKey];
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value !== "" ? value : null;
}

/** Why the entry rules refuse each candidate that they refuse, by its index. */
async function entryRefusals(
  tx: Transaction,
  scenario: LiveScenario,
  definition: ScenarioDefinition,
  candidates: readonly { index: number; entry: RunEntry; entityKey: string }[],
  now: Date,
): Promise<Map<number, string>> {
  const refusals = new Map<number, string>();
  const { rule, cooldown } = definition.entry;
  if (candidates.length === 0 || (rule === "every_time" && !cooldown)) return refusals;
  const earlier = await tx.$queryRaw<{ contact_id: string; entity_key: string; last: Date }[]>`
    SELECT contact_id::text, entity_key, max(started_at) AS last FROM scenario_runs
     WHERE workspace_id = ${scenario.workspaceId}::uuid AND scenario_id = ${scenario.id}::uuid
       AND contact_id = ANY(${candidates.map((c) => c.entry.contactId)}::uuid[])
     GROUP BY contact_id, entity_key`;
  const lastByContact = new Map<string, number>();
  const entities = new Set<string>();
  for (const row of earlier) {
    const last = Math.max(lastByContact.get(row.contact_id) ?? 0, row.last.getTime());
    lastByContact.set(row.contact_id, last);
    entities.add(`${row.contact_id}:${row.entity_key}`);
  }
  for (const { index, entry, entityKey } of candidates) {
    const last = lastByContact.get(entry.contactId);
    if (last === undefined) continue;
    if (rule === "once") refusals.set(index, "entered before (entry: once per contact)");
    else if (rule === "once_per_entity") {
      if (entities.has(`${entry.contactId}:${entityKey}`)) {
        refusals.set(index, "entered before for this entity (entry: once per entity)");
      }
    } else if (cooldown && now.getTime() - last < durationMs(cooldown)) {
      refusals.set(index, "entered too recently (entry cooldown)");
    }
  }
  return refusals;
}

/** The contacts among `contactIds` in the scenario's audience; null when it has none. */
async function audienceOf(
  tx: Transaction,
  workspaceId: string,
  definition: ScenarioDefinition,
  contactIds: readonly string[],
  now: Date,
): Promise<Set<string> | null> {
  if (!definition.audience) return null;
  if (contactIds.length === 0) return new Set();
  const query = compileSegmentQuery(definition.audience, {
    workspaceId,
    now,
    segments: await segmentFiltersFor(tx, workspaceId, definition.audience),
    currency: await loadWorkspaceCurrency(tx, workspaceId),
    contactIds,
  });
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(query.text, ...query.values);
  return new Set(rows.map((row) => String(row.id)));
}
