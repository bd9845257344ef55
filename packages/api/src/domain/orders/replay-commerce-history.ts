import type { z } from "zod";
import { cartsConfig } from "../../config.ts";
import { type Transaction, withTransaction } from "../../db.ts";
import { lockContacts } from "../contacts/lock-contact.ts";
import { addJob } from "../jobs/add-job.ts";
import { commerceReplayCursor } from "../jobs/catalogue.ts";
import { NotFoundError } from "../shared/errors.ts";
import { eventText } from "../shared/event-values.ts";
import { isUuid, parseInput } from "../shared/validation.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { countsBrowserOrders } from "./order-settings.ts";
import { type OrderEvent, orderEventNames, orderWriteFromEvent } from "./orders-from-events.ts";
import { type CartToRecord, recordCarts } from "./record-carts.ts";
import { convertReplayedCarts } from "./replay-conversions.ts";
import { writeOrdersInRuns } from "./write-orders.ts";

/** Where a replay stands; `{ phase: "carts", afterCartId: "" }` is its start. */
export type CommerceReplayCursor = z.output<typeof commerceReplayCursor>;

/** Cart ids folded, or order events written, per batch (one transaction, one job). */
export const commerceReplayBatchSize = 500;
/** Carts marked abandoned per statement in the last step. */
const abandonBatchSize = 1000;

export const commerceReplayStart: CommerceReplayCursor = { phase: "carts", afterCartId: "" };

/** What one batch of a replay did, and where the next one starts (null: the replay is done). */
export interface CommerceReplayStep {
  carts: number;
  orderEvents: number;
  abandoned: number;
  next: CommerceReplayCursor | null;
}

/**
 * Replays one batch of a workspace's stored commerce events into carts and orders, for shops
 * whose events predate those tables, in one transaction and without any reaction: no scenario
 * starts, no mail, no segment, score or trigger work, so history never mails anybody. The
 * replay runs in three phases, each resumable from its cursor:
 * 1. `carts`: the next `commerceReplayBatchSize` cart ids (by id) of stored cart events are
 *    folded and written by `recordCarts`, exactly as a live cart event does (new rows take
 *    their first event's time as `created_at`, so analytics count them when they happened);
 * 2. `orders`: the next 500 order events (by event id; a browser's only where unverified orders
 *    count) are written by the live writers (keyed, time-guarded) and convert their carts as
 *    live processing did when each event came (`convertReplayedCarts`);
 * 3. `abandon`: the workspace's carts idle longer than its abandonment time are ABANDONED as
 *    the sweep would have made them (`abandoned_at` = last activity + that time), then the
 *    recommendation graphs are rebuilt (`rebuild_recommendations`) to learn from the orders.
 * Every step is idempotent and takes the house's locks (contacts, then orders, then carts), so
 * running the replay twice, or beside live ingest of the same carts, ends in the rows live
 * processing gives. With `queueNext`, the next batch is queued in the same transaction
 * (`replay_commerce_history`). Throws `NotFoundError` for an unknown workspace and
 * `InvalidInputError` for a malformed cursor, changing nothing.
 *
 * @example let cursor = commerceReplayStart; while (cursor) cursor = (await replayCommerceHistory(workspaceId, cursor)).next
 */
