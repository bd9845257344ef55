import { z } from "zod";
import { InvalidInputError } from "../shared/errors.ts";

/** A variable path a template may require: `order`, `order.number`, `cart.items`. */
export const requiredDataPath = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/,
    "must be a variable path like order.number",
  )
  .max(200);

export const requiredDataList = z
  .array(requiredDataPath)
  .max(30)
  .refine((paths) => new Set(paths).size === paths.length, "lists a path twice");

/**
 * The required paths a send's template data lacks: missing, null, an empty string or an empty
 * list all count as missing (each would render as a blank).
 *
 * @example missingTemplateData(["order.number", "order.items"], { order: { number: "1001", items: [] } }) // ["order.items"]
 */
export function missingTemplateData(required: readonly string[], data: unknown): string[] {
  return required.filter((path) => {
    let value: unknown = data;
    for (const key of path.split(".")) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return true;
      value = (value as Record<string, unknown>)[key];
    }
    return (
      value === undefined ||
      value === null ||
      (typeof value === "string" && value.trim() === "") ||
      (Array.isArray(value) && value.length === 0)
    );
  });
}

/**
 * Refuses a send whose data lacks what its template requires, naming each missing variable
 * under `data` (e.g. `["data", "order", "number"]`), before anything is written.
 */
export function assertTemplateData(
  template: { name: string; requiredData: readonly string[] },
  data: unknown,
  basePath: string[] = ["data"],
): void {
  const missing = missingTemplateData(template.requiredData, data);
  if (missing.length === 0) return;
  throw new InvalidInputError(
    `the template "${template.name}" needs ${missing.join(", ")}, which the send does not give`,
    missing.map((path) => ({
      path: [...basePath, ...path.split(".")],
      message: `is required by the template "${template.name}"`,
    })),
  );
}
