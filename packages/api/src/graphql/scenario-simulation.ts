import { encodeGlobalID } from "@pothos/plugin-relay";
import { resolveReferenceNames } from "../domain/scenarios/as-code/resolve-names.ts";
import { InvalidInputError, NotFoundError } from "../domain/shared/errors.ts";
import {
  type AudienceForecast,
  forecastScenarioAudience,
} from "../domain/simulation/forecast-scenario-audience.ts";
import type { SimulatedEmail } from "../domain/simulation/render-simulated-email.ts";
import {
  type ScenarioSimulation,
  type SimulatedEvent,
  type SimulatedRun,
  type SimulatedStep,
  simulateScenario,
} from "../domain/simulation/simulate-scenario.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { decodeId } from "./ids.ts";
import { withoutNulls } from "./input.ts";
import { ScenarioDefinitionInput } from "./scenario-definition-input.ts";
import { definitionOf } from "./scenario-document.ts";
import { ExplainedConditionRef } from "./segments.ts";

const SimulationContactInput = builder.inputType("SimulationContactInput", {
  description: "A made-up contact that exists only for the simulation.",
  fields: (t) => ({
    email: t.string({ required: true }),
    firstName: t.string(),
    lastName: t.string(),
    timezone: t.string({ description: "An IANA zone; else the workspace's." }),
    birthday: t.field({ type: "DateTime" }),
    consentStatus: t.string({
      description: "UNKNOWN, PENDING, SUBSCRIBED (the default) or UNSUBSCRIBED.",
    }),
    properties: t.field({ type: "JSONObject" }),
  }),
});

const SimulationEventInput = builder.inputType("SimulationEventInput", {
  description:
    "Something the contact does at a virtual time. `Email Opened` / `Email Clicked` with `properties.node` set to a send node's id mark that node's mail as opened or clicked.",
  fields: (t) => ({
    at: t.field({ type: "DateTime", required: true }),
    name: t.string({ required: true }),
    properties: t.field({ type: "JSONObject" }),
  }),
});

const SimulateScenarioInput = builder.inputType("SimulateScenarioInput", {
  fields: (t) => ({
    scenarioId: t.id({ description: "A saved scenario: its draft is simulated." }),
    definition: t.field({
      type: "JSONObject",
      description: "Or a definition document, saved or not.",
    }),
    definitionInput: t.field({
      type: ScenarioDefinitionInput,
      description: "Or the definition as typed input.",
    }),
    namedDefinition: t.field({
      type: "JSONObject",
      description:
        'Or a definition as `exportScenarios` and the scenario files write it (`template: "Welcome"`, `segment: "Buyers"`), names resolved to the workspace\'s rows.',
    }),
    contactId: t.id({ description: "An existing contact, with its history, tags and orders." }),
    contact: t.field({ type: SimulationContactInput, description: "Or a made-up contact." }),
    events: t.field({
      type: [SimulationEventInput],
      description:
        "Up to 200. Those before `start` are history: seen by conditions, reacted to by nothing.",
    }),
    start: t.field({
      type: "DateTime",
      required: true,
      description: "When the simulation begins; a trigger other than an event starts the run here.",
    }),
    until: t.field({
      type: "DateTime",
      description: "Where the virtual clock stops. Default: 400 days after the last event.",
    }),
    payload: t.field({
      type: "JSONObject",
      description: "The trigger payload for a trigger other than an event.",
    }),
  }),
});

const SimulatedEmailRef = builder.objectRef<SimulatedEmail>("SimulatedEmail").implement({
  description: "A mail the run would send, rendered with the strict engine; links are not tracked.",
  fields: (t) => ({
    templateId: t.id({
      nullable: true,
      resolve: (email) => (email.templateId ? encodeGlobalID("Template", email.templateId) : null),
    }),
    to: t.exposeString("to"),
    subject: t.exposeString("subject"),
    preheader: t.exposeString("preheader"),
    html: t.exposeString("html"),
    text: t.exposeString("text"),
    data: t.field({
      type: "JSONObject",
      description: "The template variables it had: cart, order, recommendations, the node's data.",
      resolve: (email) => email.data,
    }),
    error: t.exposeString("error", {
      nullable: true,
      description: "Why the template cannot render with this data; the real send would fail too.",
    }),
  }),
});

const SimulatedStepRef = builder.objectRef<SimulatedStep>("SimulatedStep").implement({
  description: "A node the simulated run passed through, at virtual times.",
  fields: (t) => ({
    nodeId: t.exposeString("nodeId"),
    kind: t.exposeString("kind"),
    enteredAt: t.expose("enteredAt", { type: "DateTime" }),
    leftAt: t.expose("leftAt", { type: "DateTime", nullable: true }),
    output: t.exposeString("output", {
      nullable: true,
      description:
        "The output taken (next, yes, no, matched, timed_out, a branch); null while waiting.",
    }),
    reason: t.exposeString("reason", {
      nullable: true,
      description:
        "Why: a send skipped by consent or suppression, deferred by quiet hours or a cap, an exit's reason.",
    }),
    detail: t.field({ type: "JSON", nullable: true, resolve: (step) => step.detail }),
    explanation: t.field({
      type: ExplainedConditionRef,
      nullable: true,
      description: "For a condition with a filter: each condition's outcome at that moment.",
      resolve: (step) => step.explanation,
    }),
    email: t.field({
      type: SimulatedEmailRef,
      nullable: true,
      resolve: (step) => step.email,
    }),
  }),
});

