import type { CsvRow, ImportKind, Mapped, Reject } from "./import-kind.ts";
import type { Format } from "./read-records.ts";
import type { SourceRecord } from "./source-record.ts";

/** A row ready to send: the API input, its id and the line it starts on. */
export interface Item {
  line: number;
  id: string;
  input: Record<string, unknown>;
}

/** What one or more records became; `through` is the last record it consumed. */
export type MappedRow = { item: Item; through: number } | { rejects: Reject[]; through: number };

/**
 * Turns the file's records into API inputs for `kind`, or into rejects (unreadable records,
 * cells of the wrong type, and ids that repeat an earlier row of the file, which the API would
 * refuse within one batch and silently overwrite across two). For a kind with `csvGroupBy`,
 * adjacent CSV rows with the same value are one input.
 *
 * @example for await (const row of mapRows(readRecords(path, "csv", products), products, "csv")) …
 */
export async function* mapRows(
  records: AsyncIterable<SourceRecord> | Iterable<SourceRecord>,
  kind: ImportKind,
  format: Format,
): AsyncGenerator<MappedRow> {
  const seen = new Map<string, number>();
  const finish = (mapped: Mapped, line: number, through: number): MappedRow => {
    if ("problems" in mapped) {
      return {
        rejects: mapped.problems.map((problem) => ({
          line: problem.line ?? line,
          id: mapped.id,
          field: problem.field,
          message: problem.message,
        })),
        through,
      };
    }
    for (const key of kind.uniqueKeys(mapped.input)) {
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        return {
          rejects: [
            { line, id: mapped.id, field: "", message: `repeats the ${key} of line ${earlier}` },
          ],
          through,
        };
      }
    }
    for (const key of kind.uniqueKeys(mapped.input)) seen.set(key, line);
    return { item: { line, id: mapped.id, input: mapped.input }, through };
  };

  let group: { value: string; rows: CsvRow[]; through: number } | null = null;
  const groupColumn = format === "csv" ? kind.csvGroupBy : undefined;
  const closeGroup = () => {
    if (!group) return null;
    const first = group.rows[0] as CsvRow;
    const done = finish(kind.fromCsv(group.rows), first.line, group.through);
    group = null;
    return done;
  };

  for await (const record of records) {
    if (record.type === "unreadable") {
      yield {
        rejects: [{ line: record.line, id: null, field: "", message: record.message }],
        through: record.record,
      };
    } else if (record.type === "json") {
      yield finish(kind.fromJson(record.value), record.line, record.record);
    } else if (!groupColumn) {
      yield finish(
        kind.fromCsv([{ line: record.line, cells: record.cells }]),
        record.line,
        record.record,
      );
    } else {
      const value = record.cells[groupColumn]?.trim() ?? "";
      const row = { line: record.line, cells: record.cells };
      if (group && group.value === value && value !== "") {
        group.rows.push(row);
        group.through = record.record;
        continue;
      }
      const done = closeGroup();
      if (done) yield done;
      group = { value, rows: [row], through: record.record };
    }
  }
  const done = closeGroup();
  if (done) yield done;
}
