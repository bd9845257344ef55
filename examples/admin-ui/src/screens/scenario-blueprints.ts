import {
  describeFailure,
  describeMutationError,
  type FieldProblem,
  gql,
  type MutationError,
  mutationErrorFields,
} from "../api.ts";
import { h, notice, show } from "../dom.ts";
import type { ScreenContext } from "../main.ts";

/** The part of a JSON Schema property the form reads. */
interface OptionSchema {
  type?: "integer" | "number" | "string" | "boolean";
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}
interface Blueprint {
  name: string;
  title: string;
  description: string;
  options: { properties?: Record<string, OptionSchema> };
  defaults: Record<string, unknown>;
}

const blueprintsQuery = `{
  scenarioBlueprints { name title description options defaults }
  segments(first: 100) { edges { node { id name } } }
}`;

const installMutation = `mutation Install($name: String!, $options: JSONObject) {
  installScenarioBlueprint(name: $name, options: $options) {
    __typename
    ... on MutationInstallScenarioBlueprintSuccess { scenario { id } }
    ${mutationErrorFields}
  }
}`;

type InstallOutcome =
  | { __typename: "MutationInstallScenarioBlueprintSuccess"; scenario: { id: string } }
  | MutationError;

/** "reminderAfterHours" → "Reminder after hours". */
function labelOf(name: string): string {
  const words = name
    .replace(/Id$/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What the schema allows, in words: "Default 14 · 1 to 90". */
function hintOf(schema: OptionSchema, fallback: unknown): string {
  const parts: string[] = [];
  parts.push(fallback === undefined ? "Optional" : `Default ${String(fallback)}`);
  if (schema.minimum !== undefined && schema.maximum !== undefined) {
    parts.push(`${schema.minimum} to ${schema.maximum}`);
  } else if (schema.exclusiveMinimum !== undefined) {
    parts.push(`more than ${schema.exclusiveMinimum}`);
  }
  if (schema.maxLength !== undefined) parts.push(`up to ${schema.maxLength} characters`);
  if (schema.pattern === "^([01]\\d|2[0-3]):[0-5]\\d$") parts.push("HH:MM");
  return parts.join(" · ");
}

/**
 * The blueprints (`scenarioBlueprints`) as cards; one picked shows a form built from its
 * options' JSON Schema, and "Install" (`installScenarioBlueprint`) opens the new draft.
 * Values are checked by the API only, so its problems show beside their field.
 */
export async function showScenarioBlueprints(
  container: HTMLElement,
  { credentials }: ScreenContext,
) {
  const { scenarioBlueprints, segments } = await gql<{
    scenarioBlueprints: Blueprint[];
    segments: { edges: { node: { id: string; name: string } }[] };
  }>(credentials, blueprintsQuery);
  const formPanel = h("section", { class: "panel blueprint-form", testid: "blueprint-form" });
  formPanel.hidden = true;

  function pick(blueprint: Blueprint) {
    for (const card of container.querySelectorAll(".blueprint-card")) {
      card.classList.toggle("selected", card.getAttribute("data-blueprint") === blueprint.name);
    }
    const inputs = new Map<
      string,
      { input: HTMLInputElement | HTMLSelectElement; type?: string }
    >();
    const slots = new Map<string, HTMLElement>();
    const status = h("div", { testid: "blueprint-status" });
    const fields = Object.entries(blueprint.options.properties ?? {}).map(([name, schema]) => {
      const fallback = blueprint.defaults[name];
      const input = name.endsWith("segmentId")
        ? h(
            "select",
            { id: `option-${name}`, testid: `option-${name}` },
            h("option", { value: "" }, "Choose a segment…"),
            segments.edges.map(({ node }) => h("option", { value: node.id }, node.name)),
          )
        : h("input", {
            id: `option-${name}`,
            testid: `option-${name}`,
            type: schema.type === "integer" || schema.type === "number" ? "number" : "text",
            value: fallback === undefined ? "" : String(fallback),
            placeholder: fallback === undefined ? "Leave empty for none" : undefined,
          });
      inputs.set(name, { input, type: schema.type });
      const slot = h("span", {
        class: "field-error",
        testid: `option-error-${name}`,
        role: "alert",
      });
      slots.set(name, slot);
      return h(
        "div",
        { class: "field" },
        h("label", { for: `option-${name}` }, labelOf(name)),
        input,
        h("span", { class: "hint" }, hintOf(schema, fallback)),
        slot,
      );
    });

    const options = () => {
      const values: Record<string, unknown> = {};
      for (const [name, { input, type }] of inputs) {
        const raw = input.value.trim();
        if (raw === "") continue;
        const number = Number(raw);
        // A number that does not parse is sent as typed, so the API names the field.
        values[name] =
          (type === "integer" || type === "number") && !Number.isNaN(number) ? number : raw;
      }
      return values;
    };

    const showProblems = (problems: FieldProblem[]): string[] => {
      for (const slot of slots.values()) show(slot);
      const rest: string[] = [];
      for (const problem of problems) {
        const slot = problem.path[0] === "options" ? slots.get(problem.path[1] ?? "") : undefined;
        if (slot) show(slot, problem.message);
        else rest.push(`${problem.path.join(".")}: ${problem.message}`);
      }
      return rest;
    };

    const install = h(
      "button",
      { type: "submit", testid: "blueprint-install" },
      "Install as draft",
    );
    const form = h(
      "form",
      {
        class: "model-form",
        novalidate: true,
        onsubmit: async (event: Event) => {
          event.preventDefault();
          install.disabled = true;
          show(status, notice("info", "Installing…"));
          try {
            const { installScenarioBlueprint: outcome } = await gql<{
              installScenarioBlueprint: InstallOutcome;
            }>(credentials, installMutation, { name: blueprint.name, options: options() });
            if (outcome.__typename === "MutationInstallScenarioBlueprintSuccess") {
              location.hash = `#/scenarios/${encodeURIComponent(outcome.scenario.id)}`;
              return;
            }
            const rest =
              outcome.__typename === "InvalidInputError" ? showProblems(outcome.problems) : [];
            const text =
              outcome.__typename !== "InvalidInputError"
                ? describeMutationError(outcome)
                : rest.length > 0
                  ? [outcome.message, ...rest].join("\n")
                  : "Nothing was installed: see the marked fields.";
            show(status, notice("error", text, "blueprint-error"));
          } catch (error) {
            show(status, notice("error", describeFailure(error), "blueprint-error"));
          } finally {
            install.disabled = false;
          }
        },
      },
      fields,
      h(
        "div",
        { class: "actions" },
        install,
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: () => {
              formPanel.hidden = true;
            },
          },
          "Cancel",
        ),
      ),
      status,
    );
    show(
      formPanel,
      h("h2", {}, blueprint.title),
      h("p", { class: "muted" }, blueprint.description),
      fields.length === 0 ? h("p", { class: "muted" }, "This blueprint takes no options.") : null,
      form,
    );
    formPanel.hidden = false;
    (inputs.values().next().value?.input as HTMLElement | undefined)?.focus();
  }

  show(
    container,
    h("p", {}, h("a", { href: "#/scenarios" }, "← Scenarios")),
    h("div", { class: "page-head" }, h("h1", {}, "New scenario from a blueprint")),
    h(
      "p",
      { class: "muted" },
      "A blueprint installs as a draft, with the templates it sends. Review it, simulate it, then publish.",
    ),
    h(
      "div",
      { class: "blueprint-layout" },
      h(
        "div",
        { class: "blueprint-grid", testid: "blueprint-list" },
        scenarioBlueprints.map((blueprint) =>
          h(
            "article",
            { class: "blueprint-card", testid: "blueprint-card", "data-blueprint": blueprint.name },
            h("h3", {}, blueprint.title),
            h("p", {}, blueprint.description),
            h(
              "p",
              { class: "blueprint-options" },
              Object.keys(blueprint.options.properties ?? {}).map((name) =>
                h("span", { class: "chip" }, labelOf(name)),
              ),
            ),
            h(
              "button",
              { class: "secondary", testid: "blueprint-pick", onclick: () => pick(blueprint) },
              "Use this blueprint",
            ),
          ),
        ),
      ),
      formPanel,
    ),
  );
}
