import { fileURLToPath, pathToFileURL } from "node:url";
import {
  type CartwheelClient,
  makeCartwheelClient,
  type ProductInput,
} from "./cartwheel-client.ts";
import { readSyncConfig } from "./config.ts";
import { sampleOrders } from "./sample-export.ts";
import { readCustomers, readOrders, type ShopCustomer, type ShopOrder } from "./shop-export.ts";
import { pushOrders, syncProducts } from "./sync-catalog.ts";
import { type CustomerSyncReport, syncCustomers } from "./sync-customers.ts";
import { type EventTransport, type OrderSyncReport, syncOrders } from "./sync-orders.ts";
import type { UpsertReport } from "./upsert-in-batches.ts";

export { makeCartwheelClient } from "./cartwheel-client.ts";
export { parseCustomersCsv, readCustomers, readOrders } from "./shop-export.ts";
export { pushOrders, syncProducts, toOrderInput } from "./sync-catalog.ts";
export { syncCustomers } from "./sync-customers.ts";
export { syncOrders } from "./sync-orders.ts";

export interface SyncReport {
  customers: CustomerSyncReport;
  /** Set when products were given. */
  products?: UpsertReport;
  /** Undefined when the customer sync stopped early (strict mode). */
  orders?: OrderSyncReport;
  /** The orders' `upsertOrders` report, with `ordersVia: "upsertOrders"`. */
  orderRecords?: UpsertReport;
}

export interface SyncOptions {
  customers: ShopCustomer[];
  orders: ShopOrder[];
  /** See `syncCustomers`. Default "skip". */
  onInvalidRows?: "skip" | "stop";
  /** Default: `ingestEvents` when the schema has it, else `/v1/batch`. */
  transport?: EventTransport;
  /** Default 1,000. */
  customerBatchSize?: number;
  /** The catalog, upserted with `upsertProducts` after the customers. */
  products?: ProductInput[];
  /**
   * `"events"` (default): each order as an `Order Completed` event, which also starts the
   * scenarios it triggers; `"upsertOrders"`: the order records themselves (a backfill, or a
   * sync of status changes), which trigger nothing.
   */
  ordersVia?: "events" | "upsertOrders";
}

/**
 * Syncs customers, then their orders: contacts first, so each `Order Completed` event finds
 * its contact by customer id. Orders of refused customers are held back until a later run.
 * Safe to run again and again.
 *
 * @example const report = await runSync(client, { customers, orders }); console.log(formatReport(report));
 */
export async function runSync(client: CartwheelClient, options: SyncOptions): Promise<SyncReport> {
  const customers = await syncCustomers(client, options.customers, {
    onInvalidRows: options.onInvalidRows ?? "skip",
    batchSize: options.customerBatchSize,
  });
  if (customers.stoppedAt) return { customers };
  const products = options.products && (await syncProducts(client, options.products));
  const refusedCustomers = new Set(customers.rejected.map((row) => row.customerId));
  if (options.ordersVia === "upsertOrders") {
    const kept = options.orders.filter((order) => !refusedCustomers.has(order.customer_id));
    return {
      customers,
      ...(products && { products }),
      orderRecords: await pushOrders(client, kept),
    };
  }
  const orders = await syncOrders(client, options.orders, {
    transport: options.transport,
    skipCustomers: refusedCustomers,
  });
  return { customers, ...(products && { products }), orders };
}

/** Whether the run left anything out (refused rows, unsent orders, an early stop). */
export function hasProblems(report: SyncReport): boolean {
  return (
    report.customers.rejected.length > 0 ||
    report.customers.stoppedAt !== undefined ||
    (report.products?.refused.length ?? 0) > 0 ||
    report.products?.stoppedAt !== undefined ||
    (report.orderRecords?.refused.length ?? 0) > 0 ||
    report.orderRecords?.stoppedAt !== undefined ||
    (report.orders?.unsent.length ?? 0) > 0
  );
}

/** The report as lines for a terminal. */
export function formatReport(report: SyncReport): string {
  const { customers, orders } = report;
  const lines = [
    `customers: ${customers.created} created, ${customers.updated} updated, ${customers.rejected.length} refused`,
  ];
  for (const row of customers.rejected) {
    for (const problem of row.problems) {
      lines.push(
        `  row ${row.position} (customer ${row.customerId}): ${problem.field} ${problem.message}`,
      );
    }
  }
  if (customers.stoppedAt) {
    lines.push(
      `  stopped at row ${customers.stoppedAt.position}: ${customers.stoppedAt.reason}; orders not sent`,
    );
  }
  for (const [label, upserted] of [
    ["products", report.products],
    ["orders (upsertOrders)", report.orderRecords],
  ] as const) {
    if (!upserted) continue;
    lines.push(
      `${label}: ${upserted.created} created, ${upserted.updated} updated, ${upserted.refused.length} refused`,
    );
    for (const row of upserted.refused) {
      for (const problem of row.problems) {
        lines.push(`  row ${row.position} (${row.id}): ${problem.field} ${problem.message}`);
      }
    }
    if (upserted.stoppedAt) {
      lines.push(`  stopped at row ${upserted.stoppedAt.position}: ${upserted.stoppedAt.reason}`);
    }
  }
  if (orders) {
    lines.push(
      `orders (${orders.transport}): ${orders.accepted} sent, ${orders.duplicates} already sent, ${orders.unsent.length} not sent`,
    );
    for (const order of orders.unsent) {
      lines.push(`  order ${order.orderId}: ${order.code}: ${order.message}`);
    }
  }
  return lines.join("\n");
}

async function main() {
  const config = readSyncConfig();
  const client = makeCartwheelClient({
    apiUrl: config.apiUrl,
    secretKey: config.secretKey,
    onRetry: ({ attempt, reason, delayMs }) =>
      console.warn(`retry ${attempt} in ${delayMs} ms: ${reason}`),
  });
  const customersPath =
    config.customersPath ?? fileURLToPath(new URL("../data/customers.csv", import.meta.url));
  const report = await runSync(client, {
    customers: await readCustomers(customersPath),
    orders: config.ordersPath ? await readOrders(config.ordersPath) : sampleOrders(),
    onInvalidRows: config.strict ? "stop" : "skip",
  });
  console.log(formatReport(report));
  process.exitCode = hasProblems(report) ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
