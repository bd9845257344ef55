import { type Transaction, withTransaction } from "../../../db.ts";
import type { Prisma, ScenarioRun, ScenarioRunStatus } from "../../../generated/prisma/client.ts";
import { lockContacts } from "../../contacts/lock-contact.ts";
import { zoneOf } from "../../shared/local-time.ts";
import { nodesById, targetOf } from "../definition/graph.ts";
import { loadVersionDefinition } from "../scenarios.ts";
import { AdvanceBatch } from "./advance-batch.ts";
import { executeNode } from "./nodes.ts";
import type { NodeOutcome, RunState, StepContext } from "./run-types.ts";
import { queueAdvances, wakeHorizonMs } from "./schedule.ts";

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
  const results = await advanceRuns([runId], options);
  return results.get(runId) ?? { advanced: false, reason: "gone" };
}

/**
 * Advances several runs as `advanceRun` does each, in one transaction: per workspace, their
 * contacts locked in id order, then the runs, and their reads and writes made together (see
 * `AdvanceBatch`), in the order given. Runs that are gone come back as "gone".
 *
 * @example await advanceRuns(runIds, { now: new Date() })
 */
export async function advanceRuns(
  runIds: readonly string[],
  options: { now: Date; tx?: Transaction },
): Promise<Map<string, AdvanceResult>> {
  return withTransaction(async (tx) => {
    const peek = await tx.scenarioRun.findMany({
      where: { id: { in: [...runIds] } },
      select: { id: true, workspaceId: true, contactId: true },
    });
    const results = new Map<string, AdvanceResult>();
    const workspaces = [...new Set(peek.map((run) => run.workspaceId))].sort();
    const order = new Map(runIds.map((id, index) => [id, index]));
    for (const workspaceId of workspaces) {
      const mine = peek.filter((run) => run.workspaceId === workspaceId);
      await lockContacts(
        tx,
        workspaceId,
        mine.map((run) => run.contactId),
      );
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM scenario_runs
         WHERE workspace_id = ${workspaceId}::uuid AND id = ANY(${mine.map((run) => run.id)}::uuid[])
         ORDER BY id FOR UPDATE`;
      const runs = await tx.scenarioRun.findMany({
        where: { workspaceId, id: { in: locked.map((row) => row.id) } },
      });
      runs.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
      for (const [id, result] of await advanceLockedRuns(tx, workspaceId, runs, options.now)) {
        results.set(id, result);
      }
    }
    return results;
  }, options);
}

/**
 * Takes new runs' first steps at once, in the transaction that started them (which holds the
 * contacts' locks), instead of in jobs of their own: a trigger's first email is queued in the
 * same commit as its run. Should a step fail, what they did is rolled back (to a savepoint)
 * and each run's job is queued instead, so the error surfaces and is retried there, not in the
 * trigger's transaction.
 */
export async function advanceNewRuns(
  tx: Transaction,
  workspaceId: string,
  runs: readonly { id: string; priority: number }[],
  now: Date,
): Promise<void> {
  if (runs.length === 0) return;
  await tx.$executeRawUnsafe("SAVEPOINT first_advance");
  try {
    const rows = await tx.scenarioRun.findMany({
      where: { workspaceId, id: { in: runs.map((run) => run.id) } },
    });
    await advanceLockedRuns(tx, workspaceId, rows, now);
    await tx.$executeRawUnsafe("RELEASE SAVEPOINT first_advance");
  } catch {
    await tx.$executeRawUnsafe("ROLLBACK TO SAVEPOINT first_advance");
    await queueAdvances(tx, runs);
  }
}

/** Advances runs whose contacts and rows this transaction has locked, then writes the batch. */
async function advanceLockedRuns(
  tx: Transaction,
  workspaceId: string,
  runs: readonly ScenarioRun[],
  now: Date,
): Promise<Map<string, AdvanceResult>> {
  const batch = new AdvanceBatch(tx, workspaceId);
  await batch.loadContacts(runs.map((run) => run.contactId));
  const results = new Map<string, AdvanceResult>();
  for (const run of runs) results.set(run.id, await advanceLocked(tx, run, now, batch));
  await batch.flush();
  return results;
}

async function advanceLocked(
  tx: Transaction,
  run: ScenarioRun,
  now: Date,
  batch: AdvanceBatch,
): Promise<AdvanceResult> {
  if (run.status !== "ACTIVE" && run.status !== "WAITING")
    return { advanced: false, reason: "finished" };
  if (run.status === "WAITING" && (!run.wakeAt || run.wakeAt > now))
    return { advanced: false, reason: "not due" };
  const scenario = await batch.scenario(run.scenarioId);
  if (scenario.status === "PAUSED") return { advanced: false, reason: "paused" };
  const contact = await batch.contact(run.contactId);
  const definition = await loadVersionDefinition(tx, run.workspaceId, run.versionId);
  const nodes = nodesById(definition);
  const settings = await batch.settings();
  const state = { ...(run.state as RunState) };
  let steps = run.steps;
  let nodeId = run.nodeId;
  const leave = (
    seq: number,
    output: string | null,
    outcome?: Partial<Extract<NodeOutcome, { output: string }>>,
  ) =>
    batch.leaveStep({
      runId: run.id,
      seq,
      leftAt: now,
      output,
      ...(outcome?.reason && { reason: outcome.reason }),
      ...(outcome?.messageId && { messageId: outcome.messageId }),
      ...(outcome?.detail && { detail: outcome.detail as Prisma.InputJsonObject }),
    });
  const moved = (status: ScenarioRunStatus) => ({
    advanced: true as const,
    status,
    steps: steps - run.steps,
  });
  const finish = (status: ScenarioRunStatus, reason: string | null) => {
    batch.updateRun({
      ...run,
      status,
      reason,
      nodeId,
      steps,
      state: state as Prisma.JsonObject,
      endedAt: now,
      wakeAt: null,
      waitEvent: null,
      resumeOutput: null,
    });
    return moved(status);
  };

  // A waiting run leaves its node by the output it was woken for; null re-runs the node.
  let rerun = false;
  if (run.status === "WAITING" || run.resumeOutput !== null) {
    const current = nodeId ? nodes.get(nodeId) : undefined;
    if (run.resumeOutput === null) rerun = true;
    else if (current) {
      leave(steps - 1, run.resumeOutput);
      nodeId = targetOf(current, run.resumeOutput);
    }
  }
  if (scenario.status === "ARCHIVED") return finish("EXITED", "the scenario was archived");

  for (let taken = 0; taken < maxStepsPerAdvance; taken++) {
    if (!nodeId) return finish("COMPLETED", null);
    const node = nodes.get(nodeId);
    if (!node) return finish("FAILED", `the definition has no node "${nodeId}"`);
    // A node re-run after a wait has its step row; a new step's row is written once, with its
    // outcome, with the batch's other writes (they and their effects commit together).
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
      batch.addStep({
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
      batch,
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
      else leave(seq, null, { reason: outcome.reason });
      return finish(outcome.end, outcome.reason);
    }
    if ("wait" in outcome) {
      const { until, event, resumeOutput } = outcome.wait;
      const queued = until !== null && until.getTime() - now.getTime() <= wakeHorizonMs;
      if (queued) batch.queueAdvance({ id: run.id, priority: scenario.priority }, until);
      if (fresh) {
        record(false, {
          ...(outcome.reason && { reason: outcome.reason }),
          ...(outcome.detail && { detail: outcome.detail }),
        });
      } else if (outcome.reason || outcome.detail) {
        batch.leaveStep({
          runId: run.id,
          seq,
          ...(outcome.reason && { reason: outcome.reason }),
          ...(outcome.detail && { detail: outcome.detail as Prisma.InputJsonObject }),
        });
      }
      batch.updateRun({
        ...run,
        status: "WAITING",
        nodeId,
        resumeOutput,
        wakeAt: until,
        wakeQueued: queued,
        waitEvent: event ?? null,
        waitingSince: now,
        steps,
        state: state as Prisma.JsonObject,
      });
      return moved("WAITING");
    }
    if (fresh) {
      record(true, {
        output: outcome.output,
        ...(outcome.reason && { reason: outcome.reason }),
        ...(outcome.messageId && { messageId: outcome.messageId }),
        ...(outcome.detail && { detail: outcome.detail }),
      });
    } else leave(seq, outcome.output, outcome);
    nodeId = targetOf(node, outcome.output);
  }
  // The backstop: carry on in the next job rather than hold the transaction.
  batch.updateRun({
    ...run,
    status: "ACTIVE",
    nodeId,
    resumeOutput: null,
    steps,
    state: state as Prisma.JsonObject,
  });
  batch.queueAdvance({ id: run.id, priority: scenario.priority });
  return moved("ACTIVE");
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
