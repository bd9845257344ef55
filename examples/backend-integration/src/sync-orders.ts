import type { CartwheelClient, IngestResult, TrackEvent } from "./cartwheel-client.ts";
import { isoDateTime, type ShopOrder, toOrderCompletedEvent } from "./shop-export.ts";

/** Cartwheel takes at most this many events per call. */
export const maxEventBatch = 100;

/** How events reach Cartwheel: GraphQL `ingestEvents`, or the plain `POST /v1/batch` route. */
export type EventTransport = "ingestEvents" | "/v1/batch";

/** An order whose event was not stored, and why. */
export interface UnsentOrder {
  orderId: string;
  /** The API's rejection code (e.g. `timestamp_too_old`), or `invalid_timestamp`/`customer_rejected`. */
  code: string;
  message: string;
}

export interface OrderSyncReport {
  transport: EventTransport;
  /** Events stored by this run. */
  accepted: number;
  /** Events Cartwheel already had (an earlier run sent them). */
  duplicates: number;
  unsent: UnsentOrder[];
}

export interface OrderSyncOptions {
  /** Default: `ingestEvents` when the API's schema has it, else `/v1/batch`. */
  transport?: EventTransport;
  /** Orders of these customers are held back (their contact row was refused). */
  skipCustomers?: ReadonlySet<string>;
}

/**
 * Sends an `Order Completed` event per order, 100 per call, with the secret key. Each event's
 * messageId comes from its order id, so a re-run stores nothing twice. A secret key may backfill
 * up to 10 years; older orders are refused (`timestamp_too_old`), reported, not retried.
 *
 * @example const report = await syncOrders(client, orders); // { accepted, duplicates, unsent }
 */
export async function syncOrders(
  client: CartwheelClient,
  orders: ShopOrder[],
  options: OrderSyncOptions = {},
): Promise<OrderSyncReport> {
  const transport =
    options.transport ??
    ((await client.hasMutation("ingestEvents")) ? "ingestEvents" : "/v1/batch");
  const report: OrderSyncReport = { transport, accepted: 0, duplicates: 0, unsent: [] };
  const events: TrackEvent[] = [];
  for (const order of orders) {
    if (options.skipCustomers?.has(order.customer_id)) {
      report.unsent.push({
        orderId: order.id,
        code: "customer_rejected",
        message: `customer ${order.customer_id} was refused; fix it and sync again`,
      });
    } else if (!isoDateTime(order.completed_at)) {
      // GraphQL would refuse the whole batch for one bad DateTime; keep it out instead.
      report.unsent.push({
        orderId: order.id,
        code: "invalid_timestamp",
        message: `completed_at "${order.completed_at}" is not a date-time`,
      });
    } else {
      events.push(toOrderCompletedEvent(order));
    }
  }
  for (let start = 0; start < events.length; start += maxEventBatch) {
    const batch = events.slice(start, start + maxEventBatch);
    const result = await sendEvents(client, transport, batch);
    report.accepted += result.accepted;
    report.duplicates += result.duplicates;
    for (const rejected of result.rejected) {
      const orderId = batch[rejected.index]?.properties.order_id;
      report.unsent.push({
        orderId: String(orderId),
        code: rejected.code,
        message: rejected.message,
      });
    }
  }
  return report;
}

async function sendEvents(
  client: CartwheelClient,
  transport: EventTransport,
  batch: TrackEvent[],
): Promise<IngestResult> {
  if (transport === "/v1/batch") return client.postBatch(batch);
  const outcome = await client.ingestEvents(batch);
  if (outcome.__typename === "MutationIngestEventsSuccess") return outcome.result;
  throw new Error(`ingestEvents: ${outcome.__typename}: ${outcome.message}`);
}
