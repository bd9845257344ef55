import type { FieldProblem, UpsertBatchResult } from "./cartwheel-client.ts";

/** A row Cartwheel refused, with the field problems it named. */
export interface RefusedRow {
  /** 1-based position in the export. */
  position: number;
  /** The shop's id of the row (product id, order id). */
  id: string;
  problems: { field: string; message: string }[];
}

export interface UpsertReport {
  created: number;
  updated: number;
  refused: RefusedRow[];
  /** Set when a batch failed for a reason no row explains (e.g. a key without the scope). */
  stoppedAt?: { position: number; reason: string };
}

/**
 * Sends rows to an all-or-nothing batch mutation (`upsertProducts`, `upsertOrders`) in batches
 * of up to 1,000: when Cartwheel names bad rows (`["products", "3", "price"]`), they are
 * reported and the rest of the batch is sent again, so every valid row is stored in one run.
 *
 * @example await upsertInBatches(rows, { field: "products", idOf: (p) => p.productId, send: client.upsertProducts })
 */
export async function upsertInBatches<T>(
  rows: T[],
  options: {
    field: string;
    idOf: (row: T) => string;
    send: (batch: T[]) => Promise<UpsertBatchResult>;
    batchSize?: number;
  },
): Promise<UpsertReport> {
  const batchSize = Math.min(options.batchSize ?? 1000, 1000);
  const report: UpsertReport = { created: 0, updated: 0, refused: [] };
  for (let start = 0; start < rows.length; start += batchSize) {
    let pending = rows
      .slice(start, start + batchSize)
      .map((row, offset) => ({ row, position: start + offset + 1 }));
    while (pending.length > 0) {
      const outcome = await options.send(pending.map((entry) => entry.row));
      if (outcome.__typename === "Success") {
        report.created += outcome.createdCount;
        report.updated += outcome.updatedCount;
        break;
      }
      const refused =
        outcome.__typename === "InvalidInputError"
          ? refusedRows(outcome.problems, options.field, pending, options.idOf)
          : new Map<number, RefusedRow>();
      if (refused.size === 0) {
        report.stoppedAt = {
          position: pending[0]?.position ?? start + 1,
          reason: `${outcome.__typename}: ${outcome.message}`,
        };
        return report;
      }
      report.refused.push(...refused.values());
      pending = pending.filter((_entry, index) => !refused.has(index));
    }
  }
  return report;
}

function refusedRows<T>(
  problems: FieldProblem[],
  field: string,
  pending: { row: T; position: number }[],
  idOf: (row: T) => string,
) {
  const refused = new Map<number, RefusedRow>();
  for (const problem of problems) {
    const index = Number(problem.path[1]);
    const entry = problem.path[0] === field ? pending[index] : undefined;
    if (!entry) continue;
    const row = refused.get(index) ?? {
      position: entry.position,
      id: idOf(entry.row),
      problems: [],
    };
    row.problems.push({
      field: problem.path.slice(2).join(".") || "(row)",
      message: problem.message,
    });
    refused.set(index, row);
  }
  return refused;
}
