import {
  describeFailure,
  describeMutationError,
  type FieldProblem,
  gql,
  type MutationError,
  mutationErrorFields,
} from "../api.ts";
import { h, notice, show } from "../dom.ts";
import type { Credentials } from "../session.ts";
import { segmentExplainPanel } from "./segment-explain.ts";

/** The conditions the builder covers; anything else is edited as JSON. */
export type SimpleCondition =
  | { kind: "property"; key: string; value: string; type: "STRING" | "NUMBER" }
  | { kind: "tag"; name: string; has: boolean }
  | {
      kind: "event";
      name: string;
      comparison: "atLeast" | "atMost" | "exactly";
      count: number;
      withinDays: number | null;
    };
export interface SimpleSegment {
  id?: string;
  name: string;
  description: string;
  match: "and" | "or";
  conditions: SimpleCondition[];
}
type Filter = Record<string, unknown>;

function toFilter(condition: SimpleCondition): Filter {
  switch (condition.kind) {
    case "property":
      return {
        property: {
          key: condition.key,
          op: "EQUALS",
          type: condition.type,
          value: condition.value,
        },
      };
    case "tag":
      return { tag: { name: condition.name, has: condition.has } };
    case "event":
      return {
        event: {
          name: condition.name,
          [condition.comparison]: condition.count,
          ...(condition.withinDays !== null && { withinDays: condition.withinDays }),
        },
      };
  }
}

/** The builder's conditions for a saved filter, or null when it uses anything else. */
export function simpleConditions(
  filter: Filter,
): Pick<SimpleSegment, "match" | "conditions"> | null {
  const list = Array.isArray(filter.and) ? filter.and : Array.isArray(filter.or) ? filter.or : null;
  const match = Array.isArray(filter.or) ? "or" : "and";
  const conditions: SimpleCondition[] = [];
  for (const item of (list ?? [filter]) as Filter[]) {
    const property = item.property as Record<string, unknown> | undefined;
    const tag = item.tag as Record<string, unknown> | undefined;
    const event = item.event as Record<string, unknown> | undefined;
    if (Object.keys(item).length !== 1) return null;
    if (
      property &&
      property.op === "EQUALS" &&
      (property.type === "STRING" || property.type === "NUMBER")
    ) {
      conditions.push({
        kind: "property",
        key: String(property.key),
        value: String(property.value ?? ""),
        type: property.type,
      });
    } else if (tag) {
      conditions.push({ kind: "tag", name: String(tag.name), has: tag.has !== false });
    } else if (event && !event.where && !event.withinHours && !event.withinMinutes) {
      const comparison = (["atLeast", "atMost", "exactly"] as const).find(
        (c) => event[c] !== undefined && event[c] !== null,
      );
      conditions.push({
        kind: "event",
        name: String(event.name ?? ""),
        comparison: comparison ?? "atLeast",
        count: comparison ? Number(event[comparison]) : 1,
        withinDays: typeof event.withinDays === "number" ? event.withinDays : null,
      });
    } else {
      return null;
    }
  }
  return conditions.length > 0 ? { match, conditions } : null;
}

const previewQuery = `query Count($filter: SegmentFilterInput!) {
  previewSegment(filter: $filter, sampleSize: 5) {
    __typename
    ... on QueryPreviewSegmentSuccess { data { count sample { id email } } }
    ... on InvalidInputError { message problems { path message } }
  }
}`;

const saveFields = (success: string) => `__typename
    ... on ${success} { segment { id name } }
    ... on SegmentCycleError { message }
    ${mutationErrorFields}`;
const createMutation = `mutation Create($input: CreateSegmentInput!) {
  createSegment(input: $input) { ${saveFields("MutationCreateSegmentSuccess")} }
}`;
const updateMutation = `mutation Update($input: UpdateSegmentInput!) {
  updateSegment(input: $input) { ${saveFields("MutationUpdateSegmentSuccess")} }
}`;

type SaveOutcome =
  | {
      __typename: "MutationCreateSegmentSuccess" | "MutationUpdateSegmentSuccess";
      segment: { id: string; name: string };
    }
  | { __typename: "SegmentCycleError"; message: string }
  | MutationError;

