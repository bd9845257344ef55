/** The things the import command loads. */
export const kindNames = ["products", "contacts", "orders", "spend"] as const;
export type KindName = (typeof kindNames)[number];

/** One bad field of one row, as the summary and the rejects file show it. */
export interface Reject {
  /** The file line the row starts on (for an order in CSV: its first line). */
  line: number;
  /** The row's id (product id, contact id or email, order id), when it has one. */
  id: string | null;
  /** A CSV column or an API field path such as `lines.2.price`; empty for the whole row. */
  field: string;
  message: string;
}

export interface FieldProblem {
  field: string;
  message: string;
  /** The line the problem is on, when not the row's first (an order's later CSV rows). */
  line?: number;
}

/** A row turned into the API's input, or the problems that kept it from being one. */
export type Mapped =
  | { input: Record<string, unknown>; id: string }
  | { problems: FieldProblem[]; id: string | null };

/** A CSV row: its cells by column name, and the line it starts on. */
export interface CsvRow {
  line: number;
  cells: Record<string, string>;
}

/**
 * How one kind is read and sent: its CSV columns and their mapping, its NDJSON check, and the
 * batch mutation (which takes the rows as `$rows` and names bad rows as `[field, index, …]`).
 */
export interface ImportKind {
  name: KindName;
  /** The scope a scoped secret key needs. */
  scope: string;
  /** The mutation's name, e.g. `upsertProducts`. */
  mutationName: string;
  /** The GraphQL document; `$rows` is the batch. */
  mutation: string;
  /** The input list's name, first in the path of every row problem (`["products", "3", …]`). */
  rowsField: string;
  /** The most rows one call takes. */
  maxBatch: number;
  /** Every column a CSV may have besides `property:<name>` ones (when `properties` is set). */
  csvColumns: readonly string[];
  /** The column a CSV must have. */
  csvRequired: readonly string[];
  /** Whether `property:<name>` columns fill the input's `properties`. */
  csvProperties: boolean;
  /** Orders: adjacent CSV rows with the same value in this column are one input. */
  csvGroupBy?: string;
  fromCsv(rows: CsvRow[]): Mapped;
  fromJson(value: unknown): Mapped;
  /** What must not repeat within a file, e.g. `["product:sku-1"]`. */
  uniqueKeys(input: Record<string, unknown>): string[];
  /** An API field path of a problem as the user's file names it (CSV column, or as is). */
  fieldName(path: string[], format: "csv" | "ndjson"): string;
}
