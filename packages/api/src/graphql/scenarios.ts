import { encodeGlobalID } from "@pothos/plugin-relay";
import type { ScenarioDefinition } from "../domain/scenarios/definition/definition.ts";
import {
  countScenarioRuns,
  exitScenarioRun,
  listScenarioRuns,
  maxRunsPerStart,
  type StartedRun,
  startScenario,
  startScenarioRuns,
} from "../domain/scenarios/runs/start-scenario.ts";
import {
  archiveScenario,
  countScenarios,
  createScenario,
  listScenarios,
  pauseScenario,
  publishScenario,
  resumeScenario,
  updateScenario,
} from "../domain/scenarios/scenarios.ts";
import {
  type BranchStats as BranchStatsShape,
  scenarioNodeStats,
} from "../domain/scenarios/stats.ts";
import { InvalidInputError } from "../domain/shared/errors.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { EmailStatsRef } from "./email-stats.ts";
import { mutationErrors } from "./errors.ts";
import { decodeId } from "./ids.ts";
import { withoutNulls } from "./input.ts";
import { ScenarioDefinitionInput } from "./scenario-definition-input.ts";
import { definitionOf, encodeDocumentIds } from "./scenario-document.ts";
import { inCallersWorkspace } from "./scoping.ts";

const ScenarioStatus = builder.enumType("ScenarioStatus", {
  values: {
    DRAFT: { description: "Being edited; nothing runs." },
    LIVE: { description: "Published: its trigger starts runs and runs advance." },
    PAUSED: { description: "No new runs and no steps; runs hold and continue on resume." },
    ARCHIVED: { description: "Retired; its runs were exited." },
  },
});

const ScenarioRunStatus = builder.enumType("ScenarioRunStatus", {
  values: {
    ACTIVE: { description: "Due to take its next step now." },
    WAITING: { description: "At a delay or a wait; `wakeAt` says until when." },
    COMPLETED: { description: "Reached the end of a path." },
    CONVERTED: { description: "Reached a goal." },
    EXITED: { description: "Ended by an exit condition, an exit node, archiving or by hand." },
    FAILED: { description: "A step could not be carried out; `reason` says why." },
  },
});

builder.prismaObject("ScenarioStep", {
  description: "One node a run passed through.",
  fields: (t) => ({
    seq: t.exposeInt("seq", { description: "The step's number within the run, from 0." }),
    nodeId: t.exposeString("nodeId"),
    kind: t.exposeString("kind"),
    enteredAt: t.expose("enteredAt", { type: "DateTime" }),
    leftAt: t.expose("leftAt", { type: "DateTime", nullable: true }),
    output: t.exposeString("output", {
      nullable: true,
      description: "The output the run left by: next, yes/no, matched/timedOut, a split's branch.",
    }),
    reason: t.exposeString("reason", {
      nullable: true,
      description: "Why, where there was a choice or a skip.",
    }),
    detail: t.field({
      type: "JSONObject",
      nullable: true,
      resolve: (step) => step.detail as object | null,
    }),
    messageId: t.id({
      nullable: true,
      description: "The message a send node queued (a Message id for `node`).",
      resolve: (step) => (step.messageId ? encodeGlobalID("Message", step.messageId) : null),
    }),
  }),
});

