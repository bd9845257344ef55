import type { CartwheelClient, ContactInput, FieldProblem } from "./cartwheel-client.ts";
import { type ShopCustomer, toContactInput } from "./shop-export.ts";

/** Cartwheel takes at most this many contacts per `importContacts` call. */
export const maxImportBatch = 1000;

/** A customer the API refused, with the field problems it named. */
export interface RejectedCustomer {
  /** 1-based position in the export (a CSV's line number is this + 1 for the header). */
  position: number;
  customerId: string;
  problems: { field: string; message: string }[];
}

export interface CustomerSyncReport {
  created: number;
  updated: number;
  /** importContacts calls that stored something. */
  batches: number;
  rejected: RejectedCustomer[];
  /** Set when the sync stopped early (strict mode, or an error no row explains). */
  stoppedAt?: { position: number; reason: string };
}

export interface CustomerSyncOptions {
  /** Default 1,000 (the API's maximum). */
  batchSize?: number;
  /**
   * What to do when a batch is refused (`importContacts` is all or nothing):
   * - `"skip"` (default): report the rows the API named, drop them, and send the rest of the
   *   batch again, so every valid customer is stored;
   * - `"stop"`: report them and stop; earlier batches stay stored, later ones are not sent.
   */
  onInvalidRows?: "skip" | "stop";
}

interface PendingRow {
  position: number;
  customerId: string;
  input: ContactInput;
}

/**
 * Upserts the shop's customers as Cartwheel contacts in batches (by externalId = customer id).
 * Re-running it with the same export creates nothing new.
 *
 * @example const report = await syncCustomers(client, customers, { onInvalidRows: "stop" });
 */
export async function syncCustomers(
  client: CartwheelClient,
  customers: ShopCustomer[],
  options: CustomerSyncOptions = {},
): Promise<CustomerSyncReport> {
  const batchSize = Math.min(options.batchSize ?? maxImportBatch, maxImportBatch);
  const report: CustomerSyncReport = { created: 0, updated: 0, batches: 0, rejected: [] };
  const rows: PendingRow[] = customers.map((customer, index) => ({
    position: index + 1,
    customerId: customer.id,
    input: toContactInput(customer),
  }));
  for (let start = 0; start < rows.length; start += batchSize) {
    const stopped = await importBatch(
      client,
      rows.slice(start, start + batchSize),
      report,
      options,
    );
    if (stopped) {
      report.stoppedAt = stopped;
      break;
    }
  }
  return report;
}

/** Sends one batch, dropping refused rows and resending in skip mode; returns why it stopped. */
async function importBatch(
  client: CartwheelClient,
  batch: PendingRow[],
  report: CustomerSyncReport,
  options: CustomerSyncOptions,
): Promise<CustomerSyncReport["stoppedAt"]> {
  let pending = batch;
  while (pending.length > 0) {
    const outcome = await client.importContacts(pending.map((row) => row.input));
    const first = pending[0]?.position ?? 0;
    switch (outcome.__typename) {
      case "MutationImportContactsSuccess":
        report.created += outcome.result.createdCount;
        report.updated += outcome.result.updatedCount;
        report.batches += 1;
        return undefined;
      case "InvalidInputError": {
        const refused = rowsNamedBy(outcome.problems, pending);
        if (refused.size === 0) return { position: first, reason: outcome.message };
        report.rejected.push(...refused.values());
        if (options.onInvalidRows === "stop") {
          return { position: first, reason: `${refused.size} invalid rows: ${outcome.message}` };
        }
        pending = pending.filter((_row, index) => !refused.has(index));
        break;
      }
      default:
        return { position: first, reason: `${outcome.__typename}: ${outcome.message}` };
    }
  }
  return undefined;
}

/** Groups `["contacts", "<index>", "<field>"]` problems by row; other paths name no row. */
function rowsNamedBy(problems: FieldProblem[], pending: PendingRow[]) {
  const refused = new Map<number, RejectedCustomer>();
  for (const problem of problems) {
    const index = Number(problem.path[1]);
    const row = problem.path[0] === "contacts" ? pending[index] : undefined;
    if (!row) continue;
    const entry = refused.get(index) ?? {
      position: row.position,
      customerId: row.customerId,
      problems: [],
    };
    entry.problems.push({
      field: problem.path.slice(2).join(".") || "(row)",
      message: problem.message,
    });
    refused.set(index, entry);
  }
  return refused;
}
