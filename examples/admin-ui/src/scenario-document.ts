/**
 * A scenario's definition as the document the editor shows: pretty-printed JSON read back
 * with the line and column of a syntax error, and the problems the API names on a refused
 * save (`["definition", "nodes", "wait-1h", "timeout"]`) sorted to the place they belong.
 */
import type { FieldProblem } from "./api.ts";

export type ParsedDocument =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; message: string; line: number; column: number; offset: number };

/** A problem as one place of the page shows it: the field inside that place, and the message. */
export interface PlacedProblem {
  field: string;
  message: string;
}

export interface PlacedProblems {
  /** By node id: drawn on that node's card. */
  nodes: Map<string, PlacedProblem[]>;
  /** The trigger and the rest of the document's top level (`start`, `entry`, `goal`…). */
  trigger: PlacedProblem[];
  /** Outside the definition, by input field: `name`, `priority`. */
  fields: Map<string, string[]>;
}

export const noProblems = (): PlacedProblems => ({
  nodes: new Map(),
  trigger: [],
  fields: new Map(),
});

export function formatDocument(definition: unknown): string {
  return JSON.stringify(definition, null, 2);
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** The character offset where a line starts (1-based line). */
export function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf("\n", offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return offset;
}

/**
 * Reads the editor's text. JSON.parse names a character offset ("… at position 48", newer
 * engines add "(line 3 column 5)"); the editor shows line and column and puts the caret there.
 */
export function parseDocument(text: string): ParsedDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const lineColumn = /\(line (\d+) column (\d+)\)/.exec(raw);
    const position = /at position (\d+)/.exec(raw);
    let offset = text.length;
    if (lineColumn) {
      offset = offsetOfLine(text, Number(lineColumn[1])) + Number(lineColumn[2]) - 1;
    } else if (position) {
      offset = Number(position[1]);
    }
    const message = raw
      .replace(/\s*in JSON at position \d+.*$/, "")
      .replace(/^Unexpected end of JSON input$/, "The document ends too early")
      .replace(/^JSON\.parse: /, "");
    return { ok: false, message, offset, ...lineAndColumn(text, offset) };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const first = text.search(/\S/);
    const offset = first === -1 ? 0 : first;
    return {
      ok: false,
      message:
        'The definition must be one JSON object: { "version": 1, "trigger": …, "nodes": […] }',
      offset,
      ...lineAndColumn(text, offset),
    };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** Where on the page a problem belongs. */
export type ProblemPlace =
  | { on: "node"; nodeId: string; field: string }
  | { on: "trigger"; field: string }
  | { on: "input"; field: string };

/**
 * Where a problem of a refused save goes: a path into a node to that node (an index, as the
 * API names a node without a usable id, is looked up in the document sent), anything else in
 * the definition to the trigger line, and the rest to the input field it names.
 */
export function placeOf(path: string[], document: unknown): ProblemPlace {
  if (path[0] !== "definition") return { on: "input", field: path[0] ?? "input" };
  const key = path[1] === "nodes" ? path[2] : undefined;
  const nodes = (document as { nodes?: unknown } | null)?.nodes;
  if (key !== undefined && Array.isArray(nodes)) {
    const idOf = (node: unknown) => (node as { id?: unknown } | null | undefined)?.id;
    const byIndex = /^\d+$/.test(key) ? idOf(nodes[Number(key)]) : undefined;
    const nodeId = nodes.some((node) => idOf(node) === key)
      ? key
      : typeof byIndex === "string" && byIndex !== ""
        ? byIndex
        : null;
    if (nodeId !== null) return { on: "node", nodeId, field: path.slice(3).join(".") };
  }
  return { on: "trigger", field: path.slice(1).join(".") };
}

export function placeProblems(problems: FieldProblem[], document: unknown): PlacedProblems {
  const placed = noProblems();
  for (const { path, message } of problems) {
    const place = placeOf(path, document);
    if (place.on === "input") {
      placed.fields.set(place.field, [...(placed.fields.get(place.field) ?? []), message]);
    } else if (place.on === "node") {
      const list = placed.nodes.get(place.nodeId) ?? [];
      list.push({ field: place.field, message });
      placed.nodes.set(place.nodeId, list);
    } else {
      placed.trigger.push({ field: place.field, message });
    }
  }
  return placed;
}

/** The same JSON with keys in one order, to tell whether two documents say the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === "object" && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : inner,
  );
}
