/** The fields of documents that name rows, and the name each takes in a bundle. */
export const referenceFields = {
  templateId: "template",
  segmentId: "segment",
  scenarioId: "scenario",
} as const;
export type ReferenceField = keyof typeof referenceFields;
type ReferenceName = (typeof referenceFields)[ReferenceField];
const byName = Object.fromEntries(
  Object.entries(referenceFields).map(([field, name]) => [name, field]),
) as Record<ReferenceName, ReferenceField>;

/**
 * Rewrites a document's row references: `{ templateId: id }` ⇄ `{ template: name }` (the same for
 * segments and scenarios), anywhere in it. `convert` gets the field and value and returns the
 * replacement, so export maps ids to names and import names to ids.
 */
export function rewriteReferences(
  value: unknown,
  direction: "toNames" | "toIds",
  convert: (field: ReferenceField, value: string, path: string[]) => string,
  path: string[] = [],
): unknown {
  if (Array.isArray(value)) {
    return value.map((item, index) =>
      rewriteReferences(item, direction, convert, [...path, String(index)]),
    );
  }
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      const field =
        direction === "toNames"
          ? key in referenceFields
            ? (key as ReferenceField)
            : null
          : key in byName
            ? byName[key as ReferenceName]
            : null;
      if (field && typeof inner === "string") {
        const renamed = direction === "toNames" ? referenceFields[field] : field;
        return [renamed, convert(field, inner, [...path, key])];
      }
      return [key, rewriteReferences(inner, direction, convert, [...path, key])];
    }),
  );
}

/** JSON with object keys sorted: equal documents give equal strings, whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
