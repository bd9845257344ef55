import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type JournalHeader, journalMismatch, readJournal, startJournal } from "./journal.ts";

const dir = path.resolve(import.meta.dirname, "../../.data/unit", `journal-${process.pid}`);
const header: JournalHeader = {
  journal: "cartwheel-import",
  version: 1,
  kind: "products",
  size: 10,
  sha256: "abc",
  url: "http://127.0.0.1:4000/graphql",
  workspaceId: "V29ya3NwYWNlOjE=",
};

describe("the import journal", () => {
  it("keeps committed batches across runs and ignores a line torn by a crash", async () => {
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, "a.import-journal");
    const first = await startJournal(file, header, false);
    await first.commit({ batch: 0, through: 1000, created: 1000, updated: 0, rejects: [] });
    await first.close();
    await appendFile(file, '{"batch":1,"through":20');
    const saved = await readJournal(file);
    expect(saved?.header).toEqual(header);
    expect(saved?.entries).toEqual([
      { batch: 0, through: 1000, created: 1000, updated: 0, rejects: [] },
    ]);

    const done = await startJournal(file, header, true);
    await done.remove();
    expect(await readJournal(file)).toBeNull();
  });

  it("is resumed only for the same kind, file content, API and workspace", () => {
    expect(journalMismatch(header, { ...header })).toBeNull();
    expect(journalMismatch(header, { ...header, kind: "orders" })).toBe(
      "it is an import of products",
    );
    expect(journalMismatch(header, { ...header, sha256: "abd" })).toBe(
      "the file has changed since",
    );
    expect(journalMismatch(header, { ...header, url: "https://x.example/graphql" })).toBe(
      "it went to http://127.0.0.1:4000/graphql",
    );
    expect(journalMismatch(header, { ...header, workspaceId: "other" })).toBe(
      "it went to another workspace",
    );
  });
});
