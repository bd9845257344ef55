import type { z } from "zod";
import { InvalidInputError } from "./errors.ts";

/** Parses `input` with `schema`, or throws an InvalidInputError naming every bad field. */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  basePath: string[] = [],
): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    path: [...basePath, ...issue.path.map(String)],
    message: issue.message,
  }));
  const first = problems[0];
  const summary = first ? `${first.path.join(".") || "input"}: ${first.message}` : "invalid input";
  throw new InvalidInputError(
    problems.length > 1 ? `${summary} (and ${problems.length - 1} more)` : summary,
    problems,
  );
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
