import { type Transaction, withTransaction } from "../../../db.ts";
import type { Prisma, ScenarioRun, ScenarioRunStatus } from "../../../generated/prisma/client.ts";
import { lockContact } from "../../contacts/lock-contact.ts";
import { loadEmailSettings } from "../../messages/email-settings.ts";
import { zoneOf } from "../../shared/local-time.ts";
import { nodesById, targetOf } from "../definition/graph.ts";
import { loadVersionDefinition } from "../scenarios.ts";
import { executeNode } from "./nodes.ts";
import type { NodeOutcome, RunState, StepContext } from "./run-types.ts";
import { queueAdvance, scheduleWake } from "./schedule.ts";

/** Steps one advance may take: validation forbids loops without a wait, this is the backstop. */
const maxStepsPerAdvance = 100;

export type AdvanceResult =
  | { advanced: true; status: ScenarioRunStatus; steps: number }
  | { advanced: false; reason: "gone" | "finished" | "not due" | "paused" };

/**
 * Takes a run's next steps, up to its next wait or its end, in one transaction that holds the
 * contact's lock and then the run's: every effect of a step (a tag, a score change, the queued
 * message) commits together with the step's history row and the run's new position, so a job
 * retried after a crash at any instant repeats nothing and skips nothing. A waiting run that
 * is not due, or a run of a paused scenario, is left as it is.
 *
 * @example await advanceRun(runId, { now: new Date() })
 */
