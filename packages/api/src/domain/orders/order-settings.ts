import { z } from "zod";
import { db, type Executor, type Transaction, withTransaction } from "../../db.ts";
import { queueContactOrdersChange } from "../contacts/contact-changes.ts";
import { lockContacts } from "../contacts/lock-contact.ts";
import { addJob } from "../jobs/add-job.ts";
import { NotFoundError } from "../shared/errors.ts";
import { parseInput } from "../shared/validation.ts";
import { loadWorkspaceCurrency } from "../workspaces/workspace-currency.ts";
import { maxCartAbandonMinutes, minCartAbandonMinutes } from "./abandon-carts.ts";
import { convertCarts } from "./convert-carts.ts";
import { orderEventNames, orderWriteFromEvent } from "./orders-from-events.ts";
import { writeOrdersInRuns } from "./write-orders.ts";

/**
 * Whether orders only a browser reported count, how many the workspace has now, and when its
 * carts are abandoned.
 */
export interface OrderSettings {
  countUnverifiedOrders: boolean;
  unverifiedOrders: number;
  /** Null: the deployment's default (CARTWHEEL_CART_ABANDON_AFTER_MINUTES). */
  cartAbandonAfterMinutes: number | null;
}

const orderSettingsChange = z
  .strictObject({
    countUnverifiedOrders: z.boolean().optional(),
    cartAbandonAfterMinutes: z
      .number()
      .int()
      .min(minCartAbandonMinutes, `at least ${minCartAbandonMinutes} minutes`)
      .max(maxCartAbandonMinutes, "at most 30 days")
      .nullable()
      .optional(),
  })
  .refine(
    (change) =>
      change.countUnverifiedOrders !== undefined || change.cartAbandonAfterMinutes !== undefined,
    "change countUnverifiedOrders, cartAbandonAfterMinutes or both",
  );

/** Browser order events replayed per job when unverified orders are switched back on. */
export const replayBatchSize = 200;
/** What one `refresh_contact_segments` job takes. */
const maxContactsPerJob = 10_000;

/** The workspace's order settings, or null if it does not exist. */
export async function loadOrderSettings(
  workspaceId: string,
  executor: Executor = db(),
): Promise<OrderSettings | null> {
  const [row] = await executor.$queryRaw<OrderSettings[]>`
    SELECT w.count_unverified_orders AS "countUnverifiedOrders",
           w.cart_abandon_after_minutes AS "cartAbandonAfterMinutes",
           (SELECT count(*)::int FROM orders o
             WHERE o.workspace_id = w.id AND NOT o.verified) AS "unverifiedOrders"
      FROM workspaces w WHERE w.id = ${workspaceId}::uuid`;
  return row ?? null;
}

/**
 * Whether a browser's order events write orders in this workspace. Read FOR SHARE, so a
 * change of the setting waits for the event being handled and the event never writes under a
 * setting that has just been switched off.
 */
export async function countsBrowserOrders(tx: Transaction, workspaceId: string): Promise<boolean> {
  const [row] = await tx.$queryRaw<{ counts: boolean }[]>`
    SELECT count_unverified_orders AS counts FROM workspaces
     WHERE id = ${workspaceId}::uuid FOR SHARE`;
  return row?.counts ?? false;
}

/**
 * Sets when the workspace's carts count as abandoned (`cartAbandonAfterMinutes`, 5 minutes to
 * 30 days, null for the deployment's default; the next sweep applies it), and decides whether
 * orders only a browser reported (`Order Completed` and the other order events
 * sent with the public key) count as orders: in segments, scores and revenue. Switched off, the
 * unverified orders are removed at once (their events stay, and the backend's report of the
 * same order id makes it an order again), the segments on orders are re-checked for their
 * contacts and the visits they converted stop counting as converted; switched on, the browser's
 * order events are replayed into orders (and converted visits) by `replay_browser_orders`.
 * Setting the current value changes nothing.
 *
 * @example await updateOrderSettings(workspaceId, { countUnverifiedOrders: false, cartAbandonAfterMinutes: 30 })
 */
