import { warn } from "./safe";

/**
 * A JSON-friendly copy of `value`: bigints become strings, functions and symbols disappear,
 * repeated or circular references become "[Circular]", and anything that still cannot be
 * serialised becomes `{}`.
 */
export function toJsonSafe(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object") return {};
  const seen = new WeakSet<object>();
  try {
    return JSON.parse(
      JSON.stringify(value, (_key, item: unknown) => {
        if (typeof item === "bigint") return item.toString();
        if (item !== null && typeof item === "object") {
          if (seen.has(item)) return "[Circular]";
          seen.add(item);
        }
        return item;
      }),
    );
  } catch (error) {
    warn(error);
    return {};
  }
}
