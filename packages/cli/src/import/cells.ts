import type { FieldProblem } from "./import-kind.ts";

/**
 * Reads typed values out of one CSV row's cells, collecting a problem per bad cell. An empty
 * cell is left out of the input (the API then keeps the stored value).
 *
 * @example const cells = readCells(row.cells); const price = cells.decimal("price");
 */
export function readCells(cells: Record<string, string>) {
  const problems: FieldProblem[] = [];
  const raw = (column: string): string | undefined => {
    const value = cells[column]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const problem = (field: string, message: string) => {
    problems.push({ field, message });
    return undefined;
  };
  const matching = (column: string, pattern: RegExp, message: string) => {
    const value = raw(column);
    if (value === undefined) return undefined;
    return pattern.test(value) ? value : problem(column, message);
  };
  return {
    problems,
    text: raw,
    /** A decimal amount in major units: `49.90`, `500`. */
    decimal(column: string): number | undefined {
      const value = matching(
        column,
        /^-?\d+(\.\d+)?$/,
        "must be a decimal number such as 49.90 (no currency sign or thousands separator)",
      );
      return value === undefined ? undefined : Number(value);
    },
    integer(column: string): number | undefined {
      const value = matching(column, /^-?\d+$/, "must be a whole number");
      if (value === undefined) return undefined;
      const number = Number(value);
      return Number.isSafeInteger(number) && Math.abs(number) <= 2 ** 31 - 1
        ? number
        : problem(column, "is too large");
    },
    boolean(column: string): boolean | undefined {
      const value = raw(column)?.toLowerCase();
      if (value === undefined) return undefined;
      if (["true", "yes", "1"].includes(value)) return true;
      if (["false", "no", "0"].includes(value)) return false;
      return problem(column, "must be true or false (or yes/no, 1/0)");
    },
    /** Values separated by `|`: `summer|linen`. */
    list(column: string): string[] | undefined {
      const value = raw(column);
      if (value === undefined) return undefined;
      return value
        .split("|")
        .map((item) => item.trim())
        .filter((item) => item !== "");
    },
    /** One of `values`, any letter case; given back upper-case. */
    oneOf<T extends string>(column: string, values: readonly T[]): T | undefined {
      const value = raw(column)?.toUpperCase();
      if (value === undefined) return undefined;
      return (values as readonly string[]).includes(value)
        ? (value as T)
        : problem(column, `must be one of ${values.join(", ")}`);
    },
    /** An ISO 8601 date-time with an offset: `2026-03-01T10:00:00Z`. */
    dateTime(column: string): string | undefined {
      const value = matching(
        column,
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/,
        "must be an ISO 8601 date-time with an offset, such as 2026-03-01T10:00:00Z",
      );
      if (value === undefined) return undefined;
      return Number.isNaN(Date.parse(value)) ? problem(column, "is not a real date") : value;
    },
    /** `property:<name>` cells as an object of strings, or undefined when there are none. */
    properties(): Record<string, string> | undefined {
      const entries = Object.keys(cells)
        .filter((column) => column.startsWith("property:"))
        .flatMap((column) => {
          const value = raw(column);
          return value === undefined ? [] : [[column.slice("property:".length), value] as const];
        });
      return entries.length > 0 ? Object.fromEntries(entries) : undefined;
    },
  };
}

/** The object without its undefined entries. */
export function defined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}
