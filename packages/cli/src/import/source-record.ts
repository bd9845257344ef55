/** One record of the input file, in file order. */
export type SourceRecord =
  | { type: "csv"; record: number; line: number; cells: Record<string, string> }
  | { type: "json"; record: number; line: number; value: unknown }
  | { type: "unreadable"; record: number; line: number; message: string };

/** The file is not one this import can read (bad header, broken quoting…). Nothing was sent. */
export class UnreadableFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnreadableFileError";
  }
}
