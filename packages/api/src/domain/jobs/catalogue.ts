import { z } from "zod";

const uuid = z.uuid();
const eventId = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^\d{1,19}$/));

/**
 * Where a replay of a workspace's stored commerce events stands (`replayCommerceHistory`):
 * folding carts after `afterCartId` (by cart id), writing orders after `afterEventId` (by event
 * id), or marking the idle carts abandoned. `{ phase: "carts", afterCartId: "" }` starts it.
 */
export const commerceReplayCursor = z.discriminatedUnion("phase", [
  z.strictObject({ phase: z.literal("carts"), afterCartId: z.string().max(10_000) }),
  z.strictObject({ phase: z.literal("orders"), afterEventId: eventId }),
  z.strictObject({ phase: z.literal("abandon") }),
]);

/**
 * Every job Cartwheel runs, by task identifier, with the schema of its payload. Producers
 * (`addJob`, `jobSpecSql`) and the worker's task list both use it, so a task name or a payload
 * field cannot drift between the two: a producer's payload is checked before it is queued, the
 * worker parses it again before it runs, and a task without a handler fails the typecheck.
 */
export const jobCatalogue = {
  /**
   * What one stored event causes (scores, segments…). Queued with an internal event, and again
   * for anonymous events a contact's identify attaches.
   */
  process_event: z.object({ eventId }),
  /**
   * What a batch of stored events causes, event by event in id order: one graphile-worker
   * batch job per ingested batch, so an event whose reaction fails is retried on its own and
   * the others are not repeated. Queued with the batch.
   */
  process_events: z.array(z.object({ eventId })).min(1).max(1000),
  /** Delivers one queued message; re-queued by itself while the rate limit is full. */
  send_email: z.object({
    messageId: z.string(),
    /** How often the rate limit has pushed this send back; spreads the retries out. */
    deferrals: z.number().int().min(0).default(0),
  }),
  /** Recomputes one segment for every contact. */
  refresh_segment: z.object({ segmentId: uuid }),
  /**
   * Queues `refresh_segment` for the segments that depend on `dependingOn` (time passing, by
   * default: the hourly schedule; `shortWindow`, windows under a day: every 5 minutes; `catalog`:
   * queued by `upsertProducts` when a product's category changed), in one workspace or all.
   */
  refresh_segments: z.object({
    workspaceId: uuid.optional(),
    dependingOn: z.enum(["time", "shortWindow", "score", "contactData", "catalog"]).default("time"),
  }),
  /**
   * What a change of contacts' data (`changed: "contactData"`) or of their orders without an
   * event (`"orders"`: `upsertOrders`, an order moving between contacts) causes: the segments
   * on that are re-checked, and the tags newly put on contacts (`tagged`) start their scenarios.
   */
  refresh_contact_segments: z.object({
    workspaceId: uuid,
    contactIds: z.array(uuid).min(1).max(10_000),
    changed: z.enum(["contactData", "orders"]).default("contactData"),
    tagged: z
      .array(z.object({ contactId: uuid, tag: z.string() }))
      .max(100_000)
      .default([]),
  }),
  /**
   * Writes the orders of a workspace's browser order events, a batch after `afterEventId`, once
   * unverified orders count again (`updateOrderSettings`); queues itself for the next batch.
   */
  replay_browser_orders: z.object({
    workspaceId: uuid,
    afterEventId: z.string().regex(/^\d{1,19}$/),
  }),
  /**
   * One batch of a replay of a workspace's stored cart and order events into carts and orders,
   * with no reactions (`replayCommerceHistory`); queues itself for the next batch.
   */
  replay_commerce_history: z.object({ workspaceId: uuid, cursor: commerceReplayCursor }),
  /** Applies every workspace's score decay policy (daily). */
  decay_scores: z.object({}),
  /** Takes a scenario run's next steps, up to its next wait. Keyed by run. */
  advance_scenario_run: z.object({ runId: uuid }),
  /**
   * Wake-ups of waiting runs due within the same half second, queued by the sweep at the last
   * one's time: one graphile-worker batch job, advanced together (`advanceRuns`).
   */
  advance_scenario_runs: z
    .array(z.object({ runId: uuid }))
    .min(1)
    .max(500),
  /** One attempt at a scenario run's webhook step; retried with backoff by graphile-worker. */
  call_webhook: z.object({ runId: uuid, seq: z.number().int().min(0) }),
  /** Queues the wake-ups of waiting scenario runs that fall due soon (every minute). */
  wake_scenario_runs: z.object({}),
  /** Marks carts idle for the abandonment time as ABANDONED (every 5 minutes). */
  abandon_carts: z.object({}),
  /**
   * Folds the recommendation ledger (new orders and views) into the pair counts and re-ranks
   * the neighbours of the products it touched (every 5 minutes).
   */
  refresh_recommendations: z.object({}),
  /** Rebuilds the recommendation graphs from orders and views, one workspace or all (nightly). */
  rebuild_recommendations: z.object({ workspaceId: uuid.optional() }),
  /** Decides the A/B splits whose experiment has a clear winner (hourly). */
  decide_split_winners: z.object({}),
  /** Rebuilds the analytics roll-ups of the slots changes marked dirty (every minute). */
  roll_up_analytics: z.object({ workspaceId: uuid.optional() }),
} as const;

export type JobName = keyof typeof jobCatalogue;
/** A payload as a producer writes it (defaults may be left out). */
export type JobPayload<N extends JobName> = z.input<(typeof jobCatalogue)[N]>;
/** A payload as the task receives it, parsed and with defaults filled in. */
export type ParsedJobPayload<N extends JobName> = z.output<(typeof jobCatalogue)[N]>;

export const jobNames = Object.keys(jobCatalogue) as JobName[];

/**
 * The priority a task's jobs are queued with unless the producer says otherwise (lower runs
 * first; graphile-worker's default is 0). Event processing goes ahead of everything, so a
 * backlog of sends, segment refreshes or scenario steps never delays segment memberships and
 * triggers; transactional mail (-10, `send-job.ts`) comes next.
 */
export const jobPriorities: Partial<Record<JobName, number>> = {
  process_event: -20,
  process_events: -20,
};

/**
 * Parses a job's payload with its catalogue schema; throws a ZodError for a malformed one.
 *
 * @example const { eventId } = parseJobPayload("process_event", helpers.job.payload)
 */
export function parseJobPayload<N extends JobName>(task: N, raw: unknown): ParsedJobPayload<N> {
  return jobCatalogue[task].parse(raw ?? {}) as ParsedJobPayload<N>;
}
