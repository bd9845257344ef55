import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../shared/errors.ts";
import { renderTagTemplate, tagTemplateProblem } from "./tag-template.ts";
import { validateDefinition } from "./validate-definition.ts";

const tagging = (tag: string) => ({
  version: 1,
  trigger: { kind: "event", event: "Email Clicked" },
  start: "tag",
  nodes: [{ id: "tag", kind: "add_tag", tag }],
});

describe("tag templates", () => {
  it("takes a plain name or {{ event.<property> }} placeholders", () => {
    expect(tagTemplateProblem("VIP")).toBeNull();
    expect(tagTemplateProblem("interest:{{ event.category }}")).toBeNull();
    expect(tagTemplateProblem("{{event.brand}}-{{ event.category }}")).toBeNull();
  });

  it.each([
    ["{{ contact.email }}", 'uses "contact.email"'],
    ["{{ event.properties.category }}", 'uses "event.properties.category"'],
    ["{{ event.category | upcase }}", 'uses "event.category | upcase"'],
    ["{{ event }}", 'uses "event"'],
    ["interest:{{ event.category", "unclosed"],
    ["interest:event.category }}", "unclosed"],
  ])("refuses %s", (tag, message) => {
    expect(tagTemplateProblem(tag)).toContain(message);
  });

  it("names the node and field in the definition's InvalidInputError", async () => {
    const error = await validateDefinition(tagging("interest:{{ contact.email }}")).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).problems).toEqual([
      {
        path: ["definition", "nodes", "tag", "tag"],
        message: expect.stringContaining("a tag may only use {{ event.<property> }}"),
      },
    ]);
    await expect(
      validateDefinition(tagging("interest:{{ event.category }}")),
    ).resolves.toBeTruthy();
  });

  it("renders from the trigger's properties, or says which one is missing", () => {
    const tag = "interest:{{ event.category }}";
    expect(renderTagTemplate(tag, { category: " lamps " })).toEqual({ tag: "interest:lamps" });
    expect(renderTagTemplate("size-{{ event.size }}", { size: 42 })).toEqual({ tag: "size-42" });
    expect(renderTagTemplate(tag, {})).toEqual({ missing: "category" });
    expect(renderTagTemplate(tag, { category: "  " })).toEqual({ missing: "category" });
    expect(renderTagTemplate(tag, { category: { name: "lamps" } })).toEqual({
      missing: "category",
    });
    expect(renderTagTemplate("VIP", {})).toEqual({ tag: "VIP" });
  });
});
