import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const domainDir = import.meta.dirname;
const srcDir = path.dirname(domainDir);

/** The tiers as `README.md` draws them, top first: `[["reactions"], ["scenarios", "analytics"], …]`. */
function tiersFromReadme(): string[][] {
  const readme = readFileSync(path.join(domainDir, "README.md"), "utf8");
  const block = /## Layers[\s\S]*?```text\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error("README.md has no ```text block under ## Layers");
  return block
    .trim()
    .split("\n")
    .map((line) => line.split("·").map((room) => room.trim()));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [full] : [];
  });
}

const importPattern =
  /(?:^|\n)\s*(?:import|export)\s+(?:[^"';]*?from\s+)?"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g;

function importsOf(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(importPattern)].map(
    (match) => match[1] ?? match[2] ?? "",
  );
}

const roomOf = (file: string) => path.relative(domainDir, file).split(path.sep)[0] ?? "";

const tiers = tiersFromReadme();
const tierOf = new Map(tiers.flatMap((rooms, index) => rooms.map((room) => [room, -index])));
const rooms = readdirSync(domainDir).filter((name) =>
  statSync(path.join(domainDir, name)).isDirectory(),
);
const files = filesUnder(domainDir);

/** Every import from one room into another: `[from, to, file]`. */
const crossings = files.flatMap((file) =>
  importsOf(file)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => path.resolve(path.dirname(file), spec))
    .filter((target) => target.startsWith(domainDir + path.sep))
    .map((target) => [roomOf(file), roomOf(target), path.relative(srcDir, file)] as const)
    .filter(([from, to]) => from !== to),
);

describe("the domain's layers", () => {
  it("lists every room in the README's layer map", () => {
    expect(rooms.filter((room) => !tierOf.has(room))).toEqual([]);
  });

  it("never imports a room from a higher layer", () => {
    const upward = crossings
      .filter(([from, to]) => (tierOf.get(to) ?? 0) > (tierOf.get(from) ?? 0))
      .map(([from, to, file]) => `${file}: ${from} imports ${to}`);
    expect(upward).toEqual([]);
  });

  it("has no two rooms that need each other, directly or round a loop", () => {
    const edges = new Map<string, Set<string>>();
    for (const [from, to] of crossings) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    const loops: string[] = [];
    const walk = (room: string, trail: string[]) => {
      for (const next of edges.get(room) ?? []) {
        if (next === trail[0]) loops.push([...trail, next].join(" → "));
        else if (!trail.includes(next)) walk(next, [...trail, next]);
      }
    };
    for (const room of edges.keys()) walk(room, [room]);
    expect(loops).toEqual([]);
  });

  it("knows nothing of GraphQL, HTTP or the worker's runner", () => {
    const outward = files.flatMap((file) =>
      importsOf(file)
        .filter(
          (spec) =>
            /(^|\/)(graphql|http)\//.test(spec) ||
            spec === "graphile-worker" ||
            spec.startsWith("@pothos/") ||
            spec === "hono",
        )
        .map((spec) => `${path.relative(srcDir, file)}: ${spec}`),
    );
    expect(outward).toEqual([]);
  });

  it("reads the environment only through config.ts", () => {
    const readers = filesUnder(srcDir)
      .filter((file) => !file.includes(`${path.sep}generated${path.sep}`))
      .filter((file) => path.basename(file) !== "config.ts")
      .filter((file) => /process\.env\b/.test(readFileSync(file, "utf8")))
      .map((file) => path.relative(srcDir, file));
    expect(readers).toEqual([]);
  });
});
