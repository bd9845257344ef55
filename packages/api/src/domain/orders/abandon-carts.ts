import { cartsConfig } from "../../config.ts";
import { db } from "../../db.ts";

const batchSize = 1000;

/** The shortest abandonment time a workspace may set: the sweep runs every 5 minutes. */
export const minCartAbandonMinutes = 5;
/** The longest: 30 days. */
export const maxCartAbandonMinutes = 60 * 24 * 30;

/**
 * Marks every workspace's carts that are ACTIVE or CHECKOUT_STARTED with no activity for the
 * workspace's abandonment time (`cartAbandonAfterMinutes`, else `defaultIdleMinutes`, else
 * CARTWHEEL_CART_ABANDON_AFTER_MINUTES, 60) as ABANDONED at `now`, in batches of 1,000 (each its
 * own statement, skipping carts a cart event holds). Activity after `now` makes such a cart
 * ACTIVE again (`recordCartEvent`). Running it again changes nothing. Returns how many carts it
 * marked. The worker's `abandon_carts` runs it every 5 minutes.
 *
 * @example await abandonIdleCarts({ now: new Date(), defaultIdleMinutes: 60 })
 */
export async function abandonIdleCarts(
  options: { now?: Date; defaultIdleMinutes?: number } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const defaultMinutes = options.defaultIdleMinutes ?? cartsConfig().abandonAfterMinutes;
  // No cart idle for less than the shortest time any workspace may set is a candidate.
  const shortest = Math.min(defaultMinutes, minCartAbandonMinutes);
  const idleSince = new Date(now.getTime() - shortest * 60_000);
  let total = 0;
  for (;;) {
    const marked = await db().$executeRaw`
      UPDATE carts SET status = 'ABANDONED', abandoned_at = ${now}::timestamptz, updated_at = now()
       WHERE id IN (SELECT c.id FROM carts c JOIN workspaces w ON w.id = c.workspace_id
                     WHERE c.status IN ('ACTIVE', 'CHECKOUT_STARTED')
                       AND c.last_activity_at < ${idleSince}::timestamptz
                       AND c.last_activity_at < ${now}::timestamptz - make_interval(
                             mins => coalesce(w.cart_abandon_after_minutes, ${defaultMinutes}::int))
                     LIMIT ${batchSize} FOR UPDATE OF c SKIP LOCKED)`;
    total += marked;
    if (marked < batchSize) return total;
  }
}