export const ScenarioRun = builder.prismaNode("ScenarioRun", {
  id: { resolve: (row) => row.id },
  nullable: true,
  authScopes: { scope: "scenarios:read" },
  findUnique: inCallersWorkspace,
  fields: (t) => ({
    status: t.expose("status", { type: ScenarioRunStatus }),
    scenario: t.relation("scenario"),
    contact: t.relation("contact", {
      nullable: true,
      description: "Null (with a FORBIDDEN error) for a key without contacts:read.",
    }),
    version: t.int({
      select: { version: { select: { version: true } } },
      resolve: (run) => run.version.version,
    }),
    entityKey: t.exposeString("entityKey", {
      description: "The trigger's entity value (e.g. its cart_id); empty without an entity key.",
    }),
    nodeId: t.exposeString("nodeId", {
      nullable: true,
      description: "Where the run is (or ended).",
    }),
    wakeAt: t.expose("wakeAt", { type: "DateTime", nullable: true }),
    waitEvent: t.exposeString("waitEvent", {
      nullable: true,
      description: "The event a wait_for_event node waits for.",
    }),
    trigger: t.field({ type: "JSONObject", resolve: (run) => run.trigger as object }),
    reason: t.exposeString("reason", { nullable: true }),
    holdout: t.exposeString("holdout", {
      nullable: true,
      description:
        'Held out of the scenario\'s marketing mail: "scenario" (its holdout) or "control_group" (the workspace\'s); null when mailed.',
    }),
    startedAt: t.expose("startedAt", { type: "DateTime" }),
    endedAt: t.expose("endedAt", { type: "DateTime", nullable: true }),
    history: t.relation("history", { query: { orderBy: { seq: "asc" } } }),
  }),
});

