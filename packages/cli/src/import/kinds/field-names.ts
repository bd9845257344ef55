/**
 * Turns an API field path into the name a CSV gives it: `["imageUrl"]` → `image_url`,
 * `["properties", "color"]` → `property:color`, others joined by dots.
 *
 * @example csvFieldName(["compareAtPrice"], { compareAtPrice: "compare_at_price" }) // "compare_at_price"
 */
export function csvFieldName(path: string[], columns: Record<string, string>): string {
  const [first, ...rest] = path;
  if (first === undefined) return "";
  if (first === "properties" && rest.length > 0) return `property:${rest.join(".")}`;
  return [columns[first] ?? first, ...rest].join(".");
}

/** The object the NDJSON line holds, or a problem when it is not an object. */
export function jsonObject(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** A string field of an NDJSON object, when it is one. */
export function stringField(object: Record<string, unknown>, field: string): string | null {
  const value = object[field];
  return typeof value === "string" && value.trim() !== "" ? value : null;
}
