import { z } from "zod";
import { db, type Transaction, withTransaction } from "../../db.ts";
import type { Prisma, Scenario, ScenarioVersion } from "../../generated/prisma/client.ts";
import { ConflictError, NotFoundError } from "../shared/errors.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import type { ScenarioDefinition } from "./definition/definition.ts";
import { validateDefinition } from "./definition/validate-definition.ts";
import { wakeRunsNow } from "./runs/schedule.ts";

const scenarioFields = z.object({
  name: z.string().trim().min(1, "must not be empty").max(200),
  description: z.string().trim().max(1000).nullable().optional(),
  priority: z.number().int().min(-1000).max(1000).optional(),
  definition: z.unknown(),
});
export type ScenarioInput = z.input<typeof scenarioFields>;

const asJson = (definition: ScenarioDefinition) => definition as unknown as Prisma.InputJsonObject;

/**
 * Creates a scenario as a DRAFT. The definition is validated (shape, graph and references) on
 * save, so a draft can always be published unless what it names was deleted meanwhile.
 *
 * @example await createScenario(workspaceId, { name: "Abandoned cart", definition })
 */
export async function createScenario(
  workspaceId: string,
  input: ScenarioInput,
  options: { tx?: Transaction } = {},
): Promise<Scenario> {
  const fields = parseInput(scenarioFields, input);
  return withTransaction(async (tx) => {
    const definition = await validateDefinition(fields.definition, { workspaceId, executor: tx });
    return tx.scenario.create({
      data: {
        workspaceId,
        name: fields.name,
        description: fields.description ?? null,
        priority: fields.priority ?? 0,
        definition: asJson(definition),
      },
    });
  }, options);
}

/**
 * Changes a scenario's name, description, priority or draft definition. A live scenario keeps
 * running its published version until the draft is published again.
 */
export async function updateScenario(
  workspaceId: string,
  scenarioId: string,
  input: Partial<ScenarioInput>,
): Promise<Scenario> {
  const fields = parseInput(scenarioFields.partial(), input);
  return withTransaction(async (tx) => {
    const scenario = await lockScenario(tx, workspaceId, scenarioId);
    if (scenario.status === "ARCHIVED") throw new ConflictError("the scenario is archived", ["id"]);
    const definition =
      fields.definition === undefined
        ? undefined
        : await validateDefinition(fields.definition, { workspaceId, executor: tx, scenarioId });
    return tx.scenario.update({
      where: { id_workspaceId: { workspaceId: scenario.workspaceId, id: scenario.id } },
      data: {
        ...(fields.name !== undefined && { name: fields.name }),
        ...(fields.description !== undefined && { description: fields.description }),
        ...(fields.priority !== undefined && { priority: fields.priority }),
        ...(definition && { definition: asJson(definition) }),
      },
    });
  });
}

/**
 * Publishes the draft: validates it again (what it names may have gone), freezes it as a new
 * immutable version and makes the scenario LIVE (a paused one stays paused). New runs start
 * on this version; runs in flight finish on the version they started with.
 */
export async function publishScenario(
  workspaceId: string,
  scenarioId: string,
  options: { now?: Date; tx?: Transaction } = {},
): Promise<Scenario> {
  const now = options.now ?? new Date();
  return withTransaction(async (tx) => {
    const scenario = await lockScenario(tx, workspaceId, scenarioId);
    if (scenario.status === "ARCHIVED") throw new ConflictError("the scenario is archived", ["id"]);
    const definition = await validateDefinition(scenario.definition, {
      workspaceId,
      executor: tx,
      scenarioId,
    });
    const last = await tx.scenarioVersion.findFirst({
      where: { scenarioId },
      orderBy: { version: "desc" },
      select: { version: true },
    });
    const version = await tx.scenarioVersion.create({
      data: {
        scenarioId,
        workspaceId,
        version: (last?.version ?? 0) + 1,
        definition: asJson(definition),
      },
    });
    return tx.scenario.update({
      where: { id_workspaceId: { workspaceId, id: scenarioId } },
      data: {
        liveVersionId: version.id,
        status: scenario.status === "PAUSED" ? "PAUSED" : "LIVE",
        publishedAt: now,
        // A date trigger starts with the dates that come from now on.
        dateSweptUntil: scenario.dateSweptUntil ?? now,
        ...triggerIndex(definition),
      },
    });
  }, options);
}

/** The columns that let an event find the live scenarios it starts. */
function triggerIndex(definition: ScenarioDefinition) {
  const trigger = definition.trigger;
  const key =
    trigger.kind === "event"
      ? trigger.event
      : trigger.kind === "segment_entered" || trigger.kind === "segment_exited"
        ? trigger.segmentId
        : trigger.kind === "tag_added"
          ? trigger.tag
          : null;
  return { triggerKind: trigger.kind, triggerKey: key };
}

