import { describe, expect, it } from "vitest";
import { canonicalJson, parseDocument, placeProblems } from "./scenario-document.ts";

describe("the scenario document", () => {
  it("names the line and column of a JSON syntax error", () => {
    const text = '{\n  "start": "a",\n  "nodes": [\n    { "id": "a" }\n    { "id": "b" }\n  ]\n}';
    const parsed = parseDocument(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect({ line: parsed.line, column: parsed.column }).toEqual({ line: 5, column: 5 });
    expect(parsed.message).not.toContain("position");
    expect(text.slice(parsed.offset, parsed.offset + 6)).toBe('{ "id"');
  });

  it("puts an unfinished document's error at its end, and refuses what is not an object", () => {
    const cut = parseDocument('{\n  "nodes": [');
    expect(cut).toMatchObject({ ok: false, line: 2, column: 13 });
    expect(parseDocument("  [1, 2]")).toMatchObject({ ok: false, line: 1, column: 3 });
    expect(parseDocument('{"version": 1}')).toEqual({ ok: true, value: { version: 1 } });
  });

  it("sorts problems to the node, the trigger line or the field they name", () => {
    const document = { nodes: [{ id: "wait-1h" }, { kind: "exit" }, { id: "7" }] };
    const placed = placeProblems(
      [
        { path: ["definition", "nodes", "wait-1h", "timeout"], message: "Required" },
        { path: ["definition", "nodes", "wait-1h"], message: "is not reachable from the start" },
        { path: ["definition", "nodes", "1", "id"], message: "Required" },
        { path: ["definition", "nodes", "7", "next"], message: 'no node is called "x"' },
        { path: ["definition", "nodes", "2", "next"], message: "by index" },
        { path: ["definition", "trigger", "tag"], message: "Required" },
        { path: ["definition"], message: "names segment s, which does not exist" },
        { path: ["name"], message: "must not be empty" },
      ],
      document,
    );
    expect(Object.fromEntries(placed.nodes)).toEqual({
      "wait-1h": [
        { field: "timeout", message: "Required" },
        { field: "", message: "is not reachable from the start" },
      ],
      "7": [
        { field: "next", message: 'no node is called "x"' },
        { field: "next", message: "by index" },
      ],
    });
    expect(placed.trigger).toEqual([
      { field: "nodes.1.id", message: "Required" },
      { field: "trigger.tag", message: "Required" },
      { field: "", message: "names segment s, which does not exist" },
    ]);
    expect(Object.fromEntries(placed.fields)).toEqual({ name: ["must not be empty"] });
  });

  it("compares documents whatever the order of their keys", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: 3 } })).toBe(
      canonicalJson({ a: { c: 3, d: [2, { e: 0, f: 1 }] }, b: 1 }),
    );
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });
});
