import { z } from "zod";
import type { PropertyCondition, SegmentFilter } from "../../conditions/filter.ts";
import {
  parsePropertyConditions,
  parseSegmentFilter,
} from "../../conditions/parse/parse-filter.ts";
import { recommendationBlockList } from "../../recommendations/template-blocks.ts";
import { InvalidInputError } from "../../shared/errors.ts";
import { weekdays } from "../../shared/local-time.ts";
import { canonicalEventName } from "../../shared/standard-event-names.ts";
import { isUuid } from "../../shared/validation.ts";
import { maxHoldoutPercent } from "../../workspaces/holdout-groups.ts";
import { tagTemplateProblem } from "./tag-template.ts";

/** The current version of the scenario definition format. */
export const definitionFormat = 1;

/** Runs a parser that throws InvalidInputError inside a zod schema, keeping its problems. */
const via = <T>(parse: (raw: unknown) => T) =>
  z.unknown().transform((raw, ctx): T => {
    try {
      return parse(raw);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      for (const problem of error.problems) {
        ctx.issues.push({
          code: "custom",
          message: problem.message,
          path: problem.path,
          input: raw,
        });
      }
      return z.NEVER;
    }
  });

const filter = via((raw): SegmentFilter => parseSegmentFilter(raw, []));
const where = via((raw): PropertyCondition[] => parsePropertyConditions(raw ?? [], []));

const nodeIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const nodeId = z
  .string({ error: "must be a node id" })
  .regex(nodeIdPattern, "use 1 to 64 letters, digits, '-', '_' or '.'");
/** Where an output leads; left out, the path ends there and the run completes. */
const target = nodeId.nullable().optional();
const uuid = (what: string) =>
  z.string({ error: `is not a ${what} id` }).refine(isUuid, `is not a ${what} id`);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day such as 09:00");
/** An event name; standard ones in any casing are stored in the spec's spelling. */
const name = z.string().trim().min(1, "must not be empty").max(200).transform(canonicalEventName);

/** A length of time; at least one part, at most 365 days in all. */
export const duration = z
  .object(
    {
      days: z.number().int().min(0).optional(),
      hours: z.number().int().min(0).optional(),
      minutes: z.number().int().min(0).optional(),
    },
    { error: "must be a duration such as { hours: 1 }" },
  )
  .refine((d) => durationMs(d) > 0, "must be longer than 0")
  .refine((d) => durationMs(d) <= 365 * 86_400_000, "must be at most 365 days");
export type Duration = z.output<typeof duration>;

export function durationMs(d: {
  days?: number | undefined;
  hours?: number | undefined;
  minutes?: number | undefined;
}): number {
  return ((d.days ?? 0) * 24 * 60 + (d.hours ?? 0) * 60 + (d.minutes ?? 0)) * 60_000;
}

export const contactDateFields = ["BIRTHDAY", "CREATED_AT", "LAST_SEEN_AT"] as const;
export type ContactDateField = (typeof contactDateFields)[number];

/** A date of the contact: a date field (BIRTHDAY, CREATED_AT, LAST_SEEN_AT) or a date property. */
const contactDateFieldsShape = {
  field: z.enum(contactDateFields).optional(),
  /** A contact property holding a date (`2026-05-01` or an ISO timestamp; its date part counts). */
  property: z.string().min(1).max(200).optional(),
  offsetDays: z.number().int().min(-3650).max(3650).default(0),
  at: clock.default("09:00"),
};
const oneDateSource = (d: { field?: unknown; property?: unknown }) =>
  (d.field === undefined) !== (d.property === undefined);
const contactDate = z.object(contactDateFieldsShape).refine(oneDateSource, "set field or property");

const delayNode = z
  .object({
    id: nodeId,
    kind: z.literal("delay"),
    duration: duration.optional(),
    /** Then, if outside it, until the window opens (in the contact's time zone). */
    window: z
      .object({ from: clock, to: clock, days: z.array(z.enum(weekdays)).min(1).optional() })
      .optional(),
    /** Until a date of the contact (± offset) at a time of day; exclusive with `duration`. */
    until: contactDate.optional(),
    next: target,
  })
  .refine((n) => n.duration || n.window || n.until, "set duration, window or until")
  .refine((n) => !(n.duration && n.until), {
    message: "set duration or until, not both",
    path: ["until"],
  });

const waitForEventNode = z.object({
  id: nodeId,
  kind: z.literal("wait_for_event"),
  event: name,
  where: where.optional(),
  /** Only an event whose entity property equals this run's entity matches. */
  sameEntity: z.boolean().default(false),
  timeout: duration,
  matched: target,
  timedOut: target,
});

/** Facts about this run, for conditions. */
const runFact = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("email_opened"), node: nodeId }),
  z.object({ kind: z.literal("email_clicked"), node: nodeId }),
  z.object({ kind: z.literal("cart_has_items") }),
]);

const conditionNode = z
  .object({
    id: nodeId,
    kind: z.literal("condition"),
    /** A segment filter evaluated for the contact now. */
    filter: filter.optional(),
    /** A fact about this run (ANDed with `filter` when both are set). */
    fact: runFact.optional(),
    yes: target,
    no: target,
  })
  .refine((n) => n.filter || n.fact, "set filter, fact or both");

