import { writeFile } from "node:fs/promises";
import { stringify } from "csv-stringify/sync";
import type { KindName, Reject } from "./import-kind.ts";
import { formatDuration } from "./progress.ts";

/** What an import did, over all its runs (a resumed import counts the earlier ones too). */
export interface ImportReport {
  kind: KindName;
  /** Records in the file. */
  records: number;
  created: number;
  updated: number;
  /** Every problem of every refused row, in file order. */
  rejects: Reject[];
  /** This run's time and the rows it handled (not those an earlier run had done). */
  seconds: number;
  rowsThisRun: number;
  /** Batches an earlier run had committed, skipped by this one. */
  resumedBatches: number;
}

/** How many rows were refused (a row can have several problems). */
export function rejectedRows(rejects: Reject[]): number {
  return new Set(rejects.map((reject) => reject.line)).size;
}

/**
 * The summary printed at the end: what was written, how fast, and the first `shown` rejects
 * (line, id, field, message).
 *
 * @example formatSummary(report, { shown: 20, rejectsFile: "rejects.csv" })
 */
export function formatSummary(
  report: ImportReport,
  options: { shown?: number; rejectsFile?: string | undefined } = {},
): string {
  const shown = options.shown ?? 20;
  const refused = rejectedRows(report.rejects);
  const written = report.created + report.updated;
  const rate = report.seconds > 0 ? Math.round(report.rowsThisRun / report.seconds) : 0;
  const lines = [
    `${report.kind}: ${written.toLocaleString("en")} imported (${report.created.toLocaleString("en")} created, ${report.updated.toLocaleString("en")} updated), ${refused.toLocaleString("en")} rejected, from ${report.records.toLocaleString("en")} rows in ${formatDuration(report.seconds)} (${rate.toLocaleString("en")} rows/s${report.resumedBatches > 0 ? `; resumed after ${report.resumedBatches} committed batches` : ""})`,
  ];
  if (report.rejects.length > 0) {
    lines.push("rejected rows:");
    for (const reject of report.rejects.slice(0, shown)) {
      const field = reject.field ? `${reject.field}: ` : "";
      lines.push(
        `  line ${reject.line}${reject.id ? ` (${reject.id})` : ""}  ${field}${reject.message}`,
      );
    }
    const more = report.rejects.length - shown;
    if (more > 0) {
      lines.push(
        options.rejectsFile
          ? `  … and ${more.toLocaleString("en")} more problems, all in ${options.rejectsFile}`
          : `  … and ${more.toLocaleString("en")} more problems (write them all with --rejects <file>)`,
      );
    } else if (options.rejectsFile) {
      lines.push(`  (also in ${options.rejectsFile})`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Writes the rejects as CSV: `line,id,field,message`, one row per problem. */
export async function writeRejectsFile(path: string, rejects: Reject[]): Promise<void> {
  const rows = rejects.map((reject) => [
    reject.line,
    reject.id ?? "",
    reject.field,
    reject.message,
  ]);
  await writeFile(path, stringify([["line", "id", "field", "message"], ...rows]));
}
