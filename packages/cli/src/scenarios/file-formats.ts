import { isAlias, LineCounter, parseDocument, stringify, visit } from "yaml";

/** How scenario files are written: JSON (the default) or YAML. */
export type FileFormat = "json" | "yaml";

/** The format a file's extension names (.json, .yaml, .yml), or null for any other. */
export function formatOfPath(file: string): FileFormat | null {
  const lower = file.toLowerCase();
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  return null;
}

/** A file that cannot be read as its format; the message names the file, line and column. */
export class FileSyntaxError extends Error {
  override name = "FileSyntaxError";
}

/**
 * Writes a value as the format says: JSON with two-space indents, or YAML in block style with
 * long lines kept whole, multi-line strings as `|` literals and never an alias.
 */
export function formatValue(value: unknown, format: FileFormat): string {
  return format === "json"
    ? `${JSON.stringify(value, null, 2)}\n`
    : stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * Reads a file's text as its format. YAML is read as the API reads it (`parseBundleYaml`): one
 * document of the YAML 1.2 core schema, no tags, unique string keys, at most 100 aliases each
 * expanding to at most 100 nodes, so a crafted file cannot exhaust memory.
 */
export function parseText(text: string, format: FileFormat, file: string): unknown {
  if (format === "json") {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new FileSyntaxError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    schema: "core",
    customTags: [],
    resolveKnownTags: false,
    merge: false,
    uniqueKeys: true,
    stringKeys: true,
  });
  const refuse = (offset: number, reason: string): never => {
    const { line, col } = lines.linePos(offset);
    throw new FileSyntaxError(`${file}:${line}:${col} is not valid YAML: ${reason}`);
  };
  const [problem] = [...doc.errors, ...doc.warnings];
  if (problem) refuse(problem.pos[0], problem.message);
  let aliases = 0;
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node) && ++aliases > 100) refuse(node.range?.[0] ?? 0, "more than 100 aliases");
      if (node.tag && !node.tag.startsWith("tag:yaml.org,2002:")) {
        refuse(node.range?.[0] ?? 0, `the tag ${node.tag} is not allowed`);
      }
    },
  });
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (error instanceof ReferenceError) refuse(0, `aliases expand too far (${error.message})`);
    throw error;
  }
}
