import type { InputFieldBuilder, SchemaTypes } from "@pothos/core";
import { contactDateFields } from "../domain/scenarios/definition/definition.ts";
import { weekdays } from "../domain/shared/local-time.ts";
import { builder } from "./builder.ts";
import { RecommendationStrategy } from "./recommendations.ts";
import { PropertyConditionInput, SegmentFilterInput } from "./segment-filter-input.ts";

// The typed twin of the scenario definition document (definition.ts): the same fields under
// the same names, so a problem's path reads the same either way. Inside triggers and nodes
// nothing but a node's `id` is non-null: a missing field comes back as an InvalidInputError
// naming node and field, with every other problem, rather than as a bare GraphQL error at
// `nodes[3]`. `documentFromInput` (scenario-document.ts) writes the input out as the document.

type Types =
  typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;
type Fields = InputFieldBuilder<Types, "InputObject">;

const nodeIdField = (t: Fields) =>
  t.string({
    required: true,
    description:
      "Unique within the scenario: 1 to 64 letters, digits, '-', '_' or '.'. Problems and run histories name the node by it.",
  });
const target = (t: Fields, description = "The node to go to next.") =>
  t.string({ description: `${description} Left out, the path ends there and the run completes.` });
const where = (t: Fields, description: string) =>
  t.field({ type: [PropertyConditionInput], description });

export const DurationInput = builder.inputType("DurationInput", {
  description:
    "A length of time: days, hours and minutes add up. At least one part, longer than 0 and at most 365 days in all.",
  fields: (t) => ({ days: t.int(), hours: t.int(), minutes: t.int() }),
});

const Weekday = builder.enumType("Weekday", {
  values: weekdays,
  description: "A day of the week, in the contact's time zone.",
});

const ContactDateField = builder.enumType("ContactDateField", {
  values: contactDateFields,
  description: "A date the contact record holds.",
});

const dateSourceFields = (t: Fields) => ({
  field: t.field({ type: ContactDateField, description: "Set this or `property`." }),
  property: t.string({
    description:
      "A contact property holding a date (`2026-05-01` or an ISO timestamp; its date part counts). Set this or `field`.",
  }),
  offsetDays: t.int({ description: "Days after (or, negative, before) the date. Default 0." }),
  at: t.string({
    description: "Local time of day, `HH:MM` in the contact's time zone. Default 09:00.",
  }),
});

const ContactDateInput = builder.inputType("ContactDateInput", {
  description: "A date of the contact ± `offsetDays`, at a time of day in the contact's time zone.",
  fields: dateSourceFields,
});

const ScenarioEntryRule = builder.enumType("ScenarioEntryRule", {
  values: {
    ONCE: { value: "once", description: "One run per contact, ever." },
    ONCE_PER_ENTITY: {
      value: "once_per_entity",
      description: "One run per contact and entity (e.g. per cart).",
    },
    EVERY_TIME: {
      value: "every_time",
      description: "A run each time the trigger fires, never two at once (see `cooldown`).",
    },
  } as const,
});

const ScenarioEntryInput = builder.inputType("ScenarioEntryInput", {
  description: "Who may start a run, and how often.",
  fields: (t) => ({
    rule: t.field({ type: ScenarioEntryRule, description: "Default EVERY_TIME." }),
    cooldown: t.field({
      type: DurationInput,
      description: "With EVERY_TIME: a new run starts at the soonest this long after the last one.",
    }),
  }),
});

const ScenarioEndingInput = builder.inputType("ScenarioEndingInput", {
  description:
    "A goal (the run ends CONVERTED) or an exit (EXITED), wherever the run is: an event, or entering or leaving a segment. Set `event` or `segmentId`.",
  fields: (t) => ({
    name: t.string({ description: "Shown as the run's reason; up to 100 characters." }),
    event: t.string({ description: "An event name." }),
    where: where(t, "With `event`: conditions on its properties."),
    sameEntity: t.boolean({
      description:
        "With `event`: only an event whose entity property is this run's. Default false.",
    }),
    segmentId: t.id({ description: "A Segment id." }),
    member: t.boolean({
      description: "With `segmentId`: true ends on entering it, false on leaving it. Default true.",
    }),
  }),
});

const EventTriggerInput = builder.inputType("EventTriggerInput", {
  fields: (t) => ({
    event: t.string({ description: "The event name, e.g. `Product Added`. Required." }),
    where: where(t, "Conditions on the event's properties."),
  }),
});

const SegmentTriggerInput = builder.inputType("SegmentTriggerInput", {
  fields: (t) => ({ segmentId: t.id({ description: "A Segment id. Required." }) }),
});

