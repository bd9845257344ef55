import type { ImportKind } from "./import-kind.ts";
import { readCsv } from "./read-csv.ts";
import { readNdjson } from "./read-ndjson.ts";
import { type SourceRecord, UnreadableFileError } from "./source-record.ts";

export const formats = ["csv", "ndjson"] as const;
export type Format = (typeof formats)[number];

/**
 * The format a file name says: `.csv` is CSV, `.ndjson` / `.jsonl` NDJSON, else null.
 *
 * @example formatOf("products.csv") // "csv"
 */
export function formatOf(path: string): Format | null {
  if (/\.csv$/i.test(path)) return "csv";
  if (/\.(ndjson|jsonl)$/i.test(path)) return "ndjson";
  return null;
}

/**
 * The file's records for `kind`: a CSV's header is checked against the kind's columns first
 * (an unknown or repeated column, or a missing required one, is an `UnreadableFileError`).
 */
export function readRecords(
  path: string,
  format: Format,
  kind: ImportKind,
): AsyncGenerator<SourceRecord> {
  if (format === "ndjson") return readNdjson(path);
  return readCsv(path, (columns) => checkColumns(columns, kind));
}

function checkColumns(columns: string[], kind: ImportKind) {
  const known = new Set(kind.csvColumns);
  const unknown = columns.filter(
    (column) => !known.has(column) && !(kind.csvProperties && /^property:.+/.test(column)),
  );
  const problems: string[] = [];
  if (unknown.length > 0) {
    problems.push(
      `unknown column${unknown.length > 1 ? "s" : ""} ${unknown.map((c) => `"${c}"`).join(", ")}`,
    );
  }
  const repeated = columns.filter((column, index) => columns.indexOf(column) !== index);
  if (repeated.length > 0) problems.push(`repeated column "${repeated[0]}"`);
  const missing = kind.csvRequired.filter((column) => !columns.includes(column));
  if (missing.length > 0) problems.push(`missing column "${missing[0]}"`);
  if (problems.length > 0) {
    throw new UnreadableFileError(
      `the header of this ${kind.name} CSV has ${problems.join("; ")}. Columns: ${kind.csvColumns.join(", ")}${kind.csvProperties ? ", property:<name>" : ""}`,
    );
  }
}
