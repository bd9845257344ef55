import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";

/** The fields of a scenario document that name rows, and the GraphQL type of each. */
const references: Record<string, string> = {
  templateId: "Template",
  segmentId: "Segment",
  scenarioId: "Scenario",
};

function walk(value: unknown, convert: (key: string, value: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => walk(item, convert));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      typeof inner === "string" && key in references ? convert(key, inner) : walk(inner, convert),
    ]),
  );
}

/**
 * A scenario document as GraphQL clients write it, with global ids (`"VGVtcGxhdGU6…"`) where
 * it names templates, segments and scenarios, turned into row ids. Plain row ids pass as they
 * are, so a document kept in a file works either way; a global id of the wrong type is left
 * for validation to refuse.
 */
export function decodeDocumentIds(document: unknown): unknown {
  return walk(document, (key, value) => {
    try {
      const decoded = decodeGlobalID(value);
      if (decoded.typename === references[key]) return decoded.id;
    } catch {}
    return value;
  });
}

/** The stored document with global ids, as clients read it. */
export function encodeDocumentIds(document: unknown): unknown {
  return walk(document, (key, value) => encodeGlobalID(references[key] as string, value));
}
