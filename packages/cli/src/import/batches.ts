import type { Reject } from "./import-kind.ts";
import type { Item, MappedRow } from "./map-rows.ts";

/** Up to `size` items to send together, with the rejects found while reading them. */
export interface Batch {
  /** 0-based; the same file always gives the same batches, which is what resuming relies on. */
  index: number;
  items: Item[];
  /** Rows refused before sending (unreadable, wrong type, repeated id). */
  rejects: Reject[];
  /** Records of the file read through this batch (its last record's number). */
  through: number;
}

/**
 * Cuts mapped rows into batches of `size` items; the last batch may be smaller, or hold only
 * rejects.
 *
 * @example for await (const batch of makeBatches(mapRows(…), 1000)) send(batch.items)
 */
export async function* makeBatches(
  rows: AsyncIterable<MappedRow>,
  size: number,
): AsyncGenerator<Batch> {
  let batch: Batch = { index: 0, items: [], rejects: [], through: 0 };
  for await (const row of rows) {
    if ("item" in row) batch.items.push(row.item);
    else batch.rejects.push(...row.rejects);
    batch.through = row.through;
    if (batch.items.length === size) {
      yield batch;
      batch = { index: batch.index + 1, items: [], rejects: [], through: batch.through };
    }
  }
  if (batch.items.length > 0 || batch.rejects.length > 0) yield batch;
}