/** What an A/B experiment calls best. */
export const splitMetrics = [
  "conversion",
  "open_rate",
  "click_rate",
  "revenue_per_recipient",
] as const;
export type SplitMetric = (typeof splitMetrics)[number];

const splitBranch = z.object({
  name: z.string().trim().min(1).max(60),
  weight: z.number().int().min(1).max(10_000),
  /**
   * The split's holdout: runs that take it go on along `next` but send no marketing mail for
   * the rest of the run (transactional mail still goes). It never wins an experiment and keeps
   * its share of runs after a winner is chosen, so the lift can still be measured.
   */
  holdout: z.boolean().optional(),
  next: target,
});

const splitNode = z.object({
  id: nodeId,
  kind: z.literal("split"),
  branches: z
    .array(splitBranch)
    .min(2, "a split needs at least two branches")
    .max(10)
    .refine((b) => new Set(b.map((x) => x.name)).size === b.length, "branch names must differ")
    .superRefine((branches, ctx) => {
      const held = branches.flatMap((branch, index) => (branch.holdout ? [index] : []));
      for (const index of held.slice(1)) {
        ctx.addIssue({
          code: "custom",
          path: [index, "holdout"],
          message: "a split has at most one holdout branch",
        });
      }
    }),
  /**
   * An A/B test on `metric` (conversion over runs; human open or click rate, or revenue per
   * recipient, over the runs that were mailed). Once every branch has `minimumRunsPerBranch`
   * runs whose `windowHours` after the split have passed, and one branch is best with
   * probability `confidence` or more, that branch wins. At `endsAt` the leading branch wins
   * whatever the sample. With `autoSelect` every later run takes the winner; without, the
   * decision is only recorded. With `endsAt` and no `minimumRunsPerBranch`, only the end date
   * decides; with neither, the minimum is 100.
   */
  experiment: z
    .strictObject({
      metric: z
        .enum(splitMetrics, { error: `must be one of ${splitMetrics.join(", ")}` })
        .default("conversion"),
      windowHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 30)
        .default(120),
      minimumRunsPerBranch: z.number().int().min(10).max(1_000_000).optional(),
      confidence: z.number().min(0.5).max(0.999).default(0.95),
      endsAt: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).optional(),
      autoSelect: z.boolean().default(true),
    })
    .transform((experiment) =>
      experiment.minimumRunsPerBranch === undefined && experiment.endsAt === undefined
        ? { ...experiment, minimumRunsPerBranch: 100 }
        : experiment,
    )
    .optional(),
});

const sendEmailNode = z.object({
  id: nodeId,
  kind: z.literal("send_email"),
  templateId: uuid("template"),
  /** Extra template variables (coupon codes…), beside `trigger`, `event` and `cart`/`order`. */
  data: z.record(z.string(), z.unknown()).optional(),
  /** Marketing mail held back by quiet hours or a frequency cap: wait for the slot, or skip. */
  whenLimited: z.enum(["defer", "skip"]).default("defer"),
  /**
   * Recommendation blocks chosen when the mail is queued, as `recommendations.<block>`
   * (`[{ block: "cross_sell", strategy: "cross_sell", limit: 3 }]`), from the run's cart,
   * order, trigger products and contact.
   */
  recommendations: recommendationBlockList.optional(),
  next: target,
});