/** Stops new runs and every step; runs hold where they are until `resumeScenario`. */
export async function pauseScenario(workspaceId: string, scenarioId: string): Promise<Scenario> {
  return withTransaction(async (tx) => {
    const scenario = await lockScenario(tx, workspaceId, scenarioId);
    if (scenario.status !== "LIVE")
      throw new ConflictError(`a ${scenario.status.toLowerCase()} scenario cannot be paused`, [
        "id",
      ]);
    return tx.scenario.update({
      where: { id_workspaceId: { workspaceId, id: scenarioId } },
      data: { status: "PAUSED" },
    });
  });
}

/**
 * Lets a paused scenario run again: runs that fell due while it was paused advance now. Dates
 * of a date trigger that passed while paused start no runs, as events did not.
 */
export async function resumeScenario(
  workspaceId: string,
  scenarioId: string,
  options: { now?: Date } = {},
): Promise<Scenario> {
  return withTransaction(async (tx) => {
    const scenario = await lockScenario(tx, workspaceId, scenarioId);
    if (scenario.status !== "PAUSED")
      throw new ConflictError(`a ${scenario.status.toLowerCase()} scenario cannot be resumed`, [
        "id",
      ]);
    const now = options.now ?? new Date();
    const resumed = await tx.scenario.update({
      where: { id_workspaceId: { workspaceId, id: scenarioId } },
      data: { status: "LIVE", dateSweptUntil: now },
    });
    await wakeRunsNow(tx, scenarioId, now);
    return resumed;
  });
}

/** Retires a scenario: no new runs, and every run in progress exits. */
export async function archiveScenario(
  workspaceId: string,
  scenarioId: string,
  options: { now?: Date; tx?: Transaction } = {},
): Promise<Scenario> {
  const now = options.now ?? new Date();
  return withTransaction(async (tx) => {
    const scenario = await lockScenario(tx, workspaceId, scenarioId);
    if (scenario.status === "ARCHIVED") return scenario;
    await tx.scenarioRun.updateMany({
      where: { scenarioId, status: { in: ["ACTIVE", "WAITING"] } },
      data: {
        status: "EXITED",
        reason: "the scenario was archived",
        endedAt: now,
        wakeAt: null,
        waitEvent: null,
      },
    });
    return tx.scenario.update({
      where: { id_workspaceId: { workspaceId, id: scenarioId } },
      data: { status: "ARCHIVED" },
    });
  });
}

export async function findScenario(
  workspaceId: string,
  scenarioId: string,
  executor: Transaction = db(),
): Promise<Scenario> {
  const scenario = isUuid(scenarioId)
    ? await executor.scenario.findFirst({ where: { id: scenarioId, workspaceId } })
    : null;
  if (!scenario) throw new NotFoundError("Scenario", scenarioId);
  return scenario;
}

async function lockScenario(
  tx: Transaction,
  workspaceId: string,
  scenarioId: string,
): Promise<Scenario> {
  if (!isUuid(scenarioId)) throw new NotFoundError("Scenario", scenarioId);
  await tx.$executeRaw`SELECT 1 FROM scenarios WHERE id = ${scenarioId}::uuid AND workspace_id = ${workspaceId}::uuid FOR UPDATE`;
  return findScenario(workspaceId, scenarioId, tx);
}

/** A workspace's scenarios, newest first, with Pothos's selection and paging. */
export function listScenarios<Q extends object>(workspaceId: string, query: Q) {
  return db().scenario.findMany({
    ...query,
    where: { workspaceId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

export function countScenarios(workspaceId: string): Promise<number> {
  return db().scenario.count({ where: { workspaceId } });
}

const versions = new Map<string, ScenarioDefinition>();

/**
 * A published version's definition. Versions never change, so each is read once per process.
 */
export async function loadVersionDefinition(
  executor: Transaction,
  workspaceId: string,
  versionId: string,
): Promise<ScenarioDefinition> {
  const cached = versions.get(versionId);
  if (cached) return cached;
  const row: Pick<ScenarioVersion, "definition"> = await executor.scenarioVersion.findUniqueOrThrow(
    {
      where: { id_workspaceId: { workspaceId, id: versionId } },
      select: { definition: true },
    },
  );
  const definition = row.definition as unknown as ScenarioDefinition;
  if (versions.size > 5_000) versions.clear();
  versions.set(versionId, definition);
  return definition;
}
