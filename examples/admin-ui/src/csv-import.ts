import { parse } from "csv-parse/browser/esm/sync";
import type { FieldProblem } from "./api.ts";

/** The fields of `ContactInput` a CSV row fills. */
export interface ImportContact {
  email: string;
  firstName?: string;
  lastName?: string;
  tags?: string[];
}

/** One data row of the CSV and the line it came from (the header is line 1). */
export interface CsvRow {
  line: number;
  contact: ImportContact;
}

/** A problem the API named, pointed back at the CSV. */
export interface RowError {
  line: number;
  email: string;
  field: string;
  message: string;
}

/** Cartwheel takes at most this many contacts per `importContacts` call. */
export const maxBatchSize = 1000;

/**
 * Parses a CSV with a header row naming `email`, `first_name`, `last_name` and `tags` (any
 * order, any case; tags separated by `|`). Values are passed on as written: validating them is
 * the API's job, and its `InvalidInputError` names each bad row.
 *
 * @example parseContactsCsv("email,tags\nann@example.com,vip|new") // rows[0].contact.tags = ["vip", "new"]
 */
export function parseContactsCsv(text: string): { rows: CsvRow[] } | { error: string } {
  let records: string[][];
  try {
    records = parse(text, {
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
    });
  } catch (error) {
    return { error: `Not a readable CSV: ${error instanceof Error ? error.message : error}` };
  }
  const [header, ...data] = records;
  const columns = (header ?? []).map((name) => name.toLowerCase());
  const column = (name: string) => columns.indexOf(name);
  if (column("email") < 0)
    return { error: "The first row must name the columns, with an email column." };
  const rows = data.map((record, index) => {
    const value = (name: string) => {
      const at = column(name);
      return at < 0 ? undefined : record[at] || undefined;
    };
    const tags = value("tags")
      ?.split("|")
      .map((tag) => tag.trim())
      .filter(Boolean);
    const contact: ImportContact = { email: value("email") ?? "" };
    const firstName = value("first_name");
    const lastName = value("last_name");
    if (firstName) contact.firstName = firstName;
    if (lastName) contact.lastName = lastName;
    if (tags?.length) contact.tags = tags;
    return { line: index + 2, contact };
  });
  return { rows };
}

/** Splits rows into batches of at most `size` (default 1,000). */
export function inBatches<T>(rows: T[], size = maxBatchSize): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < rows.length; start += size)
    batches.push(rows.slice(start, start + size));
  return batches;
}

/** Maps `["contacts", "<index>", "<field>"]` problems of one batch to CSV lines. */
export function rowErrors(problems: FieldProblem[], batch: CsvRow[]): RowError[] {
  return problems.map((problem) => {
    const row = problem.path[0] === "contacts" ? batch[Number(problem.path[1])] : undefined;
    return {
      line: row?.line ?? 0,
      email: row?.contact.email ?? "",
      field: problem.path.slice(row ? 2 : 0).join(".") || "(row)",
      message: problem.message,
    };
  });
}