export async function updateOrderSettings(
  workspaceId: string,
  change: z.input<typeof orderSettingsChange>,
): Promise<OrderSettings> {
  const { countUnverifiedOrders, cartAbandonAfterMinutes } = parseInput(
    orderSettingsChange,
    change,
  );
  return withTransaction(async (tx) => {
    const [before] = await tx.$queryRaw<{ counts: boolean }[]>`
      SELECT count_unverified_orders AS counts FROM workspaces
       WHERE id = ${workspaceId}::uuid FOR NO KEY UPDATE`;
    if (!before) throw new NotFoundError("Workspace", workspaceId);
    if (cartAbandonAfterMinutes !== undefined) {
      await tx.$executeRaw`
        UPDATE workspaces SET cart_abandon_after_minutes = ${cartAbandonAfterMinutes}::int,
               updated_at = now()
         WHERE id = ${workspaceId}::uuid`;
    }
    if (countUnverifiedOrders !== undefined && before.counts !== countUnverifiedOrders) {
      await tx.$executeRaw`
        UPDATE workspaces SET count_unverified_orders = ${countUnverifiedOrders}, updated_at = now()
         WHERE id = ${workspaceId}::uuid`;
      if (countUnverifiedOrders) {
        await queueReplay(tx, workspaceId, "0");
      } else {
        await tx.$executeRaw`
          UPDATE carts SET converted_order_id = NULL
           WHERE workspace_id = ${workspaceId}::uuid
             AND converted_order_id IN (SELECT id FROM orders
                                         WHERE workspace_id = ${workspaceId}::uuid AND NOT verified)`;
        const removed = await tx.$queryRaw<{ contact_id: string | null }[]>`
          DELETE FROM orders WHERE workspace_id = ${workspaceId}::uuid AND NOT verified
          RETURNING contact_id::text`;
        // Visits converted only by those orders (or by the browser's own reports) are no longer.
        await tx.$executeRaw`SELECT cartwheel_recheck_converted_visits(${workspaceId}::uuid)`;
        const contactIds = [...new Set(removed.flatMap((row) => row.contact_id ?? []))];
        for (let start = 0; start < contactIds.length; start += maxContactsPerJob)
          await queueContactOrdersChange(
            tx,
            workspaceId,
            contactIds.slice(start, start + maxContactsPerJob),
          );
      }
    }
    return (await loadOrderSettings(workspaceId, tx)) as OrderSettings;
  });
}

function queueReplay(tx: Transaction, workspaceId: string, afterEventId: string) {
  return addJob(
    tx,
    "replay_browser_orders",
    { workspaceId, afterEventId },
    { jobKey: `replay_browser_orders:${workspaceId}` },
  );
}

/**
 * Writes the orders of the next `replayBatchSize` browser order events after `afterEventId`,
 * in event order, as their reactions would have had unverified orders counted: keyed and
 * time-guarded, so a replayed event that was already written changes nothing. Stops (null) when
 * the setting was switched off again meanwhile or no events are left; else queues the next batch
 * in the same transaction and returns the last event id.
 *
 * @example let after = "0"; while (after) after = await replayBrowserOrders(workspaceId, after)
 */
export async function replayBrowserOrders(
  workspaceId: string,
  afterEventId: string,
): Promise<string | null> {
  return withTransaction(async (tx) => {
    if (!(await countsBrowserOrders(tx, workspaceId))) return null;
    const events = await tx.$queryRaw<
      {
        id: string;
        name: string;
        contactId: string | null;
        occurredAt: Date;
        properties: Record<string, unknown>;
      }[]
    >`
      SELECT id::text, name, contact_id::text AS "contactId", occurred_at AS "occurredAt", properties
        FROM events
       WHERE workspace_id = ${workspaceId}::uuid AND from_browser AND id > ${afterEventId}::bigint
         AND name = ANY(${[...orderEventNames]}::text[])
       ORDER BY events.id LIMIT ${replayBatchSize}`;
    if (events.length === 0) return null;
    // Contacts first, then their orders: the order every writer of orders takes locks in.
    await lockContacts(
      tx,
      workspaceId,
      [...new Set(events.flatMap((event) => event.contactId ?? []))].sort(),
    );
    const currency = await loadWorkspaceCurrency(tx, workspaceId);
    const writes = events.flatMap(
      (event) => orderWriteFromEvent({ ...event, fromBrowser: true }, currency) ?? [],
    );
    const written = await writeOrdersInRuns(tx, workspaceId, writes);
    const applied = written.filter((order) => !order.ignored);
    await convertCarts(tx, workspaceId, [...new Set(applied.map((order) => order.id))]);
    await tx.$executeRaw`
      SELECT cartwheel_convert_visits(${workspaceId}::uuid, ${events.map((event) => event.id)}::bigint[])`;
    await queueContactOrdersChange(tx, workspaceId, [
      ...new Set(applied.flatMap((order) => order.contactIds)),
    ]);
    const last = events.length < replayBatchSize ? null : (events.at(-1)?.id ?? null);
    if (last) await queueReplay(tx, workspaceId, last);
    return last;
  });
}
