import { describe, expect, it } from "vitest";
import {
  makeTemplateEngine,
  renderEmail,
  TemplateErrorKind,
  TemplateRenderError,
} from "../src/index.ts";
import { sampleData } from "./sample-data.ts";

const engine = makeTemplateEngine({
  strict: true,
  limits: { renderTimeMs: 300 },
  partials: { recurse: "x{% include 'recurse' %}" },
});

async function expectLimitError(html: string, message: RegExp): Promise<void> {
  const started = performance.now();
  const error = await renderEmail(engine, { subject: "S", html }, sampleData()).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TemplateRenderError);
  expect(error).toMatchObject({ kind: TemplateErrorKind.Limit, part: "html" });
  expect((error as Error).message).toMatch(message);
  expect(performance.now() - started).toBeLessThan(2000);
}

describe("hostile templates fail fast with a typed error", () => {
  it("a huge range", async () => {
    await expectLimitError("{% for i in (1..100000000) %}x{% endfor %}", /memory alloc limit/);
  });

  it("nested loops that would run for hours", async () => {
    await expectLimitError(
      "{% for i in (1..50000) %}{% for j in (1..50000) %}{% assign k = j %}{% endfor %}{% endfor %}",
      /render limit/,
    );
  });

  it("a giant string built by repetition", async () => {
    await expectLimitError(
      "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}",
      /memory alloc limit/,
    );
  });

  it("output past the size cap", async () => {
    await expectLimitError(
      `{% for i in (1..9000) %}${"<p>padding</p>".repeat(20)}{% endfor %}`,
      /output length limit/,
    );
  });

  it("an include that includes itself", async () => {
    await expectLimitError("{% include 'recurse' %}", /partial depth limit/);
  });

  it("a source that is too long", async () => {
    const small = makeTemplateEngine({ limits: { sourceLength: 1000 } });
    const error = await renderEmail(
      small,
      { subject: "S", html: "x".repeat(5000) },
      sampleData(),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: TemplateErrorKind.Limit, part: "html" });
  });

  it("cannot read files from disk", async () => {
    const error = await renderEmail(
      engine,
      { subject: "S", html: "{% include '/etc/passwd' %}{% render '../package.json' %}" },
      sampleData(),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TemplateRenderError);
    expect((error as Error).message).toMatch(/ENOENT|not found|Failed to lookup/);
  });
});
