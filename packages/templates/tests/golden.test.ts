import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { libraryTemplates, makeTemplateEngine, renderEmail, TemplateKind } from "../src/index.ts";

/** Run with UPDATE_GOLDEN=1 to rewrite the golden files from the current output. */
const updateGolden = process.env.UPDATE_GOLDEN === "1";
const goldenDirectory = fileURLToPath(new URL("./fixtures/golden/", import.meta.url));
const engine = makeTemplateEngine({ strict: true });

const expectedKeys = [
  "abandoned-cart",
  "birthday",
  "browse-abandonment",
  "exit-intent",
  "offer-ending",
  "order-confirmation",
  "post-purchase-cross-sell",
  "replenishment-reminder",
  "review-request",
  "shipping-update",
  "subscription-confirmation",
  "sunset",
  "vip-reward",
  "vip-thanks",
  "vip-welcome",
  "welcome",
  "welcome-series",
  "win-back",
];

function compareWithGolden(file: string, actual: string): void {
  const path = `${goldenDirectory}${file}`;
  if (updateGolden) {
    mkdirSync(goldenDirectory, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(actual, `${file} differs; run UPDATE_GOLDEN=1 npx vitest run to accept`).toBe(
    readFileSync(path, "utf8"),
  );
}

describe("template library", () => {
  it("ships every flow, transactional only for order emails and the opt-in confirmation", () => {
    expect(libraryTemplates.map((template) => template.key)).toEqual(expectedKeys);
    const transactional = libraryTemplates
      .filter((template) => template.kind === TemplateKind.Transactional)
      .map((template) => template.key);
    expect(transactional).toEqual([
      "order-confirmation",
      "shipping-update",
      "subscription-confirmation",
    ]);
    for (const template of libraryTemplates) {
      expect(template.name.length).toBeGreaterThan(2);
      expect(template.description.length).toBeGreaterThan(20);
    }
  });

  describe.each(libraryTemplates.map((template) => [template.key, template] as const))(
    "%s",
    (key, template) => {
      it("renders its fixture under strict variables and matches the golden output", async () => {
        const email = await renderEmail(engine, template, template.fixture);
        expect(email.subject.length).toBeGreaterThan(5);
        expect(email.html).toContain(template.fixture.unsubscribe_url);
        expect(email.html).not.toMatch(/\{\{|\{%|cwliquid/);
        compareWithGolden(`${key}.html`, `<!-- subject: ${email.subject} -->\n${email.html}`);
        compareWithGolden(`${key}.txt`, `${email.text}\n`);
      });
    },
  );
});
