import type { z } from "zod";
import { type FieldProblem, InvalidInputError } from "./errors.ts";

/** How a batch of rows (products, orders…) is named in its problems. */
export interface BatchRows<T> {
  /** The input field holding the rows, e.g. "products": problems read `["products", "3", …]`. */
  field: string;
  /** The row field that must not repeat within a batch, e.g. "productId". */
  keyField: string;
  key: (row: T) => string;
}

/**
 * Parses every row of an all-or-nothing batch with `schema`, refusing repeats of the key.
 * Throws an InvalidInputError listing every problem by row when any row is bad.
 *
 * @example const inputs = parseBatchRows(rows, productInput, { field: "products", keyField: "productId", key: (p) => p.productId })
 */
export function parseBatchRows<S extends z.ZodType>(
  rows: unknown[],
  schema: S,
  batch: BatchRows<z.output<S>>,
): z.output<S>[] {
  const problems: FieldProblem[] = [];
  const inputs: z.output<S>[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const result = schema.safeParse(row);
    if (!result.success) {
      for (const issue of result.error.issues) {
        problems.push({
          path: [batch.field, String(index), ...issue.path.map(String)],
          message: issue.message,
        });
      }
      return;
    }
    const key = batch.key(result.data);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push({
        path: [batch.field, String(index), batch.keyField],
        message: `repeats row ${earlier}`,
      });
    }
    seen.set(key, index);
    inputs.push(result.data);
  });
  if (problems.length > 0) throw batchRefusal(batch.field, problems, rows.length);
  return inputs;
}

/** The error of a refused batch: how many of its rows are bad, and every problem. */
export function batchRefusal(
  field: string,
  problems: FieldProblem[],
  total: number,
): InvalidInputError {
  const bad = new Set(problems.map((problem) => problem.path[1]));
  return new InvalidInputError(
    `${bad.size} of ${total} ${field} are invalid; nothing was written`,
    problems,
  );
}
