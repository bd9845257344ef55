import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readCsv } from "./read-csv.ts";
import { UnreadableFileError } from "./source-record.ts";

const dir = path.resolve(import.meta.dirname, "../../.data/unit", String(process.pid));

async function file(name: string, content: string) {
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, name);
  await writeFile(target, content);
  return target;
}

async function all(target: string, checkHeader: (columns: string[]) => void = () => {}) {
  const out = [];
  for await (const record of readCsv(target, checkHeader)) out.push(record);
  return out;
}

describe("reading a CSV", () => {
  it("gives each row its cells by column and the line it starts on", async () => {
    const target = await file(
      "a.csv",
      '\uFEFFid,title\r\np-1,"Two\r\nlines"\r\n\r\np-2,"Quoted ""title"", with comma"\r\np-3\r\n',
    );
    let header: string[] = [];
    const records = await all(target, (columns) => {
      header = columns;
    });
    expect(header).toEqual(["id", "title"]);
    expect(records).toEqual([
      { type: "csv", record: 1, line: 2, cells: { id: "p-1", title: "Two\r\nlines" } },
      {
        type: "csv",
        record: 2,
        line: 5,
        cells: { id: "p-2", title: 'Quoted "title", with comma' },
      },
      { type: "unreadable", record: 3, line: 6, message: "has 1 cells; the header has 2 columns" },
    ]);
  });

  it("refuses a file with broken quoting, naming the line", async () => {
    const target = await file("b.csv", 'id,title\np-1,"never closed\np-2,x\n');
    await expect(all(target)).rejects.toThrow(UnreadableFileError);
    await expect(all(target)).rejects.toThrow(/line/);
  });

  it("refuses an empty file", async () => {
    await expect(all(await file("c.csv", ""))).rejects.toThrow("the file is empty (no header row)");
  });
});