const SimulatedRunRef = builder.objectRef<SimulatedRun>("SimulatedRun").implement({
  description: "One run the simulation started.",
  fields: (t) => ({
    entityKey: t.exposeString("entityKey", { description: 'Its cart or order id; "" without.' }),
    status: t.exposeString("status"),
    reason: t.exposeString("reason", { nullable: true }),
    startedAt: t.expose("startedAt", { type: "DateTime" }),
    endedAt: t.expose("endedAt", { type: "DateTime", nullable: true }),
    steps: t.field({ type: [SimulatedStepRef], resolve: (run) => run.steps }),
  }),
});

const SimulatedEventRef = builder.objectRef<SimulatedEvent>("SimulatedEvent").implement({
  description: "A simulated event and what it did to this scenario's runs.",
  fields: (t) => ({
    at: t.expose("at", { type: "DateTime" }),
    name: t.exposeString("name"),
    started: t.exposeInt("started"),
    resumed: t.exposeInt("resumed", { description: "Runs whose wait it matched." }),
    ended: t.exposeInt("ended", { description: "Runs a goal or an exit condition ended." }),
    historyOnly: t.exposeBoolean("historyOnly"),
  }),
});

const ScenarioSimulationRef = builder
  .objectRef<ScenarioSimulation>("ScenarioSimulation")
  .implement({
    description: "The path a contact would take, from the production engine on a virtual clock.",
    fields: (t) => ({
      start: t.expose("start", { type: "DateTime" }),
      end: t.expose("end", { type: "DateTime", description: "Where the virtual clock stopped." }),
      runs: t.field({ type: [SimulatedRunRef], resolve: (simulation) => simulation.runs }),
      events: t.field({ type: [SimulatedEventRef], resolve: (simulation) => simulation.events }),
      notStarted: t.exposeString("notStarted", {
        nullable: true,
        description: "Why a trigger other than an event did not start a run at `start`.",
      }),
    }),
  });

builder.queryField("simulateScenario", (t) =>
  t.field({
    type: ScenarioSimulationRef,
    description:
      "Dry-runs a scenario for one contact: the same engine as production under a virtual clock, in a transaction that is rolled back, so nothing is saved or sent. Other scenarios are held for the simulation.",
    authScopes: { allOf: ["scenarios:read", "contacts:read"] },
    errors: { types: [InvalidInputError, NotFoundError] },
    args: { input: t.arg({ type: SimulateScenarioInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const given = withoutNulls(input);
      const workspaceId = workspaceOf(context.principal);
      if (given.namedDefinition !== undefined && (given.definition || given.definitionInput)) {
        throw InvalidInputError.field(
          ["input", "namedDefinition"],
          "give the definition once: namedDefinition, definition or definitionInput",
        );
      }
      const definition =
        given.namedDefinition !== undefined
          ? await resolveReferenceNames(workspaceId, given.namedDefinition, [
              "input",
              "namedDefinition",
            ])
          : definitionOf(input);
      return simulateScenario(workspaceId, {
        ...(given.scenarioId && {
          scenarioId: decodeId(given.scenarioId, "Scenario", ["input", "scenarioId"]),
        }),
        ...(given.contactId && {
          contactId: decodeId(given.contactId, "Contact", ["input", "contactId"]),
        }),
        ...(given.contact && { contact: withoutNulls(given.contact) }),
        definition,
        events: (given.events ?? []).map((event) => ({
          at: event.at,
          name: event.name,
          properties: event.properties ?? {},
        })),
        start: given.start,
        ...(given.until && { until: given.until }),
        ...(given.payload && { payload: given.payload }),
      } as Parameters<typeof simulateScenario>[1]);
    },
  }),
);

const AudienceForecastRef = builder.objectRef<AudienceForecast>("AudienceForecast").implement({
  description: "How many contacts a scenario would reach, from the stored contacts and events.",
  fields: (t) => ({
    matchingNow: t.exposeInt("matchingNow", {
      description:
        "Contacts in the audience the trigger would catch now: for an event trigger those who did it in the last 30 days; for a segment its members (entered) or non-members (exited); for a tag those with it; for a score those at or above it; otherwise the whole audience.",
    }),
    startsLast30Days: t.exposeInt("startsLast30Days", {
      nullable: true,
      description:
        "Runs the last 30 days of trigger events would have started under the entry rules (a cooldown counted from the previous start), for the contacts in the audience now; null for tag, date and api triggers, which no stored event records.",
    }),
    since: t.expose("since", { type: "DateTime" }),
    until: t.expose("until", { type: "DateTime" }),
  }),
});

const ForecastScenarioAudienceInput = builder.inputType("ForecastScenarioAudienceInput", {
  fields: (t) => ({
    scenarioId: t.id({ description: "A saved scenario: its draft is forecast." }),
    definition: t.field({ type: "JSONObject", description: "Or a definition document." }),
    definitionInput: t.field({
      type: ScenarioDefinitionInput,
      description: "Or the definition as typed input.",
    }),
  }),
});

builder.queryField("forecastScenarioAudience", (t) =>
  t.field({
    type: AudienceForecastRef,
    description:
      "Before publishing: how many contacts the trigger and audience catch now, and how many runs the last 30 days would have started.",
    authScopes: { allOf: ["scenarios:read", "contacts:read"] },
    errors: { types: [InvalidInputError, NotFoundError] },
    args: { input: t.arg({ type: ForecastScenarioAudienceInput, required: true }) },
    resolve: (_root, { input }, context) =>
      forecastScenarioAudience(workspaceOf(context.principal), {
        ...(input.scenarioId && {
          scenarioId: decodeId(input.scenarioId, "Scenario", ["input", "scenarioId"]),
        }),
        definition: definitionOf(input),
      }),
  }),
);