export async function replayCommerceHistory(
  workspaceId: string,
  cursor: unknown = commerceReplayStart,
  options: { now?: Date; defaultIdleMinutes?: number; queueNext?: boolean } = {},
): Promise<CommerceReplayStep> {
  const at = parseInput(commerceReplayCursor, cursor, ["cursor"]);
  if (!isUuid(workspaceId)) throw new NotFoundError("Workspace", workspaceId);
  return withTransaction(async (tx) => {
    const [workspace] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM workspaces WHERE id = ${workspaceId}::uuid`;
    if (!workspace) throw new NotFoundError("Workspace", workspaceId);
    const step: CommerceReplayStep = { carts: 0, orderEvents: 0, abandoned: 0, next: null };
    if (at.phase === "carts") {
      const carts = await replayCarts(tx, workspaceId, at.afterCartId);
      step.carts = carts.count;
      step.next = carts.last
        ? { phase: "carts", afterCartId: carts.last }
        : { phase: "orders", afterEventId: "0" };
    } else if (at.phase === "orders") {
      const orders = await replayOrders(tx, workspaceId, at.afterEventId);
      step.orderEvents = orders.count;
      step.next = orders.last
        ? { phase: "orders", afterEventId: orders.last }
        : { phase: "abandon" };
    } else {
      step.abandoned = await abandonReplayedCarts(tx, workspaceId, options);
      await addJob(
        tx,
        "rebuild_recommendations",
        { workspaceId },
        { jobKey: `rebuild_recommendations:${workspaceId}` },
      );
    }
    if (step.next && options.queueNext) await queueCommerceReplayStep(tx, workspaceId, step.next);
    return step;
  });
}

/** The job key a workspace's replay runs under: one replay per workspace at a time. */
export const commerceReplayJobKey = (workspaceId: string) =>
  `replay_commerce_history:${workspaceId}`;

export function queueCommerceReplayStep(
  tx: Transaction,
  workspaceId: string,
  cursor: CommerceReplayCursor,
) {
  return addJob(
    tx,
    "replay_commerce_history",
    { workspaceId, cursor },
    { jobKey: commerceReplayJobKey(workspaceId) },
  );
}

async function replayCarts(
  tx: Transaction,
  workspaceId: string,
  afterCartId: string,
): Promise<{ count: number; last: string | null }> {
  // The partial index events_cart_id_idx serves this: its predicate is repeated word for word.
  const keys = await tx.$queryRaw<{ key: string; first: Date }[]>`
    SELECT properties->>'cart_id' AS key, min(occurred_at) AS first
      FROM events
     WHERE workspace_id = ${workspaceId}::uuid
       AND name IN ('Product Added', 'Product Removed', 'Cart Viewed', 'Checkout Started')
       AND properties->>'cart_id' > ${afterCartId}
       AND jsonb_typeof(properties->'cart_id') = 'string'
     GROUP BY 1 ORDER BY 1 LIMIT ${commerceReplayBatchSize}`;
  const carts = keys.flatMap(({ key, first }): CartToRecord[] => {
    const shopCartId = eventText(key);
    return shopCartId ? [{ shopCartId, seenAt: first, createdAt: first }] : [];
  });
  if (carts.length > 0) {
    const contacts = await tx.$queryRaw<{ id: string }[]>`
      SELECT DISTINCT contact_id::text AS id FROM events
       WHERE workspace_id = ${workspaceId}::uuid
         AND name IN ('Product Added', 'Product Removed', 'Cart Viewed', 'Checkout Started')
         AND properties->>'cart_id' = ANY(${carts.map((cart) => cart.shopCartId)}::text[])
         AND contact_id IS NOT NULL`;
    // Contacts first, then their carts: the order a live cart event takes its locks in.
    await lockContacts(tx, workspaceId, contacts.map((contact) => contact.id).sort());
    await recordCarts(tx, workspaceId, carts, await loadWorkspaceCurrency(tx, workspaceId));
  }
  const last = keys.length < commerceReplayBatchSize ? null : (keys.at(-1)?.key ?? null);
  return { count: carts.length, last };
}

async function replayOrders(
  tx: Transaction,
  workspaceId: string,
  afterEventId: string,
): Promise<{ count: number; last: string | null }> {
  const countsBrowser = await countsBrowserOrders(tx, workspaceId);
  const events = await tx.$queryRaw<OrderEvent[]>`
    SELECT id::text, name, contact_id::text AS "contactId", occurred_at AS "occurredAt", properties,
           from_browser AS "fromBrowser"
      FROM events
     WHERE workspace_id = ${workspaceId}::uuid AND id > ${afterEventId}::bigint
       AND name = ANY(${[...orderEventNames]}::text[]) AND (NOT from_browser OR ${countsBrowser})
     ORDER BY events.id LIMIT ${commerceReplayBatchSize}`;
  if (events.length === 0) return { count: 0, last: null };
  // Contacts first, then their orders, then carts: the order every writer of orders takes.
  await lockContacts(
    tx,
    workspaceId,
    [...new Set(events.flatMap((event) => event.contactId ?? []))].sort(),
  );
  const currency = await loadWorkspaceCurrency(tx, workspaceId);
  const writes = events.flatMap((event) => {
    const write = orderWriteFromEvent(event, currency);
    return write ? [{ write, eventId: event.id }] : [];
  });
  const written = await writeOrdersInRuns(
    tx,
    workspaceId,
    writes.map((entry) => entry.write),
  );
  await convertReplayedCarts(
    tx,
    workspaceId,
    written,
    writes.map((entry) => entry.eventId),
  );
  const last = events.length < commerceReplayBatchSize ? null : (events.at(-1)?.id ?? null);
  return { count: events.length, last };
}

/**
 * The sweep's rule (`abandonIdleCarts`) for one workspace, dated when the sweep would have
 * found each cart: its last activity plus the abandonment time. Fires nothing, as the sweep.
 */
async function abandonReplayedCarts(
  tx: Transaction,
  workspaceId: string,
  options: { now?: Date; defaultIdleMinutes?: number },
): Promise<number> {
  const now = options.now ?? new Date();
  const defaultMinutes = options.defaultIdleMinutes ?? cartsConfig().abandonAfterMinutes;
  let total = 0;
  for (;;) {
    const marked = await tx.$executeRaw`
      WITH idle AS (
        SELECT c.id, c.last_activity_at + make_interval(
                 mins => coalesce(w.cart_abandon_after_minutes, ${defaultMinutes}::int)) AS found_at
          FROM carts c JOIN workspaces w ON w.id = c.workspace_id
         WHERE c.workspace_id = ${workspaceId}::uuid AND c.status IN ('ACTIVE', 'CHECKOUT_STARTED')
           AND c.last_activity_at < ${now}::timestamptz - make_interval(
                 mins => coalesce(w.cart_abandon_after_minutes, ${defaultMinutes}::int))
         LIMIT ${abandonBatchSize} FOR UPDATE OF c SKIP LOCKED)
      UPDATE carts c SET status = 'ABANDONED', abandoned_at = idle.found_at, updated_at = now()
        FROM idle WHERE c.workspace_id = ${workspaceId}::uuid AND c.id = idle.id`;
    total += marked;
    if (marked < abandonBatchSize) return total;
  }
}