/** How the rows call the API's filter fields, for problems shown under a row. */
const fieldLabels: Record<string, string> = {
  withinDays: "Days",
  atLeast: "Times",
  atMost: "Times",
  exactly: "Times",
  key: "Property",
  value: "Value",
  name: "Name",
};

const kinds = {
  property: "Property equals",
  tagHas: "Has tag",
  tagLacks: "Does not have tag",
  event: "Did an event",
} as const;

/**
 * A segment form for simple conditions (a property equals a value, has or lacks a tag, an event
 * counted within days), all or any of them. Every change counts the members with
 * `previewSegment`; "Save" is `createSegment` or `updateSegment`, problems shown on their row.
 */
export function segmentBuilder(
  credentials: Credentials,
  initial: SimpleSegment,
  onSaved: (segment: { id: string; name: string }) => void,
): HTMLElement {
  const name = h("input", { value: initial.name, testid: "builder-name", id: "builder-name" });
  const description = h("input", {
    value: initial.description,
    testid: "builder-description",
    id: "builder-description",
    placeholder: "Optional",
  });
  const nameError = h("span", {
    class: "field-error",
    role: "alert",
    testid: "builder-error-name",
  });
  name.addEventListener("input", () => show(nameError));
  const match = h(
    "select",
    { testid: "builder-match", "aria-label": "match" },
    h("option", { value: "and", selected: initial.match === "and" }, "all"),
    h("option", { value: "or", selected: initial.match === "or" }, "any"),
  );
  const rows = h("ol", { class: "builder-rows", testid: "builder-rows" });
  const count = h("div", { class: "builder-count", testid: "builder-count" });
  const sample = h("ul", { class: "builder-sample", testid: "builder-sample" });
  const status = h("div", { testid: "builder-status" });
  const rowReaders: { row: HTMLElement; read: () => SimpleCondition; error: HTMLElement }[] = [];

  function addRow(condition: SimpleCondition) {
    const kind = h(
      "select",
      { testid: "builder-kind", "aria-label": "condition" },
      Object.entries(kinds).map(([value, label]) => h("option", { value }, label)),
    );
    kind.value =
      condition.kind === "tag" ? (condition.has ? "tagHas" : "tagLacks") : condition.kind;
    const text = (testid: string, value: string, placeholder: string) =>
      h("input", { testid, value, placeholder, "aria-label": placeholder });
    const key = text("builder-key", condition.kind === "property" ? condition.key : "", "property");
    const value = text(
      "builder-value",
      condition.kind === "property" ? condition.value : "",
      "value",
    );
    const type = h(
      "select",
      { testid: "builder-type", "aria-label": "type" },
      h("option", { value: "STRING" }, "text"),
      h("option", { value: "NUMBER" }, "number"),
    );
    type.value = condition.kind === "property" ? condition.type : "STRING";
    const tag = text("builder-tag", condition.kind === "tag" ? condition.name : "", "tag");
    const event = text(
      "builder-event",
      condition.kind === "event" ? condition.name : "",
      "event name",
    );
    const comparison = h(
      "select",
      { testid: "builder-comparison", "aria-label": "comparison" },
      h("option", { value: "atLeast" }, "at least"),
      h("option", { value: "atMost" }, "at most"),
      h("option", { value: "exactly" }, "exactly"),
    );
    comparison.value = condition.kind === "event" ? condition.comparison : "atLeast";
    const times = h("input", {
      type: "number",
      class: "narrow",
      testid: "builder-count-input",
      value: condition.kind === "event" ? condition.count : 1,
      "aria-label": "times",
    });
    const days = h("input", {
      type: "number",
      class: "narrow",
      testid: "builder-days",
      value:
        condition.kind === "event" && condition.withinDays !== null ? condition.withinDays : "",
      placeholder: "ever",
      "aria-label": "within days",
    });
    const parts = {
      property: h("span", { class: "builder-parts" }, key, type, "=", value),
      tag: h("span", { class: "builder-parts" }, tag),
      event: h(
        "span",
        { class: "builder-parts" },
        event,
        comparison,
        times,
        "times in the last",
        days,
        "days",
      ),
    };
    const slot = h("span", { class: "builder-parts" });
    const showParts = () => {
      const chosen = kind.value.startsWith("tag") ? "tag" : (kind.value as "property" | "event");
      show(slot, parts[chosen]);
    };
    showParts();
    const error = h("span", { class: "field-error", role: "alert", testid: "builder-row-error" });
    const row = h(
      "li",
      { class: "builder-row field", testid: "builder-row" },
      h(
        "div",
        { class: "builder-line" },
        kind,
        slot,
        h(
          "button",
          {
            type: "button",
            class: "link danger",
            title: "Remove",
            testid: "builder-remove",
            onclick: () => {
              row.remove();
              rowReaders.splice(
                rowReaders.findIndex((r) => r.row === row),
                1,
              );
              changed();
            },
          },
          "✕",
        ),
      ),
      error,
    );
    kind.addEventListener("change", showParts);
    const read = (): SimpleCondition => {
      if (kind.value === "property") {
        return {
          kind: "property",
          key: key.value.trim(),
          value: value.value,
          type: type.value as "STRING" | "NUMBER",
        };
      }
      if (kind.value.startsWith("tag"))
        return { kind: "tag", name: tag.value.trim(), has: kind.value === "tagHas" };
      return {
        kind: "event",
        name: event.value.trim(),
        comparison: comparison.value as "atLeast" | "atMost" | "exactly",
        count: Number(times.value),
        withinDays: days.value.trim() === "" ? null : Number(days.value),
      };
    };
    rowReaders.push({ row, read, error });
    rows.append(row);
  }

  const filter = (): Filter => {
    const conditions = rowReaders.map(({ read }) => toFilter(read()));
    return conditions.length === 1 ? (conditions[0] as Filter) : { [match.value]: conditions };
  };

  /** Puts each problem under its row (`filter.and.<i>…`) or the name; returns the rest. */
  const showProblems = (problems: FieldProblem[], scope: "all" | "filter" = "all"): string[] => {
    if (scope === "all") show(nameError);
    for (const { error } of rowReaders) show(error);
    const rest: string[] = [];
    for (const problem of problems) {
      const [head, ...path] = problem.path;
      if (head === "name") {
        show(nameError, problem.message);
        continue;
      }
      const index =
        path[0] === "and" || path[0] === "or"
          ? Number(path[1])
          : rowReaders.length === 1
            ? 0
            : Number.NaN;
      const target = head === "filter" ? rowReaders[index] : undefined;
      const field = String(path.at(-1));
      if (target) show(target.error, `${fieldLabels[field] ?? field}: ${problem.message}`);
      else rest.push(`${problem.path.join(".")}: ${problem.message}`);
    }
    return rest;
  };

  let latest = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  async function recount() {
    const request = ++latest;
    if (rowReaders.length === 0) {
      show(count, "Add a condition.");
      return show(sample);
    }
    try {
      const { previewSegment: outcome } = await gql<{
        previewSegment:
          | {
              __typename: "QueryPreviewSegmentSuccess";
              data: { count: number; sample: { id: string; email: string | null }[] };
            }
          | Extract<MutationError, { __typename: "InvalidInputError" }>;
      }>(credentials, previewQuery, { filter: filter() });
      if (request !== latest) return;
      if (outcome.__typename === "QueryPreviewSegmentSuccess") {
        showProblems([], "filter");
        show(
          count,
          h("strong", { testid: "builder-count-value" }, String(outcome.data.count)),
          outcome.data.count === 1 ? " contact matches now" : " contacts match now",
        );
        show(
          sample,
          ...outcome.data.sample.map((contact) =>
            h(
              "li",
              {},
              h(
                "a",
                { href: `#/contacts/${encodeURIComponent(contact.id)}` },
                contact.email ?? "(no email)",
              ),
            ),
          ),
        );
      } else {
        const rest = showProblems(
          outcome.problems.map((p) => ({
            ...p,
            path: ["filter", ...p.path.filter((part) => part !== "filter")],
          })),
          "filter",
        );
        show(count, h("span", { class: "muted" }, "Fix the marked condition to count."));
        show(sample);
        if (rest.length > 0) show(status, notice("error", rest.join("\n")));
      }
    } catch (error) {
      if (request === latest) show(status, notice("error", describeFailure(error)));
    }
  }
  function changed() {
    show(status);
    clearTimeout(timer);
    timer = setTimeout(() => void recount(), 250);
  }

  const save = h(
    "button",
    { type: "submit", testid: "builder-save" },
    initial.id ? "Save changes" : "Create segment",
  );
  // "Explain": the conditions as they stand, for one contact, before anything is saved.
  const explainSlot = h("div", { testid: "builder-explain-slot" });
  const explainButton = h(
    "button",
    {
      type: "button",
      class: "secondary",
      testid: "builder-explain",
      onclick: () => {
        show(
          explainSlot,
          segmentExplainPanel(credentials, { kind: "draft", name: name.value.trim(), filter }, () =>
            show(explainSlot),
          ),
        );
        explainSlot.scrollIntoView({ block: "nearest" });
      },
    },
    "Explain for a contact",
  );
  const form = h(
    "form",
    {
      class: "builder-form",
      oninput: changed,
      onchange: changed,
      onsubmit: async (submitted: Event) => {
        submitted.preventDefault();
        save.disabled = true;
        const fields = {
          name: name.value,
          description: description.value || null,
          filter: filter(),
        };
        try {
          const outcome = initial.id
            ? (
                await gql<{ updateSegment: SaveOutcome }>(credentials, updateMutation, {
                  input: { id: initial.id, ...fields },
                })
              ).updateSegment
            : (
                await gql<{ createSegment: SaveOutcome }>(credentials, createMutation, {
                  input: fields,
                })
              ).createSegment;
          switch (outcome.__typename) {
            case "MutationCreateSegmentSuccess":
            case "MutationUpdateSegmentSuccess":
              return onSaved(outcome.segment);
            case "SegmentCycleError":
              return show(status, notice("error", outcome.message, "builder-error"));
            case "InvalidInputError": {
              const rest = showProblems(outcome.problems);
              return show(
                status,
                notice(
                  "error",
                  rest.length > 0
                    ? [outcome.message, ...rest].join("\n")
                    : "Not saved: see the marked fields.",
                  "builder-error",
                ),
              );
            }
            case "ConflictError":
              show(nameError, outcome.message);
              return show(
                status,
                notice("error", "Not saved: see the marked fields.", "builder-error"),
              );
            default:
              return show(status, notice("error", describeMutationError(outcome), "builder-error"));
          }
        } catch (error) {
          show(status, notice("error", describeFailure(error), "builder-error"));
        } finally {
          save.disabled = false;
        }
      },
    },
    h(
      "div",
      { class: "builder-head" },
      h("div", { class: "field" }, h("label", { for: "builder-name" }, "Name"), name, nameError),
      h(
        "div",
        { class: "field" },
        h("label", { for: "builder-description" }, "Description"),
        description,
      ),
    ),
    h("p", { class: "builder-match" }, "Contacts matching ", match, " of these conditions:"),
    rows,
    h(
      "button",
      {
        type: "button",
        class: "secondary",
        testid: "builder-add",
        onclick: () => {
          addRow({ kind: "tag", name: "", has: true });
          changed();
        },
      },
      "Add condition",
    ),
    h("div", { class: "actions" }, save, explainButton),
    status,
  );
  for (const condition of initial.conditions) addRow(condition);
  void recount();
  return h(
    "section",
    { class: "panel segment-builder", testid: "segment-builder" },
    h("h2", {}, initial.id ? `Edit ${initial.name}` : "New segment"),
    h(
      "div",
      { class: "builder-layout" },
      form,
      h("aside", { class: "builder-live" }, count, sample),
    ),
    explainSlot,
  );
}
