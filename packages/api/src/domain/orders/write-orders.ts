import type { Transaction } from "../../db.ts";
import type { OrderWrite } from "./order-write.ts";

export interface WrittenOrder {
  id: string;
  shop_order_id: string;
  created: boolean;
  /** An unverified write to a verified order: it changed nothing. */
  ignored: boolean;
  /** The order's contact before the write and after it (distinct, guests left out). */
  contactIds: string[];
}

interface UpsertedRow extends Omit<WrittenOrder, "contactIds"> {
  details_applied: boolean;
  contact_id: string | null;
}

/**
 * Applies order writes (from events or the backend API) in the caller's transaction, in a
 * handful of set-based statements: the stored orders are locked in shop-id order, new ones
 * inserted and known ones updated (see `OrderWrite` for which parts of a write apply), lines
 * replaced where new details brought lines, refunds upserted by key, and each order's refunded
 * amount and refund status recomputed from its refunds. Returns one row per write, in order,
 * with the contacts whose orders it changed (for their segment upkeep).
 * At most one write per order in a call.
 *
 * @example await writeOrders(tx, workspaceId, [orderWrite])
 */
export async function writeOrders(
  tx: Transaction,
  workspaceId: string,
  writes: readonly OrderWrite[],
): Promise<WrittenOrder[]> {
  if (writes.length === 0) return [];
  const shopIds = writes.map((write) => write.shop_order_id);
  const locked = await tx.$queryRawUnsafe<{ shop_order_id: string; contact_id: string | null }[]>(
    `SELECT shop_order_id, contact_id::text FROM orders
      WHERE workspace_id = $1::uuid AND shop_order_id = ANY($2::text[])
      ORDER BY shop_order_id FOR UPDATE`,
    workspaceId,
    shopIds,
  );
  const contactBefore = new Map(locked.map((row) => [row.shop_order_id, row.contact_id]));
  const byShopId = new Map<string, UpsertedRow>();
  let pending = [...writes];
  // A concurrent writer may insert one of the new orders first; the next round updates it.
  for (let round = 0; pending.length > 0; round++) {
    if (round === 3) throw new Error(`orders ${pending.map((w) => w.shop_order_id)} not written`);
    const rows = await tx.$queryRawUnsafe<UpsertedRow[]>(
      upsertOrdersSql,
      workspaceId,
      JSON.stringify(pending.map(flatOrder)),
    );
    for (const row of rows) byShopId.set(row.shop_order_id, row);
    pending = pending.filter((write) => !byShopId.has(write.shop_order_id));
  }
  const results = writes.map((write) => byShopId.get(write.shop_order_id) as UpsertedRow);

  const withLines = writes.flatMap((write, index) => {
    const row = results[index];
    const lines = write.details?.lines;
    return row?.details_applied && lines ? [{ orderId: row.id, lines }] : [];
  });
  if (withLines.length > 0) {
    await tx.$executeRawUnsafe(
      "DELETE FROM order_lines WHERE order_id = ANY($1::uuid[])",
      withLines.map((entry) => entry.orderId),
    );
    const lines = withLines.flatMap(({ orderId, lines }) =>
      lines.map((line, position) => ({ ...line, order_id: orderId, position })),
    );
    if (lines.length > 0)
      await tx.$executeRawUnsafe(insertLinesSql, workspaceId, JSON.stringify(lines));
  }

  const refunds = writes.flatMap((write, index) =>
    results[index]?.ignored
      ? []
      : write.refunds.map((refund) => ({ ...refund, shop_order_id: write.shop_order_id })),
  );
  if (refunds.length > 0) {
    await tx.$executeRawUnsafe(upsertRefundsSql, workspaceId, JSON.stringify(refunds));
  }
  await tx.$executeRawUnsafe(
    recomputeRefundsSql,
    results.filter((row) => !row.ignored).map((row) => row.id),
  );
  return results.map(({ id, shop_order_id, created, ignored, contact_id }) => {
    const before = contactBefore.get(shop_order_id);
    const contactIds = ignored
      ? []
      : [...new Set([before, contact_id])].filter((c): c is string => !!c);
    return { id, shop_order_id, created, ignored, contactIds };
  });
}

