import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { SourceRecord } from "./source-record.ts";

/**
 * Streams an NDJSON file (one JSON value per line; blank lines skipped). A line that is not
 * JSON is `unreadable`, with the parser's message.
 *
 * @example for await (const line of readNdjson("orders.ndjson")) console.log(line.record)
 */
export async function* readNdjson(path: string): AsyncGenerator<SourceRecord> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let line = 0;
  let record = 0;
  for await (const text of lines) {
    line += 1;
    const trimmed = (line === 1 ? text.replace(/^\uFEFF/, "") : text).trim();
    if (trimmed === "") continue;
    record += 1;
    try {
      yield { type: "json", record, line, value: JSON.parse(trimmed) };
    } catch (error) {
      yield {
        type: "unreadable",
        record,
        line,
        message: `is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
}
