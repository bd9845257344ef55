import type { Transaction } from "../../../db.ts";
import { compileSegmentQuery } from "../../conditions/compile.ts";
import { segmentFiltersFor } from "../../segments/segments.ts";
import { isHeldOut, loadHoldoutSettings } from "../../workspaces/holdout-groups.ts";
import { loadWorkspaceCurrency } from "../../workspaces/workspace-currency.ts";
import { durationMs, type ScenarioDefinition } from "../definition/definition.ts";
import { loadVersionDefinition } from "../scenarios.ts";
import { advanceNewRun } from "./advance-run.ts";
import type { RunTrigger } from "./run-types.ts";
import { queueAdvance } from "./schedule.ts";

export type StartResult = { started: true; runId: string } | { started: false; reason: string };

interface LiveScenario {
  id: string;
  workspaceId: string;
  priority: number;
  status: string;
  liveVersionId: string | null;
}

/**
 * Starts a run of a live scenario for a contact, in the caller's transaction (which holds the
 * contact's lock), if its entry rules and audience let the contact in: the run is written
 * ACTIVE at the start node and takes its first steps at once (see `advanceNewRun`), or by a
 * queued job with `advance: "queue"`. One event starts a scenario at
 * most once (`triggerEventId`), and a contact (or contact and entity) has at most one run in
 * progress per scenario.
 */
export async function startRun(
  tx: Transaction,
  scenario: LiveScenario,
  input: {
    contactId: string;
    trigger: RunTrigger;
    triggerEventId?: string;
    now: Date;
    /** `now` (the default): the first steps are taken in this transaction; `queue`: by a job. */
    advance?: "now" | "queue";
  },
): Promise<StartResult> {
  if (scenario.status !== "LIVE" || !scenario.liveVersionId) {
    return { started: false, reason: `the scenario is ${scenario.status.toLowerCase()}` };
  }
  const definition = await loadVersionDefinition(tx, scenario.workspaceId, scenario.liveVersionId);
  const entityKey = entityOf(definition, input.trigger);
  if (entityKey === null) {
    return { started: false, reason: `the trigger has no ${definition.entityKey}` };
  }
  const refused = await entryRefusal(
    tx,
    scenario.id,
    definition,
    input.contactId,
    entityKey,
    input.now,
  );
  if (refused) return { started: false, reason: refused };
  if (
    definition.audience &&
    !(await inAudience(tx, scenario.workspaceId, definition, input.contactId, input.now))
  ) {
    return { started: false, reason: "not in the audience" };
  }
  const holdout = await holdoutOf(tx, scenario, definition, input.contactId);
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO scenario_runs (workspace_id, scenario_id, version_id, contact_id, entity_key, status, node_id,
                               trigger, trigger_event_id, started_at, updated_at, holdout)
    VALUES (${scenario.workspaceId}::uuid, ${scenario.id}::uuid, ${scenario.liveVersionId}::uuid,
            ${input.contactId}::uuid, ${entityKey}, 'ACTIVE', ${definition.start},
            ${JSON.stringify(input.trigger)}::jsonb, ${input.triggerEventId ?? null}::bigint,
            ${input.now}::timestamptz, now(), ${holdout})
    ON CONFLICT DO NOTHING
    RETURNING id::text`;
  if (!row) return { started: false, reason: "already running (or started by this event)" };
  const run = { id: row.id, workspaceId: scenario.workspaceId, priority: scenario.priority };
  if (input.advance === "queue") await queueAdvance(tx, run);
  else await advanceNewRun(tx, run, input.now);
  return { started: true, runId: row.id };
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
 * Whether the contact's run is held out of the scenario's marketing mail: by the workspace's
 * control group first, else by the scenario's own holdout.
 */
async function holdoutOf(
  tx: Transaction,
  scenario: LiveScenario,
  definition: ScenarioDefinition,
  contactId: string,
): Promise<"control_group" | "scenario" | null> {
  const scenarioPercent = definition.holdout?.percent ?? 0;
  const settings = await loadHoldoutSettings(scenario.workspaceId, tx);
  if (isHeldOut(settings.holdoutSalt, "control_group", contactId, settings.controlGroupPercent)) {
    return "control_group";
  }
  return isHeldOut(settings.holdoutSalt, scenario.id, contactId, scenarioPercent)
    ? "scenario"
    : null;
}

/** The run's entity: "" without an entity key, null when the trigger lacks it. */
export function entityOf(definition: ScenarioDefinition, trigger: RunTrigger): string | null {
  if (!definition.entityKey) return "";
  const value = trigger.properties[definition.entityKey];
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value !== "" ? value : null;
}

async function entryRefusal(
  tx: Transaction,
  scenarioId: string,
  definition: ScenarioDefinition,
  contactId: string,
  entityKey: string,
  now: Date,
): Promise<string | null> {
  const { rule, cooldown } = definition.entry;
  const last = await tx.scenarioRun.findFirst({
    where: { scenarioId, contactId, ...(rule === "once_per_entity" && { entityKey }) },
    orderBy: { startedAt: "desc" },
    select: { startedAt: true, status: true },
  });
  if (!last) return null;
  if (rule === "once") return "entered before (entry: once per contact)";
  if (rule === "once_per_entity") return "entered before for this entity (entry: once per entity)";
  if (cooldown && now.getTime() - last.startedAt.getTime() < durationMs(cooldown)) {
    return "entered too recently (entry cooldown)";
  }
  return null;
}

async function inAudience(
  tx: Transaction,
  workspaceId: string,
  definition: ScenarioDefinition,
  contactId: string,
  now: Date,
): Promise<boolean> {
  if (!definition.audience) return true;
  const query = compileSegmentQuery(definition.audience, {
    workspaceId,
    now,
    segments: await segmentFiltersFor(tx, workspaceId, definition.audience),
    currency: await loadWorkspaceCurrency(tx, workspaceId),
    contactIds: [contactId],
  });
  const rows = await tx.$queryRawUnsafe<unknown[]>(query.text, ...query.values);
  return rows.length > 0;
}
