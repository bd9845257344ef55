import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readFile, rm, stat } from "node:fs/promises";
import type { KindName, Reject } from "./import-kind.ts";

/** What a journal is about: resuming is only allowed into the same target from the same file. */
export interface JournalHeader {
  journal: "cartwheel-import";
  version: 1;
  kind: KindName;
  size: number;
  sha256: string;
  url: string;
  workspaceId: string;
}

/** One committed batch: the API wrote it (or had nothing to write) and its rejects are known. */
export interface JournalEntry {
  batch: number;
  /** Records of the file read through this batch. */
  through: number;
  created: number;
  updated: number;
  rejects: Reject[];
}

/** The file's size and SHA-256, streamed. */
export async function fingerprintFile(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { size: (await stat(path)).size, sha256: hash.digest("hex") };
}

/** A journal left by an earlier run, or null when there is none. A torn last line is ignored. */
export async function readJournal(
  path: string,
): Promise<{ header: JournalHeader; entries: JournalEntry[] } | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return null;
    throw error;
  }
  const parsed = text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as unknown];
      } catch {
        return [];
      }
    });
  const [header, ...entries] = parsed as [JournalHeader?, ...JournalEntry[]];
  if (header?.journal !== "cartwheel-import") return null;
  return { header, entries };
}

/**
 * Why a journal may not be resumed for this run (another kind, file content or target), or
 * null when it may.
 */
export function journalMismatch(saved: JournalHeader, current: JournalHeader): string | null {
  if (saved.kind !== current.kind) return `it is an import of ${saved.kind}`;
  if (saved.size !== current.size || saved.sha256 !== current.sha256) {
    return "the file has changed since";
  }
  if (saved.url !== current.url) return `it went to ${saved.url}`;
  if (saved.workspaceId !== current.workspaceId) return "it went to another workspace";
  return null;
}

/**
 * An append-only journal of committed batches: each line is written and flushed to disk after
 * the API answered for its batch, so after a crash at most the batch in flight is sent again,
 * which the idempotent upserts absorb.
 *
 * @example const journal = await startJournal(path, header, resumed); await journal.commit(entry);
 */
export async function startJournal(path: string, header: JournalHeader, resume: boolean) {
  const handle = await open(path, resume ? "a" : "w");
  const writeLine = async (value: unknown) => {
    await handle.write(`${JSON.stringify(value)}\n`);
    await handle.sync();
  };
  if (!resume) await writeLine(header);
  return {
    path,
    commit: (entry: JournalEntry) => writeLine(entry),
    close: () => handle.close(),
    /** The import finished: nothing to resume. */
    async remove() {
      await handle.close();
      await rm(path, { force: true });
    },
  };
}

export type Journal = Awaited<ReturnType<typeof startJournal>>;