const TagTriggerInput = builder.inputType("TagTriggerInput", {
  fields: (t) => ({ tag: t.string({ description: "A tag name of the workspace. Required." }) }),
});

const ScoreTriggerInput = builder.inputType("ScoreTriggerInput", {
  fields: (t) => ({
    threshold: t.int({ description: "Fires when the score rises to or past it. Required." }),
  }),
});

const DateTriggerInput = builder.inputType("DateTriggerInput", {
  description:
    "A date of the contact ± `offsetDays`, at a local time: each year, or once (e.g. 30 days after a `last_order_at` property).",
  fields: (t) => ({
    ...dateSourceFields(t),
    yearly: t.boolean({
      description: "Every year on the date. Default true for BIRTHDAY, else false.",
    }),
  }),
});

export const ScenarioTriggerInput = builder.inputType("ScenarioTriggerInput", {
  isOneOf: true,
  description: "What starts a run: set exactly one field.",
  fields: (t) => ({
    event: t.field({ type: EventTriggerInput, description: "The contact performs an event." }),
    segmentEntered: t.field({
      type: SegmentTriggerInput,
      description: "The contact enters a segment.",
    }),
    segmentExited: t.field({
      type: SegmentTriggerInput,
      description: "The contact leaves a segment.",
    }),
    tagAdded: t.field({ type: TagTriggerInput, description: "The contact is given a tag." }),
    scoreCrossed: t.field({
      type: ScoreTriggerInput,
      description: "The contact's score crosses a threshold upward, by rules or by hand.",
    }),
    date: t.field({ type: DateTriggerInput, description: "A date of the contact comes round." }),
    api: t.boolean({
      description: "Set true: runs start only by `startScenario`, from a backend.",
    }),
  }),
});

const DelayWindowInput = builder.inputType("DelayWindowInput", {
  description:
    "A daily window in the contact's time zone; one that ends before it starts runs past midnight.",
  fields: (t) => ({
    from: t.string({ description: "Opens at, `HH:MM`. Required." }),
    to: t.string({ description: "Closes at, `HH:MM`. Required." }),
    days: t.field({ type: [Weekday], description: "Only on these days; every day when left out." }),
  }),
});

const DelayNodeInput = builder.inputType("DelayNodeInput", {
  description:
    "Waits: for `duration`, then (outside `window`) until the window opens; or `until` a date of the contact. Set at least one; not `duration` and `until` together.",
  fields: (t) => ({
    id: nodeIdField(t),
    duration: t.field({ type: DurationInput }),
    window: t.field({ type: DelayWindowInput }),
    until: t.field({ type: ContactDateInput }),
    next: target(t),
  }),
});

const WaitForEventNodeInput = builder.inputType("WaitForEventNodeInput", {
  description:
    "Waits for the contact to perform an event (only events from when the wait began count), at most `timeout`.",
  fields: (t) => ({
    id: nodeIdField(t),
    event: t.string({ description: "The event name. Required." }),
    where: where(t, "Conditions on the event's properties."),
    sameEntity: t.boolean({
      description:
        "Only an event whose entity property is this run's (needs `entityKey`). Default false.",
    }),
    timeout: t.field({ type: DurationInput, description: "How long to wait at most. Required." }),
    matched: target(t, "Where the run goes when the event arrives."),
    timedOut: target(t, "Where the run goes when the timeout passes first."),
  }),
});

const ScenarioRunFactInput = builder.inputType("ScenarioRunFactInput", {
  isOneOf: true,
  description: "A fact about this run: set exactly one field.",
  fields: (t) => ({
    emailOpened: t.string({
      description: "The id of a sendEmail node of this scenario whose mail was opened.",
    }),
    emailClicked: t.string({
      description: "The id of a sendEmail node of this scenario whose mail was clicked.",
    }),
    cartHasItems: t.boolean({
      description: "Set true: the run's cart still has items (needs `entityKey`).",
    }),
  }),
});

const ConditionNodeInput = builder.inputType("ConditionNodeInput", {
  description: "Goes `yes` or `no`. Set `filter`, `fact` or both (both must hold).",
  fields: (t) => ({
    id: nodeIdField(t),
    filter: t.field({
      type: SegmentFilterInput,
      description: "A segment filter, evaluated for the contact now.",
    }),
    fact: t.field({ type: ScenarioRunFactInput }),
    yes: target(t, "Where the run goes when the condition holds."),
    no: target(t, "Where the run goes when it does not."),
  }),
});

