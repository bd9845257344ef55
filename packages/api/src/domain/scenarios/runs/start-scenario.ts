import { z } from "zod";
import { db, withTransaction } from "../../../db.ts";
import type { ScenarioRun } from "../../../generated/prisma/client.ts";
import { lockContact } from "../../contacts/lock-contact.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../../shared/errors.ts";
import { isUuid, parseInput } from "../../shared/validation.ts";
import { findScenario, loadVersionDefinition } from "../scenarios.ts";
import { entityOf, startRun } from "./start-run.ts";

const startInput = z.object({
  payload: z
    .record(z.string(), z.json(), { error: "must be a JSON object" })
    .refine((payload) => JSON.stringify(payload).length <= 16 * 1024, "is larger than 16 KB")
    .default({}),
});

/**
 * Starts a run for a contact from a backend (`startScenario` in GraphQL), with a payload the
 * run keeps as its trigger (`trigger.properties` in templates). The scenario must be live
 * with an `api` trigger; a scenario with an entity key needs it in the payload. Entry rules
 * and the audience apply: a refusal is a ConflictError that says why.
 *
 * @example await startScenario(workspaceId, scenarioId, contactId, { payload: { order_id: "1042" } })
 */
export async function startScenario(
  workspaceId: string,
  scenarioId: string,
  contactId: string,
  input: z.input<typeof startInput>,
  options: { now?: Date } = {},
): Promise<ScenarioRun> {
  const { payload } = parseInput(startInput, input);
  const now = options.now ?? new Date();
  return withTransaction(async (tx) => {
    if (!isUuid(contactId) || !(await lockContact(tx, workspaceId, contactId))) {
      throw new NotFoundError("Contact", contactId);
    }
    const scenario = await findScenario(workspaceId, scenarioId, tx);
    if (scenario.status !== "LIVE" || !scenario.liveVersionId) {
      throw new ConflictError(`the scenario is ${scenario.status.toLowerCase()}, not live`, [
        "scenarioId",
      ]);
    }
    const definition = await loadVersionDefinition(
      tx,
      scenario.workspaceId,
      scenario.liveVersionId,
    );
    if (definition.trigger.kind !== "api") {
      throw InvalidInputError.field(
        ["scenarioId"],
        `starts on its ${definition.trigger.kind} trigger, not by API`,
      );
    }
    const trigger = {
      name: "Scenario Started",
      occurredAt: now.toISOString(),
      properties: payload,
    };
    if (entityOf(definition, trigger) === null) {
      throw InvalidInputError.field(
        ["payload", definition.entityKey ?? ""],
        "is required: the scenario's entity key",
      );
    }
    const result = await startRun(tx, scenario, { contactId, trigger, now });
    if (!result.started) throw new ConflictError(`not started: ${result.reason}`, ["contactId"]);
    return tx.scenarioRun.findUniqueOrThrow({
      where: { id_workspaceId: { workspaceId: scenario.workspaceId, id: result.runId } },
    });
  });
}

/** Ends a run in progress by hand, as EXITED with `reason`. A finished run is a ConflictError. */
export async function exitScenarioRun(
  workspaceId: string,
  runId: string,
  reason: string,
  options: { now?: Date } = {},
): Promise<ScenarioRun> {
  const now = options.now ?? new Date();
  return withTransaction(async (tx) => {
    const run = isUuid(runId)
      ? await tx.scenarioRun.findFirst({ where: { id: runId, workspaceId } })
      : null;
    if (!run) throw new NotFoundError("ScenarioRun", runId);
    await lockContact(tx, workspaceId, run.contactId);
    const { count } = await tx.scenarioRun.updateMany({
      where: { id: runId, status: { in: ["ACTIVE", "WAITING"] } },
      data: {
        status: "EXITED",
        reason: `by hand: ${reason}`,
        endedAt: now,
        wakeAt: null,
        waitEvent: null,
        resumeOutput: null,
      },
    });
    if (count === 0)
      throw new ConflictError(`the run is already ${run.status.toLowerCase()}`, ["id"]);
    await tx.scenarioStep.updateMany({
      where: { workspaceId, runId, leftAt: null },
      data: { leftAt: now, reason: "exited by hand" },
    });
    return tx.scenarioRun.findUniqueOrThrow({
      where: { id_workspaceId: { workspaceId, id: runId } },
    });
  });
}

export interface RunFilter {
  scenarioId?: string;
  contactId?: string;
  status?: ScenarioRun["status"][];
}

const nothing = "00000000-0000-0000-0000-000000000000";

function runsWhere(workspaceId: string, filter: RunFilter = {}) {
  const id = (value: string) => (isUuid(value) ? value : nothing);
  return {
    workspaceId,
    ...(filter.scenarioId && { scenarioId: id(filter.scenarioId) }),
    ...(filter.contactId && { contactId: id(filter.contactId) }),
    ...(filter.status?.length && { status: { in: filter.status } }),
  };
}

/** The workspace's runs, newest first, with Pothos's selection. */
export function listScenarioRuns<Q extends object>(
  workspaceId: string,
  options: { filter?: RunFilter; query: Q },
) {
  return db().scenarioRun.findMany({
    ...options.query,
    where: runsWhere(workspaceId, options.filter),
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
  });
}

export function countScenarioRuns(workspaceId: string, filter?: RunFilter): Promise<number> {
  return db().scenarioRun.count({ where: runsWhere(workspaceId, filter) });
}
