import path from "node:path";
import { makeBatches } from "./batches.ts";
import { type CartwheelApi, ImportStoppedError } from "./cartwheel-api.ts";
import type { ImportKind } from "./import-kind.ts";
import {
  fingerprintFile,
  type JournalEntry,
  type JournalHeader,
  journalMismatch,
  readJournal,
  startJournal,
} from "./journal.ts";
import { mapRows } from "./map-rows.ts";
import { makeProgress, type ProgressStream } from "./progress.ts";
import { type Format, readRecords } from "./read-records.ts";
import { sendItems } from "./send-items.ts";
import type { ImportReport } from "./summary.ts";

/** A journal from another import is in the way; `--restart` discards it. */
export class JournalMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JournalMismatchError";
  }
}

export interface ImportOptions {
  kind: ImportKind;
  file: string;
  format: Format;
  api: CartwheelApi;
  /** Where the journal of committed batches lives. Default: `<file>.import-journal`. */
  journalPath?: string;
  /** Start from the first row, discarding the journal of an interrupted run. */
  restart?: boolean;
  /** Default `process.stderr`; null for none. */
  progress?: ProgressStream | null;
  /** Milliseconds, for the progress line's rate and ETA. Default `performance.now`. */
  now?: () => number;
  /** Notes for the user (resuming…), on stderr by default. */
  log?: (line: string) => void;
  /** Stops the import before its next batch, as Ctrl-C does. */
  signal?: AbortSignal;
}

/** The journal beside the input file: `products.csv.import-journal`. */
export function defaultJournalPath(file: string): string {
  return `${file}.import-journal`;
}

/**
 * Imports a CSV or NDJSON file of products, contacts or orders through the API in batches.
 * Each batch the API answered is recorded in a journal beside the file; when a run stops
 * (Ctrl-C, the API down, a crash), running it again with the same file and target skips the
 * recorded batches and goes on, and the journal is removed once the whole file is done. Rows
 * the API or the reader refuse are collected with their line, id, field and message.
 *
 * @example const report = await runImport({ kind: products, file: "products.csv", format: "csv", api });
 */
export async function runImport(options: ImportOptions): Promise<ImportReport> {
  const { kind, file, format, api } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => performance.now());
  const started = now();
  const journalPath = options.journalPath ?? defaultJournalPath(file);

  const workspace = await api.workspace();
  const header: JournalHeader = {
    journal: "cartwheel-import",
    version: 1,
    kind: kind.name,
    ...(await fingerprintFile(file)),
    url: api.endpoint,
    workspaceId: workspace.id,
  };
  const saved = options.restart ? null : await readJournal(journalPath);
  const reason = saved && journalMismatch(saved.header, header);
  if (reason) {
    throw new JournalMismatchError(
      `${journalPath} is the journal of an interrupted import that cannot go on here (${reason}). Run with --restart to import ${path.basename(file)} from its first row.`,
    );
  }
  const committed = contiguous(saved?.entries ?? []);

  let total = 0;
  for await (const _record of readRecords(file, format, kind)) total += 1;
  const resumedThrough = committed.at(-1)?.through ?? 0;
  if (committed.length > 0) {
    log(
      `resuming the ${kind.name} import of ${path.basename(file)}: ${committed.length} batches (${resumedThrough.toLocaleString("en")} of ${total.toLocaleString("en")} rows) were committed before; going on from there`,
    );
  }

  const report: ImportReport = {
    kind: kind.name,
    records: total,
    created: sum(committed, "created"),
    updated: sum(committed, "updated"),
    rejects: committed.flatMap((entry) => entry.rejects),
    seconds: 0,
    rowsThisRun: 0,
    resumedBatches: committed.length,
  };
  const stream = options.progress === undefined ? process.stderr : options.progress;
  const progress = stream
    ? makeProgress({ stream, label: kind.name, total, startedAt: resumedThrough, now })
    : null;
  const journal = await startJournal(journalPath, header, committed.length > 0);
  try {
    const batches = makeBatches(
      mapRows(readRecords(file, format, kind), kind, format),
      kind.maxBatch,
    );
    for await (const batch of batches) {
      if (batch.index < committed.length) continue;
      if (options.signal?.aborted) {
        throw new ImportStoppedError(
          `stopped after ${batch.index} batches (${report.rowsThisRun.toLocaleString("en")} rows this run)`,
        );
      }
      const sent = await sendItems(api, kind, format, batch.items);
      const entry: JournalEntry = {
        batch: batch.index,
        through: batch.through,
        created: sent.created,
        updated: sent.updated,
        rejects: [...batch.rejects, ...sent.rejects].sort((a, b) => a.line - b.line),
      };
      await journal.commit(entry);
      report.created += entry.created;
      report.updated += entry.updated;
      report.rejects.push(...entry.rejects);
      report.rowsThisRun = batch.through - resumedThrough;
      progress?.update(batch.through);
    }
  } catch (error) {
    await journal.close();
    throw error;
  }
  await journal.remove();
  progress?.finish(total);
  report.seconds = (now() - started) / 1000;
  return report;
}

/** The entries of batches 0, 1, 2… without a gap (a later one after a gap is not trusted). */
function contiguous(entries: JournalEntry[]): JournalEntry[] {
  const byBatch = new Map(entries.map((entry) => [entry.batch, entry]));
  const out: JournalEntry[] = [];
  for (let index = 0; byBatch.has(index); index++) out.push(byBatch.get(index) as JournalEntry);
  return out;
}

function sum(entries: JournalEntry[], field: "created" | "updated"): number {
  return entries.reduce((total, entry) => total + entry[field], 0);
}