const SplitBranchInput = builder.inputType("SplitBranchInput", {
  description: "One way out of a split.",
  fields: (t) => ({
    name: t.string({
      description: "Unique within the split; the output's name in stats. Required.",
    }),
    weight: t.int({ description: "Relative share of runs, 1 to 10,000. Required." }),
    holdout: t.boolean({
      description:
        "The split's holdout (at most one branch): its runs go on but send no marketing mail for the rest of the run (transactional mail still goes). It never wins and keeps its share after a winner is chosen; the split report measures the other branches' lift against it.",
    }),
    next: target(t),
  }),
});

const SplitExperimentInput = builder.inputType("SplitExperimentInput", {
  description:
    "Makes the split an A/B test: once every branch has `minimumRunsPerBranch` runs whose `windowHours` after the split have passed and one branch is best on `metric` with probability `confidence` or more, it wins; at `endsAt` the leading branch wins whatever the sample. With `autoSelect` every later run takes the winner; without, the decision is only reported. The holdout branch never competes. `scenarioSplitReport` shows the results.",
  fields: (t) => ({
    metric: t.string({
      description:
        'What "best" means: "conversion" (an order in the window, over runs; the default), "open_rate" or "click_rate" (a person\'s open or click, over recipients) or "revenue_per_recipient" (the recipients\' revenue in the window).',
    }),
    windowHours: t.int({ description: "1–720. Default 120." }),
    minimumRunsPerBranch: t.int({
      description: "At least 10. Default 100, or none when `endsAt` is set: the end date decides.",
    }),
    confidence: t.float({ description: "0.5–0.999. Default 0.95." }),
    endsAt: t.string({
      description:
        "An ISO 8601 date-time: from then on, the leading branch wins even below the minimum or the confidence.",
    }),
    autoSelect: t.boolean({ description: "Default true." }),
  }),
});

const SplitNodeInput = builder.inputType("SplitNodeInput", {
  description: "Sends each run down one of 2 to 10 weighted branches, stable per run and recorded.",
  fields: (t) => ({
    id: nodeIdField(t),
    branches: t.field({
      type: [SplitBranchInput],
      description: "2 to 10 branches with different names. Required.",
    }),
    experiment: t.field({ type: SplitExperimentInput }),
  }),
});

const WhenLimited = builder.enumType("WhenLimited", {
  description: "What a marketing send held back by quiet hours or a frequency cap does.",
  values: {
    DEFER: { value: "defer", description: "Waits for the first allowed minute." },
    SKIP: { value: "skip", description: "Is skipped; the step says why." },
  } as const,
});

export const RecommendationBlockInput = builder.inputType("RecommendationBlockInput", {
  description:
    "Products a send shows as `recommendations.<block>`, chosen when the mail is queued: from the run's cart, order, trigger products and contact in a scenario, from `recommendFrom` and the contact in `sendEmail`.",
  fields: (t) => ({
    block: t.string({ description: "The template's name for it, e.g. cross_sell. Required." }),
    strategy: t.field({ type: RecommendationStrategy, description: "Required." }),
    limit: t.int({ description: "1–12, default 4." }),
    category: t.string({ description: "Only this category or one under it." }),
  }),
});

const SendEmailNodeInput = builder.inputType("SendEmailNodeInput", {
  description:
    "Queues an email from a template; marketing mail respects consent, quiet hours and frequency caps.",
  fields: (t) => ({
    id: nodeIdField(t),
    templateId: t.id({ description: "A Template id of the workspace, not archived. Required." }),
    data: t.field({
      type: "JSONObject",
      description:
        "Extra template variables (coupon codes…), beside `trigger`, `event` and `cart` or `order`.",
    }),
    whenLimited: t.field({ type: WhenLimited, description: "Default DEFER." }),
    recommendations: t.field({
      type: [RecommendationBlockInput],
      description: "Up to 5 blocks, each with its own name.",
    }),
    next: target(t),
  }),
});

const TagNodeInput = builder.inputType("TagNodeInput", {
  description: "Adds a tag to the contact, or removes it.",
  fields: (t) => ({
    id: nodeIdField(t),
    tag: t.string({ description: "A tag name of the workspace. Required." }),
    next: target(t),
  }),
});

const AdjustScoreNodeInput = builder.inputType("AdjustScoreNodeInput", {
  description: "Changes the contact's score.",
  fields: (t) => ({
    id: nodeIdField(t),
    delta: t.int({ description: "Points to add (negative: remove), not 0. Required." }),
    reason: t.string({ description: "Kept in the score history. Required." }),
    next: target(t),
  }),
});

const SetPropertyNodeInput = builder.inputType("SetPropertyNodeInput", {
  description: "Sets a custom property of the contact.",
  fields: (t) => ({
    id: nodeIdField(t),
    key: t.string({ description: "The contact property. Required." }),
    value: t.field({
      type: "JSON",
      description: "Any JSON value; null removes the property. Required.",
    }),
    next: target(t),
  }),
});

