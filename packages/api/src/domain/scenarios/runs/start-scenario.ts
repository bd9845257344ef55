import { z } from "zod";
import { db, withTransaction } from "../../../db.ts";
import type { ScenarioRun } from "../../../generated/prisma/client.ts";
import { lockContact, lockContacts } from "../../contacts/lock-contact.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../../shared/errors.ts";
import { isUuid, parseInput } from "../../shared/validation.ts";
import { findScenario, loadVersionDefinition } from "../scenarios.ts";
import { entityOf, startRuns } from "./start-run.ts";

const payloadSchema = z
  .record(z.string(), z.json(), { error: "must be a JSON object" })
  .refine((payload) => JSON.stringify(payload).length <= 16 * 1024, "is larger than 16 KB")
  .default({});

const startInput = z.object({ payload: payloadSchema });

/** The most runs one `startScenarioRuns` call starts. */
export const maxRunsPerStart = 1_000;

const startManyInput = z.object({
  runs: z
    .array(z.object({ contactId: z.string(), payload: payloadSchema }))
    .min(1, "must list at least one contact")
    .max(maxRunsPerStart, `must list at most ${maxRunsPerStart} contacts`),
});

/** One entry's outcome in `startScenarioRuns`: its run, or why it was not started. */
export type StartedRun =
  | { contactId: string; run: ScenarioRun; reason: null }
  | { contactId: string; run: null; reason: string };

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
  if (!isUuid(contactId)) throw new NotFoundError("Contact", contactId);
  const [result] = await startApiRuns(workspaceId, scenarioId, [{ contactId, payload }], {
    now: options.now ?? new Date(),
    pathOf: (field) => [field],
  });
  if (!result) throw new NotFoundError("Contact", contactId);
  if (!result.run) {
    if (result.reason === "no such contact") throw new NotFoundError("Contact", contactId);
    throw new ConflictError(`not started: ${result.reason}`, ["contactId"]);
  }
  return result.run;
}

/**
 * Starts runs for up to 1,000 contacts at once (`startScenarioRuns` in GraphQL), each with its
 * payload, in one transaction: a result per entry, in order, with its run or the reason it was
 * not started (entry rules, the audience, a contact that does not exist, one listed twice).
 * The scenario must be live with an `api` trigger, and every payload carry the entity key the
 * scenario has; otherwise nothing starts and the error names the entry.
 *
 * @example await startScenarioRuns(workspaceId, scenarioId, { runs: [{ contactId, payload: {} }] })
 */
export async function startScenarioRuns(
  workspaceId: string,
  scenarioId: string,
  input: z.input<typeof startManyInput>,
  options: { now?: Date } = {},
): Promise<StartedRun[]> {
  const { runs } = parseInput(startManyInput, input);
  return startApiRuns(workspaceId, scenarioId, runs, {
    now: options.now ?? new Date(),
    pathOf: (field, index) => ["runs", String(index), field],
  });
}

async function startApiRuns(
  workspaceId: string,
  scenarioId: string,
  entries: readonly { contactId: string; payload: Record<string, unknown> }[],
  options: { now: Date; pathOf: (field: string, index: number) => string[] },
): Promise<StartedRun[]> {
  const { now, pathOf } = options;
  return withTransaction(async (tx) => {
    const scenario = await findScenario(workspaceId, scenarioId, tx);
    if (scenario.status !== "LIVE" || !scenario.liveVersionId) {
      throw new ConflictError(`the scenario is ${scenario.status.toLowerCase()}, not live`, [
        "scenarioId",
      ]);
    }
    const definition = await loadVersionDefinition(tx, workspaceId, scenario.liveVersionId);
    if (definition.trigger.kind !== "api") {
      throw InvalidInputError.field(
        ["scenarioId"],
        `starts on its ${definition.trigger.kind} trigger, not by API`,
      );
    }
    const listed = entries.map((entry, index) => {
      const trigger = {
        name: "Scenario Started",
        occurredAt: now.toISOString(),
        properties: entry.payload,
      };
      if (entityOf(definition, trigger) === null) {
        throw InvalidInputError.field(
          [...pathOf("payload", index), definition.entityKey ?? ""],
          "is required: the scenario's entity key",
        );
      }
      return { contactId: entry.contactId, trigger };
    });
    const ids = entries.map((entry) => entry.contactId).filter(isUuid);
    const existing = new Set(await lockContacts(tx, workspaceId, ids));
    const known = listed.filter((entry) => existing.has(entry.contactId));
    const started = await startRuns(tx, scenario, known, { now });
    const runIds = started.flatMap((result) => (result.started ? [result.runId] : []));
    const rows = new Map(
      (await tx.scenarioRun.findMany({ where: { workspaceId, id: { in: runIds } } })).map((run) => [
        run.id,
        run,
      ]),
    );
    const results = started.values();
    return entries.map((entry): StartedRun => {
      const result = existing.has(entry.contactId) ? results.next().value : undefined;
      const run = result?.started ? rows.get(result.runId) : undefined;
      if (run) return { contactId: entry.contactId, run, reason: null };
      const reason = result && !result.started ? result.reason : "no such contact";
      return { contactId: entry.contactId, run: null, reason };
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
