import type { CartwheelApi } from "./cartwheel-api.ts";
import type { ImportKind, Reject } from "./import-kind.ts";
import type { Item } from "./map-rows.ts";
import type { Format } from "./read-records.ts";

export interface SentItems {
  created: number;
  updated: number;
  /** Rows the API refused, each with every problem it named. */
  rejects: Reject[];
  /** Calls made, retries of refused batches included. */
  calls: number;
}

/**
 * Sends items as one all-or-nothing batch so that the good rows land and the bad are
 * reported: when the API names bad rows, they are set aside and the rest is sent again; when
 * it refuses the batch without naming a row (a value GraphQL itself rejects), the batch is
 * halved until the refused rows stand alone. Each step removes a row or halves the batch, so a
 * batch of 1,000 with one bad row costs at most about a dozen calls.
 *
 * @example const { created, rejects } = await sendItems(api, products, "csv", batch.items)
 */
export async function sendItems(
  api: CartwheelApi,
  kind: ImportKind,
  format: Format,
  items: Item[],
): Promise<SentItems> {
  const sent: SentItems = { created: 0, updated: 0, rejects: [], calls: 0 };
  const pending: Item[][] = items.length > 0 ? [items] : [];
  while (pending.length > 0) {
    const batch = pending.shift() as Item[];
    const outcome = await api.send(
      kind,
      batch.map((item) => item.input),
    );
    sent.calls += 1;
    if (outcome.type === "written") {
      sent.created += outcome.created;
      sent.updated += outcome.updated;
      continue;
    }
    const named = new Set<number>();
    if (outcome.type === "rows refused") {
      for (const problem of outcome.problems) {
        const [field, index, ...path] = problem.path;
        const item = field === kind.rowsField ? batch[Number(index)] : undefined;
        if (!item) continue;
        named.add(Number(index));
        sent.rejects.push({
          line: item.line,
          id: item.id,
          field: kind.fieldName(path, format),
          message: problem.message,
        });
      }
    }
    if (named.size > 0) {
      const rest = batch.filter((_item, index) => !named.has(index));
      if (rest.length > 0) pending.unshift(rest);
    } else if (batch.length === 1) {
      const [item] = batch as [Item];
      sent.rejects.push({ line: item.line, id: item.id, field: "", message: outcome.message });
    } else {
      const half = Math.ceil(batch.length / 2);
      pending.unshift(batch.slice(0, half), batch.slice(half));
    }
  }
  return sent;
}