const tagNode = (kind: "add_tag" | "remove_tag") =>
  z.object({
    id: nodeId,
    kind: z.literal(kind),
    /**
     * A tag's name, or a template taking part of it from the trigger event's properties:
     * `interest:{{ event.category }}` (only `event.<property>`; a run whose trigger lacks the
     * property skips the node). A templated tag is made when first added.
     */
    tag: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .superRefine((tag, ctx) => {
        const problem = tagTemplateProblem(tag);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    next: target,
  });

const adjustScoreNode = z.object({
  id: nodeId,
  kind: z.literal("adjust_score"),
  delta: z
    .number()
    .int()
    .min(-100_000)
    .max(100_000)
    .refine((d) => d !== 0, "must not be 0"),
  reason: z.string().trim().min(1).max(500),
  next: target,
});

const setPropertyNode = z.object({
  id: nodeId,
  kind: z.literal("set_property"),
  key: z.string().min(1).max(100),
  value: z.json(),
  next: target,
});

/**
 * Unsubscribes the contact from marketing mail, as the unsubscribe link does (consent
 * UNSUBSCRIBED, an `Unsubscribed` event); transactional mail still goes to them.
 */
const unsubscribeNode = z.object({
  id: nodeId,
  kind: z.literal("unsubscribe"),
  next: target,
});

const startScenarioNode = z.object({
  id: nodeId,
  kind: z.literal("start_scenario"),
  scenarioId: uuid("scenario"),
  next: target,
});

const webhookNode = z.object({
  id: nodeId,
  kind: z.literal("webhook"),
  /** POSTed JSON: the run (scenario, run, contact, node, trigger) merged with `body`. */
  url: z.string().url("must be a URL").max(2000),
  body: z.record(z.string(), z.json()).optional(),
  next: target,
  /** Taken after the last failed attempt; without it the run fails there. */
  failed: target,
});

const exitNode = z.object({
  id: nodeId,
  kind: z.literal("exit"),
  reason: z.string().max(200).optional(),
});

export const nodeKinds = [
  "delay",
  "wait_for_event",
  "condition",
  "split",
  "send_email",
  "add_tag",
  "remove_tag",
  "adjust_score",
  "set_property",
  "unsubscribe",
  "start_scenario",
  "webhook",
  "exit",
] as const;
export type NodeKind = (typeof nodeKinds)[number];

const node = z.discriminatedUnion(
  "kind",
  [
    delayNode,
    waitForEventNode,
    conditionNode,
    splitNode,
    sendEmailNode,
    tagNode("add_tag"),
    tagNode("remove_tag"),
    adjustScoreNode,
    setPropertyNode,
    unsubscribeNode,
    startScenarioNode,
    webhookNode,
    exitNode,
  ],
  { error: () => `unknown node kind; use one of ${nodeKinds.join(", ")}` },
);
export type ScenarioNode = z.output<typeof node>;

const trigger = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("event"), event: name, where: where.optional() }),
    z.object({ kind: z.literal("segment_entered"), segmentId: uuid("segment") }),
    z.object({ kind: z.literal("segment_exited"), segmentId: uuid("segment") }),
    z.object({ kind: z.literal("tag_added"), tag: z.string().trim().min(1).max(100) }),
    z.object({ kind: z.literal("score_crossed"), threshold: z.number().int() }),
    /**
     * A date of the contact ± offsetDays, at a time of day in the contact's time zone: each year
     * (`yearly`, the default for BIRTHDAY) or once (e.g. 30 days after `last_order_at`).
     */
    z
      .object({
        kind: z.literal("date"),
        ...contactDateFieldsShape,
        yearly: z.boolean().optional(),
      })
      .refine(oneDateSource, "set field or property")
      .transform(({ yearly, ...date }) => ({
        ...date,
        yearly: yearly ?? date.field === "BIRTHDAY",
      })),
    z.object({ kind: z.literal("api") }),
  ],
  {
    error: () =>
      "unknown trigger; use event, segment_entered, segment_exited, tag_added, score_crossed, date or api",
  },
);
export type ScenarioTrigger = z.output<typeof trigger>;
export const triggerKinds = [
  "event",
  "segment_entered",
  "segment_exited",
  "tag_added",
  "score_crossed",
  "date",
  "api",
] as const;

/** A goal or exit condition: an event (optionally of the run's entity) or a segment membership. */
const ending = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    event: name.optional(),
    where: where.optional(),
    sameEntity: z.boolean().default(false),
    segmentId: uuid("segment").optional(),
    /** With `segmentId`: true ends the run on entering the segment, false on leaving it. */
    member: z.boolean().default(true),
  })
  .refine((e) => (e.event === undefined) !== (e.segmentId === undefined), "set event or segmentId");
export type ScenarioEnding = z.output<typeof ending>;

const entry = z.object({
  /** once: one run per contact ever; once_per_entity: one per contact and entity; every_time. */
  rule: z.enum(["once", "once_per_entity", "every_time"]).default("every_time"),
  /** With every_time: a new run starts at the soonest this long after the previous one started. */
  cooldown: duration.optional(),
});

/**
 * A scenario definition document (format version 1): JSON that can live in a file and in git.
 *
 * @example {
 *   version: 1, trigger: { kind: "event", event: "Product Added" }, entityKey: "cart_id",
 *   entry: { rule: "once_per_entity" },
 *   goals: [{ event: "Order Completed", sameEntity: true }],
 *   start: "wait-1h",
 *   nodes: [
 *     { id: "wait-1h", kind: "delay", duration: { hours: 1 }, next: "reminder" },
 *     { id: "reminder", kind: "send_email", templateId: "…" },
 *   ],
 * }
 */
export const definitionSchema = z.object({
  version: z.literal(definitionFormat, { error: `must be ${definitionFormat}` }),
  trigger,
  /** A property of the trigger payload (e.g. cart_id): runs are per contact and its value. */
  entityKey: z.string().trim().min(1).max(100).nullable().optional(),
  entry: entry.default({ rule: "every_time" }),
  /** Checked when a contact would enter; contacts outside it do not start a run. */
  audience: filter.optional(),
  goals: z.array(ending).max(10).default([]),
  exits: z.array(ending).max(10).default([]),
  /**
   * A share of the contacts who enter (by a stable hash) run the scenario without its
   * marketing mail, to measure what the mail adds. Transactional mail is never held out.
   */
  holdout: z.strictObject({ percent: z.number().min(0).max(maxHoldoutPercent) }).optional(),
  start: nodeId,
  nodes: z.array(node).min(1, "a scenario needs at least one node").max(200),
});
export type ScenarioDefinition = z.output<typeof definitionSchema>;
