import { fileURLToPath, pathToFileURL } from "node:url";
import { type CartwheelClient, makeCartwheelClient } from "./cartwheel-client.ts";
import { readSyncConfig } from "./config.ts";
import { sampleOrders } from "./sample-export.ts";
import { readCustomers, readOrders, type ShopCustomer, type ShopOrder } from "./shop-export.ts";
import { type CustomerSyncReport, syncCustomers } from "./sync-customers.ts";
import { type EventTransport, type OrderSyncReport, syncOrders } from "./sync-orders.ts";

export { makeCartwheelClient } from "./cartwheel-client.ts";
export { parseCustomersCsv, readCustomers, readOrders } from "./shop-export.ts";
export { syncCustomers } from "./sync-customers.ts";
export { syncOrders } from "./sync-orders.ts";

export interface SyncReport {
  customers: CustomerSyncReport;
  /** Undefined when the customer sync stopped early (strict mode). */
  orders?: OrderSyncReport;
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
  const orders = await syncOrders(client, options.orders, {
    transport: options.transport,
    skipCustomers: new Set(customers.rejected.map((row) => row.customerId)),
  });
  return { customers, orders };
}

/** Whether the run left anything out (refused rows, unsent orders, an early stop). */
export function hasProblems(report: SyncReport): boolean {
  return (
    report.customers.rejected.length > 0 ||
    report.customers.stoppedAt !== undefined ||
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