/**
 * `writeOrders` for writes that may name one order several times (a batch of events, in
 * event order): a run of distinct orders per call, so each write applies in turn.
 *
 * @example await writeOrdersInRuns(tx, workspaceId, events.flatMap((event) => orderWriteFromEvent(event, "EUR") ?? []))
 */
export async function writeOrdersInRuns(
  tx: Transaction,
  workspaceId: string,
  writes: readonly OrderWrite[],
): Promise<WrittenOrder[]> {
  const written: WrittenOrder[] = [];
  for (const run of distinctRuns(writes, (write) => write.shop_order_id))
    written.push(...(await writeOrders(tx, workspaceId, run)));
  return written;
}

/** Consecutive runs of `items` in which no key repeats, in order. */
export function distinctRuns<T>(items: readonly T[], keyOf: (item: T) => string | null): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let seen = new Set<string>();
  for (const item of items) {
    const key = keyOf(item);
    if (key !== null && seen.has(key)) {
      runs.push(run);
      run = [];
      seen = new Set();
    }
    if (key !== null) seen.add(key);
    run.push(item);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function flatOrder(write: OrderWrite) {
  const { details, refunds: _refunds, ...rest } = write;
  return {
    ...rest,
    verified: write.verified ?? true,
    has_details: details !== null,
    ...(details && { ...details, lines: undefined }),
  };
}

const inputColumns = `shop_order_id text, contact_id uuid, source text, verified boolean, at timestamptz,
  has_details boolean, placeholder boolean, order_number text, cart_id text, currency text,
  subtotal bigint, discount bigint, shipping bigint, tax bigint, total bigint, coupon text,
  ordered_at timestamptz, properties jsonb, status text, tracking_number text, tracking_url text,
  carrier text, shipped_at timestamptz, cancelled_at timestamptz`;

/** The backend reports an order only a browser had: its word replaces the browser's, whatever the times. */
const verifies = "(i.verified AND NOT o.verified)";
/** The write's details apply: real details, not older than the stored ones. */
const details = `(i.has_details AND NOT i.placeholder AND (o.data_at IS NULL OR i.at >= o.data_at OR ${verifies}))`;
/** The write's status applies: it has one, not older than the stored one. */
const status = `(i.status IS NOT NULL AND (i.at >= o.status_at OR ${verifies}))`;
const detail = (column: string) =>
  `${column} = CASE WHEN ${details} THEN coalesce(i.${column}, o.${column}) ELSE o.${column} END`;

const upsertOrdersSql = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(${inputColumns})
  ), inserted AS (
    INSERT INTO orders (workspace_id, shop_order_id, order_number, contact_id, cart_id, currency,
      subtotal, discount, shipping, tax, total, coupon, status, tracking_number, tracking_url,
      carrier, ordered_at, shipped_at, cancelled_at, data_at, status_at, source, verified,
      properties)
    SELECT $1::uuid, i.shop_order_id, i.order_number, i.contact_id, i.cart_id, i.currency,
           coalesce(i.subtotal, 0), coalesce(i.discount, 0), coalesce(i.shipping, 0),
           coalesce(i.tax, 0), coalesce(i.total, 0), i.coupon,
           coalesce(i.status, 'PLACED')::order_status, i.tracking_number, i.tracking_url,
           i.carrier, coalesce(i.ordered_at, i.at), i.shipped_at, i.cancelled_at,
           CASE WHEN i.has_details AND NOT i.placeholder THEN i.at END,
           -- Without a status, the order has been PLACED since it was placed.
           CASE WHEN i.status IS NOT NULL THEN i.at ELSE coalesce(i.ordered_at, i.at) END,
           i.source::order_source, i.verified, coalesce(i.properties, '{}')
      FROM input i ORDER BY i.shop_order_id
    ON CONFLICT (workspace_id, shop_order_id) DO NOTHING
    RETURNING id, shop_order_id, contact_id
  ), updated AS (
    UPDATE orders o SET
      ${["order_number", "cart_id", "currency", "subtotal", "discount", "shipping", "tax", "total", "coupon", "ordered_at"].map(detail).join(",\n      ")},
      properties = CASE WHEN ${details} AND i.properties IS NOT NULL
                        THEN o.properties || i.properties ELSE o.properties END,
      data_at = CASE WHEN ${details} THEN i.at ELSE o.data_at END,
      source = CASE WHEN ${details} THEN i.source::order_source ELSE o.source END,
      verified = o.verified OR (i.verified AND i.has_details AND NOT i.placeholder),
      status = CASE WHEN ${status} THEN i.status::order_status ELSE o.status END,
      status_at = CASE WHEN ${status} THEN i.at ELSE o.status_at END,
      contact_id = coalesce(i.contact_id, o.contact_id),
      tracking_number = coalesce(i.tracking_number, o.tracking_number),
      tracking_url = coalesce(i.tracking_url, o.tracking_url),
      carrier = coalesce(i.carrier, o.carrier),
      shipped_at = coalesce(i.shipped_at, o.shipped_at),
      cancelled_at = coalesce(i.cancelled_at, o.cancelled_at),
      updated_at = now()
      FROM input i
     WHERE o.workspace_id = $1::uuid AND o.shop_order_id = i.shop_order_id
       -- A browser never changes what the backend reported.
       AND (i.verified OR NOT o.verified)
    RETURNING o.id, o.shop_order_id, o.contact_id,
              (i.has_details AND NOT i.placeholder AND o.data_at = i.at) AS details_applied
  ), ignored AS (
    SELECT o.id, o.shop_order_id, o.contact_id
      FROM orders o JOIN input i ON o.shop_order_id = i.shop_order_id
     WHERE o.workspace_id = $1::uuid AND o.verified AND NOT i.verified
  )
  SELECT x.id::text, x.shop_order_id, x.created, x.ignored, x.contact_id::text,
         coalesce(x.details_applied, i.has_details AND NOT x.ignored) AS details_applied
    FROM (SELECT id, shop_order_id, contact_id, true AS created, false AS ignored,
                 NULL::boolean AS details_applied
            FROM inserted
          UNION ALL
          SELECT id, shop_order_id, contact_id, false, false, details_applied FROM updated
          UNION ALL
          SELECT id, shop_order_id, contact_id, false, true, false FROM ignored) x
    JOIN input i ON i.shop_order_id = x.shop_order_id`;

const insertLinesSql = `
  INSERT INTO order_lines (order_id, workspace_id, position, shop_product_id, shop_variant_id, sku,
                           title, price, quantity, image_url, url)
  SELECT r.order_id, $1::uuid, r.position, r.shop_product_id, r.shop_variant_id, r.sku, r.title,
         r.price, r.quantity, r.image_url, r.url
    FROM jsonb_to_recordset($2::jsonb) AS r(order_id uuid, position int, shop_product_id text,
         shop_variant_id text, sku text, title text, price bigint, quantity int, image_url text,
         url text)`;

const upsertRefundsSql = `
  INSERT INTO order_refunds AS f (order_id, workspace_id, refund_key, amount, refunded_at, reason)
  SELECT o.id, $1::uuid, r.refund_key, r.amount, r.refunded_at, r.reason
    FROM jsonb_to_recordset($2::jsonb) AS r(shop_order_id text, refund_key text, amount bigint,
         refunded_at timestamptz, reason text)
    JOIN orders o ON o.workspace_id = $1::uuid AND o.shop_order_id = r.shop_order_id
  ON CONFLICT (workspace_id, order_id, refund_key) DO UPDATE SET
    amount = EXCLUDED.amount, refunded_at = EXCLUDED.refunded_at,
    reason = coalesce(EXCLUDED.reason, f.reason)`;

/**
 * The refunded amount is the refunds' sum (the whole total once a refund without an amount
 * is recorded), at most the total; the latest refund sets the status unless a newer status
 * change came after it.
 */
const recomputeRefundsSql = `
  UPDATE orders o SET
    refunded_amount = CASE WHEN s.full_refund THEN o.total ELSE least(s.amount, o.total) END,
    status = CASE WHEN s.last_at >= o.status_at
                  THEN (CASE WHEN s.full_refund OR s.amount >= o.total THEN 'REFUNDED'
                             ELSE 'PARTIALLY_REFUNDED' END)::order_status
                  ELSE o.status END,
    status_at = greatest(o.status_at, s.last_at),
    updated_at = now()
    FROM (SELECT order_id, bool_or(amount IS NULL) AS full_refund, coalesce(sum(amount), 0) AS amount,
                 max(refunded_at) AS last_at
            FROM order_refunds WHERE order_id = ANY($1::uuid[]) GROUP BY order_id) s
   WHERE o.id = s.order_id AND (s.full_refund OR s.amount > 0)`;
