import { createReadStream } from "node:fs";
import { CsvError, parse } from "csv-parse";
import { type SourceRecord, UnreadableFileError } from "./source-record.ts";

/**
 * Streams a CSV file's data rows with their cells by column (the first row is the header, a
 * UTF-8 byte order mark is dropped, empty lines are skipped). `checkHeader` sees the columns
 * first and may throw. A row with more or fewer cells than the header is `unreadable`.
 *
 * @example for await (const row of readCsv("products.csv", checkColumns)) console.log(row.line)
 */
export async function* readCsv(
  path: string,
  checkHeader: (columns: string[]) => void,
): AsyncGenerator<SourceRecord> {
  const parser = createReadStream(path).pipe(
    parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true }),
  );
  let columns: string[] | null = null;
  let record = 0;
  // csv-parse counts a CRLF inside a quoted cell as two lines; this undoes that drift.
  let doubleCounted = 0;
  try {
    for await (const { record: cells, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const text = cells.join("");
      doubleCounted += text.match(/\r\n/g)?.length ?? 0;
      const line = info.lines - doubleCounted - (text.match(/\r\n|\n/g)?.length ?? 0);
      if (columns === null) {
        columns = cells.map((cell) => cell.trim());
        checkHeader(columns);
        continue;
      }
      record += 1;
      if (cells.length !== columns.length) {
        yield {
          type: "unreadable",
          record,
          line,
          message: `has ${cells.length} cells; the header has ${columns.length} columns`,
        };
        continue;
      }
      const named: Record<string, string> = {};
      columns.forEach((column, index) => {
        named[column] = cells[index] ?? "";
      });
      yield { type: "csv", record, line, cells: named };
    }
  } catch (error) {
    if (error instanceof CsvError) {
      throw new UnreadableFileError(`${path}: ${error.message}`);
    }
    throw error;
  }
  if (columns === null) throw new UnreadableFileError(`${path}: the file is empty (no header row)`);
}
