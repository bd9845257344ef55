import { randomUUID } from "node:crypto";
import { db, type Transaction } from "../../db.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { SegmentFilter } from "../conditions/filter.ts";
import { linkCategory } from "../messages/engagement/link-category.ts";
import { reactToEvent } from "../reactions/react-to-event.ts";
import type { ScenarioDefinition } from "../scenarios/definition/definition.ts";
import { nodesById } from "../scenarios/definition/graph.ts";
import { advanceRun } from "../scenarios/runs/advance-run.ts";
import { startRun } from "../scenarios/runs/start-run.ts";
import { createScenario, publishScenario } from "../scenarios/scenarios.ts";
import { type ExplainedCondition, explainFilter } from "../segments/explain.ts";
import { NotFoundError } from "../shared/errors.ts";
import { renderSimulatedEmail, type SimulatedEmail } from "./render-simulated-email.ts";
import {
  type ParsedSimulationInput,
  parseSimulationInput,
  type SimulationInput,
} from "./simulation-input.ts";

/** One node a simulated run passed through, at virtual times. */
export interface SimulatedStep {
  nodeId: string;
  kind: string;
  enteredAt: Date;
  leftAt: Date | null;
  /** The output it left by (`yes`, `matched`, a branch name…); null while it still waits. */
  output: string | null;
  /** Why: a skipped send's policy, a deferral by quiet hours or a cap, an exit's reason… */
  reason: string | null;
  detail: unknown;
  /** For a condition with a filter: each condition's outcome, as `explainSegment` gives it. */
  explanation: ExplainedCondition | null;
  email: SimulatedEmail | null;
}

export interface SimulatedRun {
  /** The run's entity (its cart or order id), "" without an entity key. */
  entityKey: string;
  status: string;
  reason: string | null;
  startedAt: Date;
  endedAt: Date | null;
  steps: SimulatedStep[];
}

export interface SimulatedEvent {
  at: Date;
  name: string;
  /** Runs this event started, resumed (a wait matched) or ended (a goal or an exit). */
  started: number;
  resumed: number;
  ended: number;
  /** History before `start`: stored for conditions to see, reacted to by nothing. */
  historyOnly: boolean;
}

export interface ScenarioSimulation {
  start: Date;
  /** Where the virtual clock stopped: the last thing that happened, or `until`. */
  end: Date;
  runs: SimulatedRun[];
  events: SimulatedEvent[];
  /** Why a trigger other than an event did not start the run at `start`. */
  notStarted: string | null;
}

/** Thrown to roll the simulation's transaction back, carrying its result out. */
class SimulationDone extends Error {
  constructor(readonly simulation: ScenarioSimulation) {
    super("simulation done");
  }
}

const defaultHorizonMs = 400 * 86_400_000;
const maxRounds = 2_000;

/**
 * Dry-runs a scenario for one contact: the production engine (`reactToEvent`, `startRun`,
 * `advanceRun`, the send step's consent, suppression, cap and quiet-hour checks) under a
 * virtual clock that jumps from event to wake-up, in one transaction that is always rolled
 * back, so nothing is written and no mail, webhook or job leaves it. The scenario runs as a
 * live copy of its draft while the workspace's other scenarios are held (paused) for the
 * simulation, so only this one acts. Email Opened / Email Clicked events whose `node` names a
 * send node mark that node's mail as opened or clicked.
 *
 * @example await simulateScenario(workspaceId, { scenarioId, contact: { email: "a@b.co" }, start, events })
 */
export async function simulateScenario(
  workspaceId: string,
  raw: SimulationInput,
): Promise<ScenarioSimulation> {
  const input = parseSimulationInput(raw);
  try {
    await db().$transaction((tx) => simulate(tx, workspaceId, input), {
      timeout: 60_000,
      maxWait: 10_000,
    });
  } catch (error) {
    if (error instanceof SimulationDone) return error.simulation;
    throw error;
  }
  throw new Error("the simulation ended without a result");
}