builder.prismaObject("ScenarioVersion", {
  fields: (t) => ({
    version: t.exposeInt("version"),
    definition: t.field({
      type: "JSONObject",
      resolve: (v) => encodeDocumentIds(v.definition) as object,
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const OutputCount = builder
  .objectRef<{ output: string; count: number }>("ScenarioOutputCount")
  .implement({
    fields: (t) => ({ output: t.exposeString("output"), count: t.exposeInt("count") }),
  });

const BranchStats = builder.objectRef<BranchStatsShape>("ScenarioBranchStats").implement({
  description:
    "One branch of a split (an A/B test or a holdout): the runs it was given and how they did, to compare side by side.",
  fields: (t) => ({
    name: t.exposeString("name"),
    weight: t.exposeInt("weight"),
    holdout: t.exposeBoolean("holdout", {
      description: "The split's holdout branch: its runs send no marketing mail.",
    }),
    runs: t.exposeInt("runs", { description: "Runs assigned to the branch." }),
    inProgress: t.exposeInt("inProgress", { description: "Of those, still running or waiting." }),
    converted: t.exposeInt("converted", { description: "Of those, reached a goal." }),
    completed: t.exposeInt("completed", { description: "Of those, reached the end of a path." }),
    exited: t.exposeInt("exited", {
      description: "Of those, ended by an exit condition, by hand, or failed.",
    }),
    conversionRate: t.float({
      nullable: true,
      description: "converted / runs; null before any run.",
      resolve: (b) => (b.runs === 0 ? null : b.converted / b.runs),
    }),
    messages: t.field({
      type: EmailStatsRef,
      description: "The messages these runs were sent after the split.",
      resolve: (b) => b.messages,
    }),
  }),
});

export const NodeStats = builder
  .objectRef<Awaited<ReturnType<typeof scenarioNodeStats>>[number]>("ScenarioNodeStats")
  .implement({
    description: "What happened at one node, over every version.",
    fields: (t) => ({
      nodeId: t.exposeString("nodeId"),
      entered: t.exposeInt("entered", { description: "Runs that arrived at the node." }),
      outputs: t.field({
        type: [OutputCount],
        description: "Runs that left by each output.",
        resolve: (s) => s.outputs,
      }),
      waiting: t.exposeInt("waiting", { description: "Runs at the node now." }),
      conversions: t.exposeInt("conversions", {
        description: "Runs that passed the node, then reached a goal.",
      }),
      messages: t.field({
        type: EmailStatsRef,
        nullable: true,
        description: "For send nodes.",
        resolve: (s) => s.messages,
      }),
      branches: t.field({
        type: [BranchStats],
        nullable: true,
        description: "For split nodes: each branch side by side, in the definition's order.",
        resolve: (s) => s.branches,
      }),
    }),
  });

const RunFilter = builder.inputType("ScenarioRunFilter", {
  fields: (t) => ({
    scenarioId: t.id(),
    contactId: t.id(),
    status: t.field({ type: [ScenarioRunStatus] }),
  }),
});

export const Scenario = builder.prismaNode("Scenario", {
  id: { resolve: (row) => row.id },
  nullable: true,
  authScopes: { scope: "scenarios:read" },
  findUnique: inCallersWorkspace,
  fields: (t) => ({
    name: t.exposeString("name"),
    description: t.exposeString("description", { nullable: true }),
    status: t.expose("status", { type: ScenarioStatus }),
    priority: t.exposeInt("priority", {
      description: "Higher sends first when two scenarios compete for a contact.",
    }),
    definition: t.field({
      type: "JSONObject",
      description: "The draft definition document (format version 1); ids are global ids.",
      resolve: (scenario) => encodeDocumentIds(scenario.definition) as object,
    }),
    liveVersion: t.relation("liveVersion", {
      nullable: true,
      description: "The version new runs start on.",
    }),
    versions: t.relation("versions", { query: { orderBy: { version: "desc" } } }),
    nodeStats: t.field({
      type: [NodeStats],
      description: "Per node: arrivals, outputs taken, runs waiting now, conversions, messages.",
      resolve: (scenario) =>
        scenarioNodeStats(scenario.id, scenario.definition as unknown as ScenarioDefinition),
    }),
    runs: t.relatedConnection("runs", {
      cursor: "id_workspaceId",
      query: { orderBy: [{ startedAt: "desc" }, { id: "desc" }] },
      totalCount: true,
    }),
    publishedAt: t.expose("publishedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.prismaObjectField("Contact", "scenarioRuns", (t) =>
  t.relatedConnection("scenarioRuns", {
    cursor: "id_workspaceId",
    description: "The contact's scenario runs, newest first, each with its history.",
    authScopes: { scope: "scenarios:read" },
    nullable: true,
    query: { orderBy: [{ startedAt: "desc" }, { id: "desc" }] },
  }),
);

builder.queryField("scenarios", (t) =>
  t.prismaConnection(
    {
      type: Scenario,
      cursor: "id_workspaceId",
      defaultSize: 50,
      maxSize: 200,
      authScopes: { scope: "scenarios:read" },
      totalCount: (_connection, _args, context) => countScenarios(workspaceOf(context.principal)),
      resolve: (query, _root, _args, context) =>
        listScenarios(workspaceOf(context.principal), query),
    },
    {},
  ),
);

builder.queryField("scenarioRuns", (t) =>
  t.prismaConnection(
    {
      type: ScenarioRun,
      cursor: "id_workspaceId",
      defaultSize: 50,
      maxSize: 500,
      authScopes: { scope: "scenarios:read" },
      args: { filter: t.arg({ type: RunFilter }) },
      totalCount: (_connection, { filter }, context) =>
        countScenarioRuns(workspaceOf(context.principal), runFilter(filter)),
      resolve: (query, _root, { filter }, context) =>
        listScenarioRuns(workspaceOf(context.principal), { filter: runFilter(filter), query }),
    },
    {},
  ),
);

function runFilter(
  filter:
    | { scenarioId?: string | null; contactId?: string | null; status?: string[] | null }
    | null
    | undefined,
) {
  if (!filter) return {};
  const given = withoutNulls(filter);
  return {
    ...(given.scenarioId && {
      scenarioId: decodeId(given.scenarioId, "Scenario", ["filter", "scenarioId"]),
    }),
    ...(given.contactId && {
      contactId: decodeId(given.contactId, "Contact", ["filter", "contactId"]),
    }),
    ...(given.status && { status: given.status as ("ACTIVE" | "WAITING")[] }),
  };
}

const CreateScenarioInput = builder.inputType("CreateScenarioInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    priority: t.int({ description: "Default 0; higher sends first when scenarios compete." }),
    definition: t.field({
      type: "JSONObject",
      description:
        "The definition document (format version 1), as kept in a file; see the README's Scenarios section. Give this or `definitionInput`.",
    }),
    definitionInput: t.field({
      type: ScenarioDefinitionInput,
      description: "The same definition as typed input. Give this or `definition`.",
    }),
  }),
});

builder.mutationField("createScenario", (t) =>
  t.field({
    type: Scenario,
    description:
      "Saves a scenario as a draft; the definition is validated, naming each problem by node and field.",
    authScopes: { scope: "scenarios:write" },
    errors: { types: mutationErrors, dataField: { name: "scenario" } },
    args: { input: t.arg({ type: CreateScenarioInput, required: true }) },
    resolve: (_root, { input }, context) =>
      createScenario(workspaceOf(context.principal), {
        name: input.name,
        description: input.description ?? null,
        ...(input.priority != null && { priority: input.priority }),
        definition: definitionOf(input) ?? refuseMissingDefinition(),
      }),
  }),
);

const UpdateScenarioInput = builder.inputType("UpdateScenarioInput", {
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string(),
    description: t.string(),
    priority: t.int(),
    definition: t.field({
      type: "JSONObject",
      description: "A new draft document; runs keep their version. Not with `definitionInput`.",
    }),
    definitionInput: t.field({
      type: ScenarioDefinitionInput,
      description: "A new draft as typed input; runs keep their version. Not with `definition`.",
    }),
  }),
});

builder.mutationField("updateScenario", (t) =>
  t.field({
    type: Scenario,
    description: "Changes a scenario's draft; publish it to make it the version new runs start on.",
    authScopes: { scope: "scenarios:write" },
    errors: { types: mutationErrors, dataField: { name: "scenario" } },
    args: { input: t.arg({ type: UpdateScenarioInput, required: true }) },
    resolve: (_root, { input }, context) => {
      const definition = definitionOf(input);
      return updateScenario(
        workspaceOf(context.principal),
        decodeId(input.id, "Scenario", ["id"]),
        {
          ...(input.name != null && { name: input.name }),
          ...(input.description !== undefined && { description: input.description }),
          ...(input.priority != null && { priority: input.priority }),
          ...(definition !== undefined && { definition }),
        },
      );
    },
  }),
);

function refuseMissingDefinition(): never {
  throw InvalidInputError.field(
    ["definition"],
    "give the definition: as definition (the JSON document) or as definitionInput",
  );
}

const ScenarioIdInput = builder.inputType("ScenarioIdInput", {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

const lifecycle = [
  [
    "publishScenario",
    publishScenario,
    "Validates the draft and publishes it as a new immutable version; the scenario goes live.",
  ],
  ["pauseScenario", pauseScenario, "Stops new runs and every step; runs hold where they are."],
  [
    "resumeScenario",
    resumeScenario,
    "Lets a paused scenario run again; runs that fell due advance now.",
  ],
  ["archiveScenario", archiveScenario, "Retires the scenario; every run in progress exits."],
] as const;

for (const [name, action, description] of lifecycle) {
  builder.mutationField(name, (t) =>
    t.field({
      type: Scenario,
      description,
      authScopes: { scope: "scenarios:write" },
      errors: { types: mutationErrors, dataField: { name: "scenario" } },
      args: { input: t.arg({ type: ScenarioIdInput, required: true }) },
      resolve: (_root, { input }, context) =>
        action(workspaceOf(context.principal), decodeId(input.id, "Scenario", ["id"])),
    }),
  );
}

const StartScenarioInput = builder.inputType("StartScenarioInput", {
  fields: (t) => ({
    scenarioId: t.id({ required: true }),
    contactId: t.id({ required: true }),
    payload: t.field({
      type: "JSONObject",
      description: "Kept on the run as its trigger; `trigger.properties` in templates.",
    }),
  }),
});

builder.mutationField("startScenario", (t) =>
  t.field({
    type: ScenarioRun,
    description:
      "Starts a run of a live scenario with an api trigger, for a contact. Entry rules apply.",
    authScopes: { scope: "scenarios:write" },
    errors: { types: mutationErrors, dataField: { name: "run" } },
    args: { input: t.arg({ type: StartScenarioInput, required: true }) },
    resolve: (_root, { input }, context) =>
      startScenario(
        workspaceOf(context.principal),
        decodeId(input.scenarioId, "Scenario", ["scenarioId"]),
        decodeId(input.contactId, "Contact", ["contactId"]),
        { payload: (input.payload ?? {}) as Record<string, never> },
      ),
  }),
);

const StartScenarioRunInput = builder.inputType("StartScenarioRunInput", {
  description: "One contact to start a run for.",
  fields: (t) => ({
    contactId: t.id({ required: true }),
    payload: t.field({
      type: "JSONObject",
      description: "Kept on the run as its trigger; `trigger.properties` in templates.",
    }),
  }),
});

const StartScenarioRunsInput = builder.inputType("StartScenarioRunsInput", {
  fields: (t) => ({
    scenarioId: t.id({ required: true }),
    runs: t.field({
      type: [StartScenarioRunInput],
      required: true,
      description: `Up to ${maxRunsPerStart} contacts, each with its payload.`,
    }),
  }),
});

const StartedScenarioRun = builder.objectRef<StartedRun>("StartedScenarioRun").implement({
  description: "What startScenarioRuns did for one contact: its run, or why none was started.",
  fields: (t) => ({
    contactId: t.globalID({
      description: "The contact, as listed.",
      resolve: (row) => ({ type: "Contact", id: row.contactId }),
    }),
    run: t.field({ type: ScenarioRun, nullable: true, resolve: (row) => row.run }),
    notStartedReason: t.string({
      nullable: true,
      description:
        "Why no run was started: an entry rule, the audience, a contact that does not exist, one listed twice.",
      resolve: (row) => row.reason,
    }),
  }),
});

const StartScenarioRunsPayload = builder
  .objectRef<{ rows: StartedRun[] }>("StartScenarioRunsPayload")
  .implement({
    description: "What startScenarioRuns started.",
    fields: (t) => ({
      startedCount: t.int({
        description: "Runs started.",
        resolve: ({ rows }) => rows.filter((row) => row.run).length,
      }),
      rows: t.field({
        type: [StartedScenarioRun],
        description: "One per listed contact, in input order.",
        resolve: ({ rows }) => rows,
      }),
    }),
  });

builder.mutationField("startScenarioRuns", (t) =>
  t.field({
    type: StartScenarioRunsPayload,
    description:
      "Starts runs of a live scenario with an api trigger for many contacts at once, in one transaction: entry rules apply to each, and each row says what happened. A bad payload starts nothing and the error names its row.",
    authScopes: { scope: "scenarios:write" },
    errors: {
      types: mutationErrors,
      union: { description: "The runs started, or why none was." },
      result: { description: "The contacts were considered." },
      dataField: { name: "result", description: "What was started." },
    },
    args: { input: t.arg({ type: StartScenarioRunsInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      rows: await startScenarioRuns(
        workspaceOf(context.principal),
        decodeId(input.scenarioId, "Scenario", ["scenarioId"]),
        {
          runs: input.runs.map((run, index) => ({
            contactId: decodeId(run.contactId, "Contact", ["runs", String(index), "contactId"]),
            payload: (run.payload ?? {}) as Record<string, never>,
          })),
        },
      ),
    }),
  }),
);

const ExitScenarioRunInput = builder.inputType("ExitScenarioRunInput", {
  fields: (t) => ({ id: t.id({ required: true }), reason: t.string({ required: true }) }),
});

builder.mutationField("exitScenarioRun", (t) =>
  t.field({
    type: ScenarioRun,
    description: "Ends a run in progress by hand.",
    authScopes: { scope: "scenarios:write" },
    errors: { types: mutationErrors, dataField: { name: "run" } },
    args: { input: t.arg({ type: ExitScenarioRunInput, required: true }) },
    resolve: (_root, { input }, context) =>
      exitScenarioRun(
        workspaceOf(context.principal),
        decodeId(input.id, "ScenarioRun", ["id"]),
        input.reason,
      ),
  }),
);
