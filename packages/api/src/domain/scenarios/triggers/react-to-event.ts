import type { Transaction } from "../../../db.ts";
import type { PropertyCondition } from "../../conditions/filter.ts";
import { matchEvent } from "../../conditions/match-event.ts";
import { segmentEntered, segmentExited } from "../../events/event-names.ts";
import type { ScenarioEnding } from "../definition/definition.ts";
import { nodesById } from "../definition/graph.ts";
import type { RunTrigger } from "../runs/run-types.ts";
import { queueAdvance } from "../runs/schedule.ts";
import { type StartResult, startRun } from "../runs/start-run.ts";
import { loadVersionDefinition } from "../scenarios.ts";

/** The stored event, with its contact, as scenarios see it. */
export interface ScenarioEvent {
  id: string;
  workspaceId: string;
  contactId: string;
  name: string;
  occurredAt: Date;
  properties: Record<string, unknown>;
}

export interface ScenarioReaction {
  /** Runs the event ended: by a goal (converted) or an exit condition. */
  ended: { runId: string; status: "CONVERTED" | "EXITED"; reason: string }[];
  /** Runs waiting for this event that it resumed. */
  resumed: string[];
  /** Runs it started. */
  started: string[];
}

/**
 * What one event means for the contact's scenarios, in the caller's transaction (which holds
 * the contact's lock): goals and exit conditions end runs at once, wherever they are; runs
 * waiting for it take their `matched` output; and the live scenarios it triggers start runs.
 * Only events from the moment a run started (or began waiting) count for it.
 */
export async function reactToEventInScenarios(
  tx: Transaction,
  event: ScenarioEvent,
  now: Date,
): Promise<ScenarioReaction> {
  const reaction: ScenarioReaction = { ended: [], resumed: [], started: [] };
  const runs = await tx.scenarioRun.findMany({
    where: {
      workspaceId: event.workspaceId,
      contactId: event.contactId,
      status: { in: ["ACTIVE", "WAITING"] },
    },
    select: {
      id: true,
      workspaceId: true,
      versionId: true,
      entityKey: true,
      startedAt: true,
      status: true,
      nodeId: true,
      waitEvent: true,
      waitingSince: true,
      scenario: { select: { priority: true } },
    },
  });
  for (const run of runs) {
    if (event.occurredAt < run.startedAt) continue;
    const definition = await loadVersionDefinition(tx, run.workspaceId, run.versionId);
    const entity = definition.entityKey ? event.properties[definition.entityKey] : undefined;
    const sameEntity = entity !== undefined && String(entity) === run.entityKey;
    const ending = async (endings: ScenarioEnding[]) => {
      for (const candidate of endings) {
        if (await endingMatches(tx, candidate, event, sameEntity, now)) return candidate;
      }
      return undefined;
    };
    const goal = await ending(definition.goals);
    const exit = goal ? undefined : await ending(definition.exits);
    if (goal || exit) {
      const status = goal ? "CONVERTED" : "EXITED";
      const named = (goal ?? exit) as ScenarioEnding;
      const reason = `${goal ? "goal" : "exit"} "${named.name ?? named.event ?? "segment"}" (${event.name})`;
      await tx.scenarioRun.update({
        where: { id_workspaceId: { workspaceId: run.workspaceId, id: run.id } },
        data: { status, reason, endedAt: now, wakeAt: null, waitEvent: null, resumeOutput: null },
      });
      await tx.scenarioStep.updateMany({
        where: { runId: run.id, leftAt: null },
        data: { leftAt: now, reason },
      });
      reaction.ended.push({ runId: run.id, status, reason });
      continue;
    }
    if (run.status !== "WAITING" || run.waitEvent !== event.name) continue;
    if (run.waitingSince && event.occurredAt < run.waitingSince) continue;
    const node = run.nodeId ? nodesById(definition).get(run.nodeId) : undefined;
    if (node?.kind !== "wait_for_event") continue;
    if (node.sameEntity && !sameEntity) continue;
    const [matches] = await matchEvent(tx, event.id, [node.where ?? []], now);
    if (!matches) continue;
    await tx.scenarioRun.update({
      where: { id_workspaceId: { workspaceId: run.workspaceId, id: run.id } },
      data: { status: "ACTIVE", resumeOutput: "matched", wakeAt: null, waitEvent: null },
    });
    await queueAdvance(tx, { id: run.id, priority: run.scenario.priority });
    reaction.resumed.push(run.id);
  }
  reaction.started = await startTriggeredRuns(tx, event, now);
  return reaction;
}