export async function advanceRun(
  runId: string,
  options: { now: Date; tx?: Transaction },
): Promise<AdvanceResult> {
  return withTransaction(async (tx) => {
    const peek = await tx.scenarioRun.findFirst({
      where: { id: runId },
      select: { workspaceId: true, contactId: true },
    });
    if (!peek || !(await lockContact(tx, peek.workspaceId, peek.contactId)))
      return { advanced: false, reason: "gone" };
    const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM scenario_runs
       WHERE workspace_id = ${peek.workspaceId}::uuid AND id = ${runId}::uuid FOR UPDATE`;
    const run = locked
      ? await tx.scenarioRun.findUnique({
          where: { id_workspaceId: { workspaceId: peek.workspaceId, id: runId } },
        })
      : null;
    if (!run) return { advanced: false, reason: "gone" };
    return advanceLocked(tx, run, options.now);
  }, options);
}

/**
 * Takes a new run's first steps at once, in the transaction that started it (which holds the
 * contact's lock), instead of in a job of its own: a trigger's first email is queued in the
 * same commit as the run. Should a step fail, what it did is rolled back (to a savepoint) and
 * the run's job is queued instead, so the error surfaces and is retried there, not in the
 * trigger's transaction.
 */
export async function advanceNewRun(
  tx: Transaction,
  run: { id: string; workspaceId: string; priority: number },
  now: Date,
): Promise<void> {
  await tx.$executeRawUnsafe("SAVEPOINT first_advance");
  try {
    const row = await tx.scenarioRun.findUniqueOrThrow({
      where: { id_workspaceId: { workspaceId: run.workspaceId, id: run.id } },
    });
    await advanceLocked(tx, row, now);
    await tx.$executeRawUnsafe("RELEASE SAVEPOINT first_advance");
  } catch {
    await tx.$executeRawUnsafe("ROLLBACK TO SAVEPOINT first_advance");
    await queueAdvance(tx, run);
  }
}

async function advanceLocked(tx: Transaction, run: ScenarioRun, now: Date): Promise<AdvanceResult> {
  if (run.status !== "ACTIVE" && run.status !== "WAITING")
    return { advanced: false, reason: "finished" };
  if (run.status === "WAITING" && (!run.wakeAt || run.wakeAt > now))
    return { advanced: false, reason: "not due" };
  const scenario = await tx.scenario.findUniqueOrThrow({
    where: { id_workspaceId: { workspaceId: run.workspaceId, id: run.scenarioId } },
    select: { id: true, workspaceId: true, priority: true, name: true, status: true },
  });
  if (scenario.status === "PAUSED") return { advanced: false, reason: "paused" };
  const contact = await tx.contact.findUniqueOrThrow({
    where: { id_workspaceId: { workspaceId: run.workspaceId, id: run.contactId } },
  });
  const definition = await loadVersionDefinition(tx, run.workspaceId, run.versionId);
  const nodes = nodesById(definition);
  const settings = await loadEmailSettings(run.workspaceId, tx);
  const state = { ...(run.state as RunState) };
  let steps = run.steps;
  let nodeId = run.nodeId;
  const leave = (
    seq: number,
    output: string | null,
    outcome?: Partial<Extract<NodeOutcome, { output: string }>>,
  ) =>
    tx.scenarioStep.updateMany({
      where: { runId: run.id, seq, leftAt: null },
      data: {
        leftAt: now,
        output,
        ...(outcome?.reason && { reason: outcome.reason }),
        ...(outcome?.messageId && { messageId: outcome.messageId }),
        ...(outcome?.detail && { detail: outcome.detail as Prisma.InputJsonObject }),
      },
    });
  // Steps taken in this advance, written in one statement before the run's position moves.
  const newSteps: Prisma.ScenarioStepCreateManyInput[] = [];
  const writeSteps = async () => {
    if (newSteps.length > 0) await tx.scenarioStep.createMany({ data: newSteps.splice(0) });
  };
  const finish = async (status: ScenarioRunStatus, reason: string | null) => {
    await writeSteps();
    await tx.scenarioRun.update({
      where: { id_workspaceId: { workspaceId: run.workspaceId, id: run.id } },
      data: {
        status,
        reason,
        nodeId,
        steps,
        state: state as Prisma.InputJsonObject,
        endedAt: now,
        wakeAt: null,
        waitEvent: null,
        resumeOutput: null,
      },
    });
    return { advanced: true as const, status, steps: steps - run.steps };
  };

  // A waiting run leaves its node by the output it was woken for; null re-runs the node.
  let rerun = false;
  if (run.status === "WAITING" || run.resumeOutput !== null) {
    const current = nodeId ? nodes.get(nodeId) : undefined;
    if (run.resumeOutput === null) rerun = true;
    else if (current) {
      await leave(steps - 1, run.resumeOutput);
      nodeId = targetOf(current, run.resumeOutput);
    }
  }
  if (scenario.status === "ARCHIVED") return finish("EXITED", "the scenario was archived");

  for (let taken = 0; taken < maxStepsPerAdvance; taken++) {
    if (!nodeId) return finish("COMPLETED", null);
    const node = nodes.get(nodeId);
    if (!node) return finish("FAILED", `the definition has no node "${nodeId}"`);
    // A node re-run after a wait has its step row; a new step's row is written once, with its
    // outcome, with the advance's other new steps (they and their effects commit together).
    const fresh = !rerun;
    const seq = rerun ? steps - 1 : steps++;
    rerun = false;
    const record = (
      left: boolean,
      outcome: {
        output?: string;
        reason?: string;
        messageId?: string;
        detail?: Record<string, unknown>;
      },
    ) =>
      newSteps.push({
        runId: run.id,
        workspaceId: run.workspaceId,
        scenarioId: run.scenarioId,
        seq,
        nodeId: node.id,
        kind: node.kind,
        enteredAt: now,
        ...(left && { leftAt: now }),
        ...(outcome.output !== undefined && { output: outcome.output }),
        ...(outcome.reason && { reason: outcome.reason }),
        ...(outcome.messageId && { messageId: outcome.messageId }),
        ...(outcome.detail && { detail: outcome.detail as Prisma.InputJsonObject }),
      });
    const context: StepContext = {
      tx,
      now,
      run,
      scenario,
      definition,
      contact,
      seq,
      state,
      zone: zoneOf(contact.timezone, settings.timezone),
      currency: settings.currency,
      settings,
    };
    const outcome = await executeNode(node, context);
    if ("end" in outcome) {
      if (fresh) record(true, { reason: outcome.reason });
      else await leave(seq, null, { reason: outcome.reason });
      return finish(outcome.end, outcome.reason);
    }
    if ("wait" in outcome) {
      const { until, event, resumeOutput } = outcome.wait;
      const queued = until ? await scheduleWake(tx, scenario, until, now) : false;
      if (fresh) {
        record(false, {
          ...(outcome.reason && { reason: outcome.reason }),
          ...(outcome.detail && { detail: outcome.detail }),
        });
      } else if (outcome.reason || outcome.detail) {
        await tx.scenarioStep.updateMany({
          where: { runId: run.id, seq },
          data: {
            ...(outcome.reason && { reason: outcome.reason }),
            ...(outcome.detail && { detail: outcome.detail as Prisma.InputJsonObject }),
          },
        });
      }
      await writeSteps();
      await tx.scenarioRun.update({
        where: { id_workspaceId: { workspaceId: run.workspaceId, id: run.id } },
        data: {
          status: "WAITING",
          nodeId,
          resumeOutput,
          wakeAt: until,
          wakeQueued: queued,
          waitEvent: event ?? null,
          waitingSince: now,
          steps,
          state: state as Prisma.InputJsonObject,
        },
      });
      return { advanced: true, status: "WAITING", steps: steps - run.steps };
    }
    if (fresh) {
      record(true, {
        output: outcome.output,
        ...(outcome.reason && { reason: outcome.reason }),
        ...(outcome.messageId && { messageId: outcome.messageId }),
        ...(outcome.detail && { detail: outcome.detail }),
      });
    } else await leave(seq, outcome.output, outcome);
    nodeId = targetOf(node, outcome.output);
  }
  // The backstop: carry on in the next job rather than hold the transaction.
  await writeSteps();
  await tx.scenarioRun.update({
    where: { id_workspaceId: { workspaceId: run.workspaceId, id: run.id } },
    data: {
      status: "ACTIVE",
      nodeId,
      resumeOutput: null,
      steps,
      state: state as Prisma.InputJsonObject,
    },
  });
  await queueAdvance(tx, scenario);
  return { advanced: true, status: "ACTIVE", steps: steps - run.steps };
}

/**
 * Advances every run that is due by `now` (active ones, and waiting ones whose wake time has
 * come), higher scenario priority first, each in its own transaction. The worker's jobs do
 * this one run at a time; tests and catch-ups with an injected clock call it directly.
 * Returns how many runs moved.
 *
 * @example await advanceDueRuns({ now: clock.now(), workspaceId })
 */
export async function advanceDueRuns(options: {
  now: Date;
  workspaceId?: string;
}): Promise<number> {
  let moved = 0;
  for (let round = 0; round < 20; round++) {
    const due = await withTransaction(
      (tx) =>
        tx.$queryRaw<{ id: string }[]>`
        SELECT r.id::text FROM scenario_runs r JOIN scenarios s ON s.id = r.scenario_id
         WHERE (r.status = 'ACTIVE' OR (r.status = 'WAITING' AND r.wake_at <= ${options.now}::timestamptz))
           AND s.status <> 'PAUSED'
           AND (${options.workspaceId ?? null}::uuid IS NULL OR r.workspace_id = ${options.workspaceId ?? null}::uuid)
         ORDER BY s.priority DESC, r.wake_at NULLS FIRST, r.started_at
         LIMIT 1000`,
    );
    let progressed = 0;
    for (const { id } of due) {
      const result = await advanceRun(id, { now: options.now });
      if (result.advanced) progressed += 1;
    }
    moved += progressed;
    if (progressed === 0) break;
  }
  return moved;
}