async function simulate(
  tx: Transaction,
  workspaceId: string,
  input: ParsedSimulationInput,
): Promise<never> {
  const definition = await definitionToSimulate(tx, workspaceId, input);
  const contactId = await contactToSimulate(tx, workspaceId, input);
  await tx.scenario.updateMany({
    where: { workspaceId, status: "LIVE" },
    data: { status: "PAUSED" },
  });
  const draft = await createScenario(
    workspaceId,
    { name: `Simulation ${randomUUID()}`, definition },
    { tx },
  );
  const scenario = await publishScenario(workspaceId, draft.id, { now: input.start, tx });
  const nodes = nodesById(scenario.definition as unknown as ScenarioDefinition);
  const explanations = new Map<string, ExplainedCondition>();
  const explainNewConditions = async (now: Date) => {
    const steps = await tx.scenarioStep.findMany({
      where: { scenarioId: scenario.id, kind: "condition" },
      select: { id: true, nodeId: true },
    });
    for (const step of steps) {
      const key = String(step.id);
      const node = nodes.get(step.nodeId);
      if (explanations.has(key) || node?.kind !== "condition" || !node.filter) continue;
      explanations.set(
        key,
        await explainFilter(tx, {
          workspaceId,
          filter: node.filter as SegmentFilter,
          contactId,
          now,
        }),
      );
    }
  };

  const events = [...input.events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const lastMoment = events.at(-1)?.at ?? input.start;
  const until =
    input.until ??
    new Date(Math.max(lastMoment.getTime(), input.start.getTime()) + defaultHorizonMs);
  const simulatedEvents: SimulatedEvent[] = [];
  const [newest] = await tx.$queryRaw<{ id: string }[]>`
    SELECT coalesce(max(id), 0)::text AS id FROM events`;
  const internal = { handled: new Set<string>(), watermark: newest?.id ?? "0" };
  let clock = input.start;
  let notStarted: string | null = null;

  // History first: stored, seen by conditions, reacted to by nothing.
  while (events[0] && events[0].at < input.start) {
    const event = events.shift() as (typeof events)[number];
    await insertEvent(tx, workspaceId, contactId, event);
    simulatedEvents.push({ ...summary(event), historyOnly: true });
  }
  const trigger = (scenario.definition as unknown as ScenarioDefinition).trigger;
  if (trigger.kind !== "event") {
    const result = await startRun(tx, scenario, {
      contactId,
      trigger: {
        name: trigger.kind,
        occurredAt: input.start.toISOString(),
        properties: input.payload,
      },
      now: input.start,
    });
    if (!result.started) notStarted = result.reason;
    await reactToInternalEvents(tx, contactId, input.start, internal);
    await explainNewConditions(input.start);
  }

  for (let round = 0; round < maxRounds; round++) {
    await continueWebhooks(tx, scenario.id, clock);
    const nextWake = await nextWakeOf(tx, scenario.id);
    const nextEvent = events[0];
    if (nextEvent && (!nextWake || nextEvent.at <= nextWake)) {
      events.shift();
      clock = nextEvent.at;
      await markEngagement(tx, scenario.id, nextEvent);
      const eventId = await insertEvent(tx, workspaceId, contactId, nextEvent);
      const reaction = await reactToEvent(eventId, { now: clock, tx });
      await reactToInternalEvents(tx, contactId, clock, internal);
      simulatedEvents.push({
        ...summary(nextEvent),
        historyOnly: false,
        started: reaction?.scenarios.started.length ?? 0,
        resumed: reaction?.scenarios.resumed.length ?? 0,
        ended: reaction?.scenarios.ended.length ?? 0,
      });
    } else if (nextWake && nextWake <= until) {
      clock = new Date(Math.max(nextWake.getTime(), clock.getTime()));
      const due = await tx.scenarioRun.findMany({
        where: {
          scenarioId: scenario.id,
          OR: [{ status: "ACTIVE" }, { status: "WAITING", wakeAt: { lte: clock } }],
        },
        select: { id: true },
      });
      for (const run of due) await advanceRun(run.id, { now: clock, tx });
      await reactToInternalEvents(tx, contactId, clock, internal);
    } else break;
    await explainNewConditions(clock);
  }

  throw new SimulationDone({
    start: input.start,
    end: clock,
    runs: await collectRuns(tx, scenario.id, explanations),
    events: simulatedEvents,
    notStarted,
  });
}

async function definitionToSimulate(
  tx: Transaction,
  workspaceId: string,
  input: ParsedSimulationInput,
): Promise<unknown> {
  if (input.definition !== undefined) return input.definition;
  const scenario = await tx.scenario.findFirst({
    where: { id: input.scenarioId, workspaceId },
    select: { definition: true },
  });
  if (!scenario) throw new NotFoundError("Scenario", input.scenarioId ?? "");
  return scenario.definition;
}

async function contactToSimulate(
  tx: Transaction,
  workspaceId: string,
  input: ParsedSimulationInput,
): Promise<string> {
  if (input.contactId) {
    const contact = await tx.contact.findFirst({
      where: { id: input.contactId, workspaceId },
      select: { id: true },
    });
    if (!contact) throw new NotFoundError("Contact", input.contactId);
    return contact.id;
  }
  const fixture = input.contact as NonNullable<ParsedSimulationInput["contact"]>;
  // A real contact may hold the address: the made-up one is its stand-in, never the contact.
  await tx.contact.updateMany({
    where: { workspaceId, email: fixture.email },
    data: { email: `simulation-${randomUUID()}@invalid` },
  });
  const contact = await tx.contact.create({
    data: {
      workspaceId,
      email: fixture.email,
      firstName: fixture.firstName ?? null,
      lastName: fixture.lastName ?? null,
      timezone: fixture.timezone ?? null,
      birthday: fixture.birthday ?? null,
      consentStatus: fixture.consentStatus,
      properties: fixture.properties as Prisma.InputJsonObject,
      createdAt: input.start,
    },
    select: { id: true },
  });
  return contact.id;
}

async function insertEvent(
  tx: Transaction,
  workspaceId: string,
  contactId: string,
  event: ParsedSimulationInput["events"][number],
): Promise<string> {
  const [row] = await tx.$queryRaw<{ id: bigint }[]>`
    INSERT INTO events (workspace_id, contact_id, name, properties, context, occurred_at, received_at, message_id)
    VALUES (${workspaceId}::uuid, ${contactId}::uuid, ${event.name}, ${JSON.stringify(event.properties)}::jsonb,
            ${JSON.stringify({ source: "simulation" })}::jsonb, ${event.at}, ${event.at},
            ${`simulation:${randomUUID()}`})
    RETURNING id`;
  return String(row?.id);
}

/**
 * What Cartwheel itself records about the contact during the simulation (Segment Entered /
 * Exited, a score or tag change's events) is reacted to at once, as the worker's
 * `process_event` would, so segment goals, exits and triggers act in the simulation too.
 */
async function reactToInternalEvents(
  tx: Transaction,
  contactId: string,
  now: Date,
  { handled, watermark }: { handled: Set<string>; watermark: string },
): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const fresh = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM events
       WHERE contact_id = ${contactId}::uuid AND context->>'source' = 'cartwheel'
         AND id > ${watermark}::bigint
       ORDER BY id`;
    const pending = fresh.filter((event) => !handled.has(event.id));
    if (pending.length === 0) return;
    for (const event of pending) {
      handled.add(event.id);
      await reactToEvent(event.id, { now, tx });
    }
  }
}

/**
 * A simulated open or click of a send node's mail sets what the engine reads; a click with a
 * `url` and no `category` gets the link's category, as a real click's event does.
 */
async function markEngagement(
  tx: Transaction,
  scenarioId: string,
  event: ParsedSimulationInput["events"][number],
): Promise<void> {
  if (
    event.name === "Email Clicked" &&
    typeof event.properties.url === "string" &&
    event.properties.category === undefined
  ) {
    const category = linkCategory(event.properties.url);
    if (category) event.properties.category = category;
  }
  const column =
    event.name === "Email Opened" ? "opened" : event.name === "Email Clicked" ? "clicked" : null;
  const node = event.properties.node;
  if (!column || typeof node !== "string") return;
  const steps = await tx.scenarioStep.findMany({
    where: { scenarioId, nodeId: node, messageId: { not: null } },
    select: { workspaceId: true, messageId: true },
  });
  for (const { workspaceId, messageId } of steps) {
    if (!messageId) continue;
    event.properties.message_id = messageId;
    await tx.message.update({
      where: { id_workspaceId: { workspaceId, id: messageId } },
      data:
        column === "opened"
          ? { openedAt: event.at, openCount: { increment: 1 } }
          : { clickedAt: event.at, clickCount: { increment: 1 }, openedAt: event.at },
    });
  }
}

/** Webhooks are not called: a run waiting on one goes on as if it had answered 2xx. */
async function continueWebhooks(tx: Transaction, scenarioId: string, now: Date): Promise<void> {
  const runs = await tx.scenarioRun.findMany({
    where: { scenarioId, status: "WAITING", wakeAt: null, waitEvent: null },
    select: { id: true, workspaceId: true, nodeId: true, steps: true },
  });
  for (const run of runs) {
    await tx.scenarioStep.updateMany({
      where: { runId: run.id, seq: run.steps - 1, kind: "webhook" },
      data: { reason: "simulated: not called, taken as answered 2xx" },
    });
    await tx.scenarioRun.update({
      where: { id_workspaceId: { workspaceId: run.workspaceId, id: run.id } },
      data: { resumeOutput: "next", wakeAt: now },
    });
  }
}

async function nextWakeOf(tx: Transaction, scenarioId: string): Promise<Date | null> {
  const active = await tx.scenarioRun.findFirst({
    where: { scenarioId, status: "ACTIVE" },
    select: { startedAt: true },
  });
  if (active) return active.startedAt;
  const waiting = await tx.scenarioRun.findFirst({
    where: { scenarioId, status: "WAITING", wakeAt: { not: null } },
    orderBy: { wakeAt: "asc" },
    select: { wakeAt: true },
  });
  return waiting?.wakeAt ?? null;
}

async function collectRuns(
  tx: Transaction,
  scenarioId: string,
  explanations: Map<string, ExplainedCondition>,
): Promise<SimulatedRun[]> {
  const runs = await tx.scenarioRun.findMany({
    where: { scenarioId },
    orderBy: { startedAt: "asc" },
    include: { history: { orderBy: { seq: "asc" } } },
  });
  const simulated: SimulatedRun[] = [];
  for (const run of runs) {
    const steps: SimulatedStep[] = [];
    for (const step of run.history) {
      steps.push({
        nodeId: step.nodeId,
        kind: step.kind,
        enteredAt: step.enteredAt,
        leftAt: step.leftAt,
        output: step.output,
        reason: step.reason,
        detail: step.detail,
        explanation: explanations.get(String(step.id)) ?? null,
        email: step.messageId ? await renderSimulatedEmail(tx, step.messageId) : null,
      });
    }
    simulated.push({
      entityKey: run.entityKey,
      status: run.status,
      reason: run.reason,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      steps,
    });
  }
  return simulated;
}

function summary(event: ParsedSimulationInput["events"][number]) {
  return { at: event.at, name: event.name, started: 0, resumed: 0, ended: 0 };
}
