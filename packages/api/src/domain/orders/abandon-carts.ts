import { cartsConfig } from "../../config.ts";
import { db } from "../../db.ts";

const batchSize = 1000;

/**
 * Marks every workspace's carts that are ACTIVE or CHECKOUT_STARTED with no activity for
 * `idleMinutes` (default: CARTWHEEL_CART_ABANDON_AFTER_MINUTES, 60) as ABANDONED at `now`, in
 * batches of 1,000 (each its own statement, skipping carts a cart event holds). Activity after
 * `now` makes such a cart ACTIVE again (`recordCartEvent`). Running it again changes nothing.
 * Returns how many carts it marked. The worker's `abandon_carts` runs it every 5 minutes.
 *
 * @example await abandonIdleCarts({ now: new Date(), idleMinutes: 60 })
 */
export async function abandonIdleCarts(
  options: { now?: Date; idleMinutes?: number } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const idleMinutes = options.idleMinutes ?? cartsConfig().abandonAfterMinutes;
  const idleSince = new Date(now.getTime() - idleMinutes * 60_000);
  let total = 0;
  for (;;) {
    const marked = await db().$executeRaw`
      UPDATE carts SET status = 'ABANDONED', abandoned_at = ${now}::timestamptz, updated_at = now()
       WHERE id IN (SELECT id FROM carts
                     WHERE status IN ('ACTIVE', 'CHECKOUT_STARTED')
                       AND last_activity_at < ${idleSince}::timestamptz
                     LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`;
    total += marked;
    if (marked < batchSize) return total;
  }
}
