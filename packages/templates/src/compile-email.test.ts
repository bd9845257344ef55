import { describe, expect, it } from "vitest";
import { compileEmail } from "./compile-email.ts";
import { makeTemplateEngine } from "./engine.ts";

const source = (n: number) => ({ subject: `Subject ${n}`, html: `<p>Body ${n}</p>` });

describe("compileEmail", () => {
  it("parses sources named by a cache key once", () => {
    const engine = makeTemplateEngine();
    const first = compileEmail(engine, { ...source(1), cacheKey: "version-1" });
    expect(compileEmail(engine, { ...source(1), cacheKey: "version-1" })).toBe(first);
    expect(compileEmail(engine, { ...source(2), cacheKey: "version-2" })).not.toBe(first);
  });

  it("keys sources without a cache key by their text", () => {
    const engine = makeTemplateEngine();
    const first = compileEmail(engine, source(1));
    expect(compileEmail(engine, source(1))).toBe(first);
    expect(compileEmail(engine, source(2))).not.toBe(first);
  });

  it("holds at most cacheSize compiled emails", () => {
    const engine = makeTemplateEngine({ cacheSize: 2 });
    for (const n of [1, 2, 3, 4]) compileEmail(engine, { ...source(n), cacheKey: `v${n}` });
    expect(engine.compiledEmails.size).toBe(2);
  });
});
