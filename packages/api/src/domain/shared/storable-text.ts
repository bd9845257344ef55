import type { FieldProblem } from "./errors.ts";

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why Postgres cannot keep `text` as it is, or null: NUL bytes and unpaired surrogates. */
function whyUnstorable(text: string): string | null {
  if (text.includes("\u0000")) return "contains a NUL character (\\u0000)";
  if (loneSurrogate.test(text))
    return "contains an unpaired UTF-16 surrogate, which is not Unicode";
  return null;
}

/**
 * The first string in `value` (at any depth, keys of objects included) that Postgres cannot
 * store: a NUL byte is refused by `text` and `jsonb` alike, and an unpaired surrogate by
 * `jsonb` (in `text` it would silently become U+FFFD). Null when every string is fine.
 *
 * @example findUnstorableText({ name: "a\u0000b" }) // { path: ["name"], message: "contains a NUL character (\\u0000)" }
 */
export function findUnstorableText(value: unknown, path: string[] = []): FieldProblem | null {
  if (typeof value === "string") {
    const message = whyUnstorable(value);
    return message ? { path, message } : null;
  }
  if (typeof value !== "object" || value === null || value instanceof Date) return null;
  const entries = Array.isArray(value)
    ? value.map((item, index) => [String(index), item] as const)
    : Object.entries(value);
  for (const [key, item] of entries) {
    const keyMessage = Array.isArray(value) ? null : whyUnstorable(key);
    if (keyMessage) return { path: [...path, key], message: `its key ${keyMessage}` };
    const found = findUnstorableText(item, [...path, key]);
    if (found) return found;
  }
  return null;
}
