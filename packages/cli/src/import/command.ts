import { existsSync } from "node:fs";
import path from "node:path";
import { loadImportConfig } from "../config.ts";
import { parseImportArguments, UsageError, usage } from "./arguments.ts";
import { ImportStoppedError, KeyRefusedError, makeCartwheelApi } from "./cartwheel-api.ts";
import { importKinds } from "./kinds.ts";
import type { ProgressStream } from "./progress.ts";
import { defaultJournalPath, JournalMismatchError, runImport } from "./run-import.ts";
import { UnreadableFileError } from "./source-record.ts";
import { formatSummary, writeRejectsFile } from "./summary.ts";

export interface CommandIo {
  env: NodeJS.ProcessEnv;
  stdout: ProgressStream;
  stderr: ProgressStream;
  signal?: AbortSignal;
  /** For tests: no waiting between retries. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** 0 all imported, 1 rows rejected, 2 bad usage or file, 3 stopped (resumable). */
export const exitCodes = { ok: 0, rejected: 1, usage: 2, stopped: 3 } as const;

/**
 * `npm run import -- <products|contacts|orders> <file> [options]`: the whole command, with its
 * output and exit code, given the argument list after the command name.
 *
 * @example process.exitCode = await importCommand(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr })
 */
export async function importCommand(argv: string[], io: CommandIo): Promise<number> {
  const error = (message: string) =>
    io.stderr.write(`${io.stderr.isTTY ? "\n" : ""}import: ${message}\n`);
  let journalPath: string | undefined;
  try {
    if (argv.includes("--help") || argv.includes("-h")) {
      io.stdout.write(`${usage}\n`);
      return exitCodes.ok;
    }
    const args = parseImportArguments(argv);
    const config = loadImportConfig(io.env);
    const file = path.resolve(config.workingDirectory, args.file);
    journalPath = args.journal
      ? path.resolve(config.workingDirectory, args.journal)
      : defaultJournalPath(file);
    const rejectsPath = args.rejects && path.resolve(config.workingDirectory, args.rejects);
    const api = makeCartwheelApi({
      url: args.url ?? config.apiUrl,
      key: config.apiKey,
      ...(args.retries !== undefined && { retries: args.retries }),
      ...(io.sleep && { sleep: io.sleep }),
      onRetry: (reason, attempt) => error(`${reason}; retrying (${attempt})`),
    });
    const report = await runImport({
      kind: importKinds[args.kind],
      file,
      format: args.format,
      api,
      journalPath,
      restart: args.restart,
      progress: io.stderr,
      log: (line) => io.stderr.write(`import: ${line}\n`),
      ...(io.signal && { signal: io.signal }),
      ...(io.now && { now: io.now }),
    });
    if (rejectsPath) await writeRejectsFile(rejectsPath, report.rejects);
    io.stdout.write(formatSummary(report, { rejectsFile: args.rejects }));
    return report.rejects.length > 0 ? exitCodes.rejected : exitCodes.ok;
  } catch (caught) {
    if (caught instanceof UsageError) {
      error(`${caught.message}\n\n${usage}`);
      return exitCodes.usage;
    }
    if (
      caught instanceof UnreadableFileError ||
      caught instanceof JournalMismatchError ||
      caught instanceof KeyRefusedError
    ) {
      error(caught.message);
      return exitCodes.usage;
    }
    if (caught instanceof ImportStoppedError) {
      error(`stopped: ${caught.message}`);
      if (journalPath && existsSync(journalPath)) {
        error(
          `committed batches are recorded in ${journalPath}; run the same command again to go on from there`,
        );
      }
      return exitCodes.stopped;
    }
    if (caught instanceof Error && caught.message.startsWith("CARTWHEEL_")) {
      error(caught.message);
      return exitCodes.usage;
    }
    throw caught;
  }
}