async function endingMatches(
  tx: Transaction,
  ending: ScenarioEnding,
  event: ScenarioEvent,
  sameEntity: boolean,
  now: Date,
): Promise<boolean> {
  if (ending.segmentId) {
    const wanted = ending.member ? segmentEntered : segmentExited;
    return event.name === wanted && event.properties.segment_id === ending.segmentId;
  }
  if (ending.event !== event.name) return false;
  if (ending.sameEntity && !sameEntity) return false;
  const [matches] = await matchEvent(tx, event.id, [ending.where ?? []], now);
  return matches === true;
}

/** Starts the live scenarios whose trigger is this event. */
async function startTriggeredRuns(
  tx: Transaction,
  event: ScenarioEvent,
  now: Date,
): Promise<string[]> {
  const segmentId =
    typeof event.properties.segment_id === "string" ? event.properties.segment_id : null;
  const keys = [
    { triggerKind: "event", triggerKey: event.name },
    ...(segmentId && event.name === segmentEntered
      ? [{ triggerKind: "segment_entered", triggerKey: segmentId }]
      : []),
    ...(segmentId && event.name === segmentExited
      ? [{ triggerKind: "segment_exited", triggerKey: segmentId }]
      : []),
  ];
  const scenarios = await tx.scenario.findMany({
    where: { workspaceId: event.workspaceId, status: "LIVE", OR: keys },
    select: { id: true, workspaceId: true, priority: true, status: true, liveVersionId: true },
    orderBy: { priority: "desc" },
  });
  if (scenarios.length === 0) return [];
  const definitions = await Promise.all(
    scenarios.map((s) => loadVersionDefinition(tx, s.workspaceId, s.liveVersionId as string)),
  );
  const lists = definitions.map((d) =>
    d.trigger.kind === "event" ? ((d.trigger.where ?? []) as PropertyCondition[]) : [],
  );
  const matches = await matchEvent(tx, event.id, lists, now);
  const trigger: RunTrigger = {
    name: event.name,
    occurredAt: event.occurredAt.toISOString(),
    properties: event.properties,
  };
  const started: string[] = [];
  for (const [index, scenario] of scenarios.entries()) {
    if (!matches[index]) continue;
    const result: StartResult = await startRun(tx, scenario, {
      contactId: event.contactId,
      trigger,
      triggerEventId: event.id,
      now,
    });
    if (result.started) started.push(result.runId);
  }
  return started;
}

/**
 * Starts the live scenarios triggered by a score crossing upward: from below `threshold`
 * before to at or above it after.
 */
export async function startScoreCrossingRuns(
  tx: Transaction,
  input: { workspaceId: string; contactId: string; before: number; after: number; now: Date },
): Promise<string[]> {
  if (input.after <= input.before) return [];
  const scenarios = await tx.scenario.findMany({
    where: { workspaceId: input.workspaceId, status: "LIVE", triggerKind: "score_crossed" },
    select: { id: true, workspaceId: true, priority: true, status: true, liveVersionId: true },
    orderBy: { priority: "desc" },
  });
  const started: string[] = [];
  for (const scenario of scenarios) {
    const definition = await loadVersionDefinition(
      tx,
      scenario.workspaceId,
      scenario.liveVersionId as string,
    );
    if (definition.trigger.kind !== "score_crossed") continue;
    const { threshold } = definition.trigger;
    if (!(input.before < threshold && input.after >= threshold)) continue;
    const result = await startRun(tx, scenario, {
      contactId: input.contactId,
      trigger: {
        name: "Score Crossed",
        occurredAt: input.now.toISOString(),
        properties: { threshold, score_before: input.before, score: input.after },
      },
      now: input.now,
    });
    if (result.started) started.push(result.runId);
  }
  return started;
}

/** Starts the live scenarios triggered by these tags being added to these contacts. */
export async function startTagRuns(
  tx: Transaction,
  input: { workspaceId: string; tagged: readonly { contactId: string; tag: string }[]; now: Date },
): Promise<string[]> {
  if (input.tagged.length === 0) return [];
  const scenarios = await tx.scenario.findMany({
    where: {
      workspaceId: input.workspaceId,
      status: "LIVE",
      triggerKind: "tag_added",
      triggerKey: { in: [...new Set(input.tagged.map((t) => t.tag))] },
    },
    select: {
      id: true,
      workspaceId: true,
      priority: true,
      status: true,
      liveVersionId: true,
      triggerKey: true,
    },
    orderBy: { priority: "desc" },
  });
  const started: string[] = [];
  for (const scenario of scenarios) {
    for (const { contactId, tag } of input.tagged) {
      if (tag !== scenario.triggerKey) continue;
      const result = await startRun(tx, scenario, {
        contactId,
        trigger: { name: "Tag Added", occurredAt: input.now.toISOString(), properties: { tag } },
        now: input.now,
      });
      if (result.started) started.push(result.runId);
    }
  }
  return started;
}