const UnsubscribeNodeInput = builder.inputType("UnsubscribeNodeInput", {
  description:
    "Unsubscribes the contact from marketing mail, as the unsubscribe link does (consent UNSUBSCRIBED, an `Unsubscribed` event with source `scenario step`). Transactional mail still goes to them.",
  fields: (t) => ({
    id: nodeIdField(t),
    next: target(t),
  }),
});

const StartScenarioNodeInput = builder.inputType("StartScenarioNodeInput", {
  description: "Starts a run of another scenario for the contact; entry rules apply.",
  fields: (t) => ({
    id: nodeIdField(t),
    scenarioId: t.id({ description: "A Scenario id of the workspace, not this one. Required." }),
    next: target(t),
  }),
});

const WebhookNodeInput = builder.inputType("WebhookNodeInput", {
  description:
    "POSTs the run (scenario, run, contact, node, trigger) merged with `body`, signed, retried with backoff.",
  fields: (t) => ({
    id: nodeIdField(t),
    url: t.string({ description: "An https URL that is not a private address. Required." }),
    body: t.field({ type: "JSONObject", description: "Merged into the posted JSON." }),
    next: target(t, "Where the run goes once the call succeeded."),
    failed: target(
      t,
      "Where the run goes after the last failed attempt; left out, the run fails there.",
    ),
  }),
});

const ExitNodeInput = builder.inputType("ExitNodeInput", {
  description: "Ends the run as EXITED.",
  fields: (t) => ({
    id: nodeIdField(t),
    reason: t.string({ description: 'The run\'s reason; `exit node "<id>"` when left out.' }),
  }),
});

export const ScenarioNodeInput = builder.inputType("ScenarioNodeInput", {
  isOneOf: true,
  description: "One node of a scenario: set exactly one field, named for the node's kind.",
  fields: (t) => ({
    delay: t.field({ type: DelayNodeInput }),
    waitForEvent: t.field({ type: WaitForEventNodeInput }),
    condition: t.field({ type: ConditionNodeInput }),
    split: t.field({ type: SplitNodeInput }),
    sendEmail: t.field({ type: SendEmailNodeInput }),
    addTag: t.field({ type: TagNodeInput }),
    removeTag: t.field({ type: TagNodeInput }),
    adjustScore: t.field({ type: AdjustScoreNodeInput }),
    setProperty: t.field({ type: SetPropertyNodeInput }),
    unsubscribe: t.field({ type: UnsubscribeNodeInput }),
    startScenario: t.field({ type: StartScenarioNodeInput }),
    webhook: t.field({ type: WebhookNodeInput }),
    exit: t.field({ type: ExitNodeInput }),
  }),
});

const ScenarioHoldoutInput = builder.inputType("ScenarioHoldoutInput", {
  description:
    "A share of the contacts who enter run the scenario without its marketing mail (a stable hash of the contact decides), so `scenarioHoldoutReport` can show what the mail adds. Transactional mail is never held out.",
  fields: (t) => ({ percent: t.float({ required: true, description: "0–50." }) }),
});

export const ScenarioDefinitionInput = builder.inputType("ScenarioDefinitionInput", {
  description:
    'A scenario definition as typed input: the definition document (format version 1) field for field, with each trigger and node a @oneOf named for its kind. It is written out as the document and validated as one, so problems carry the document\'s paths, e.g. `["definition", "nodes", "wait-1h", "timeout"]`.',
  fields: (t) => ({
    version: t.int({ required: true, description: "The format version: 1." }),
    trigger: t.field({ type: ScenarioTriggerInput, required: true }),
    entityKey: t.string({
      description:
        "A property of the trigger's payload (e.g. `cart_id`): runs are per contact and its value.",
    }),
    entry: t.field({ type: ScenarioEntryInput, description: "Default: EVERY_TIME, no cooldown." }),
    audience: t.field({
      type: SegmentFilterInput,
      description: "Checked when a contact would enter; contacts outside it start no run.",
    }),
    goals: t.field({ type: [ScenarioEndingInput], description: "Up to 10." }),
    exits: t.field({ type: [ScenarioEndingInput], description: "Up to 10." }),
    holdout: t.field({ type: ScenarioHoldoutInput }),
    start: t.string({ required: true, description: "The id of the first node." }),
    nodes: t.field({ type: [ScenarioNodeInput], required: true, description: "1 to 200 nodes." }),
  }),
});

export type ScenarioDefinitionInputShape = typeof ScenarioDefinitionInput.$inferInput;
