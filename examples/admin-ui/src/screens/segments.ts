import { describeFailure, type FieldProblem, gql } from "../api.ts";
import { formatDate, h, notice, show } from "../dom.ts";
import type { ScreenContext } from "../main.ts";
import { segmentBuilder, simpleConditions } from "./segment-builder.ts";
import { segmentExplainPanel } from "./segment-explain.ts";

interface SegmentRow {
  id: string;
  name: string;
  description: string | null;
  count: number;
  refreshedAt: string | null;
  filter: Record<string, unknown>;
}

const segmentsQuery = `{
  segments(first: 100) {
    totalCount
    edges { node { id name description count refreshedAt filter } }
  }
}`;

/** A query with a typed error union: the invalid filter comes back as data, not as `errors`. */
const previewQuery = `query Preview($filter: SegmentFilterInput!) {
  previewSegment(filter: $filter, sampleSize: 10) {
    __typename
    ... on QueryPreviewSegmentSuccess { data { count sample { id email } } }
    ... on InvalidInputError { message problems { path message } }
  }
}`;

type PreviewOutcome =
  | {
      __typename: "QueryPreviewSegmentSuccess";
      data: { count: number; sample: { id: string; email: string | null }[] };
    }
  | { __typename: "InvalidInputError"; message: string; problems: FieldProblem[] };

/** Saved segments, a builder to create or edit simple ones, why a contact is in one or not (`explainSegment`), and a JSON filter preview (`previewSegment`, which saves nothing). */
export async function showSegments(container: HTMLElement, context: ScreenContext) {
  const { credentials } = context;
  const builderSlot = h("div", { testid: "builder-slot" });
  const reload = () => void showSegments(container, context);
  const openBuilder = (segment?: SegmentRow) => {
    const simple = segment ? simpleConditions(segment.filter) : null;
    show(
      builderSlot,
      segmentBuilder(
        credentials,
        segment && simple
          ? {
              id: segment.id,
              name: segment.name,
              description: segment.description ?? "",
              ...simple,
            }
          : {
              name: "",
              description: "",
              match: "and",
              conditions: [{ kind: "tag", name: "", has: true }],
            },
        reload,
      ),
    );
    builderSlot.scrollIntoView({ block: "start" });
  };
  const openExplain = (segment: SegmentRow) => {
    show(
      builderSlot,
      segmentExplainPanel(credentials, { kind: "segment", ...segment }, () => show(builderSlot)),
    );
    builderSlot.scrollIntoView({ block: "start" });
  };
  const { segments } = await gql<{
    segments: { totalCount: number; edges: { node: SegmentRow }[] };
  }>(credentials, segmentsQuery);
  const filter = h("textarea", {
    testid: "segment-filter",
    rows: 6,
    "aria-label": "Filter (SegmentFilterInput as JSON)",
    value: JSON.stringify({ tag: { name: "vip" } }, null, 2),
  });
  const result = h("div", { testid: "segment-preview" });

  async function preview() {
    let parsed: unknown;
    try {
      parsed = JSON.parse(filter.value);
    } catch {
      return show(result, notice("error", "The filter is not JSON.", "segment-preview-error"));
    }
    try {
      const { previewSegment } = await gql<{ previewSegment: PreviewOutcome }>(
        credentials,
        previewQuery,
        { filter: parsed },
      );
      switch (previewSegment.__typename) {
        case "QueryPreviewSegmentSuccess":
          return show(
            result,
            h(
              "p",
              { testid: "segment-preview-count" },
              previewSegment.data.count === 1
                ? "1 contact matches now."
                : `${previewSegment.data.count} contacts match now.`,
            ),
            h(
              "ul",
              {},
              previewSegment.data.sample.map((contact) =>
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
            ),
          );
        case "InvalidInputError":
          return show(
            result,
            notice(
              "error",
              [
                previewSegment.message,
                ...previewSegment.problems.map((p) => `${p.path.join(".")}: ${p.message}`),
              ].join("\n"),
              "segment-preview-error",
            ),
          );
      }
    } catch (error) {
      show(result, notice("error", describeFailure(error), "segment-preview-error"));
    }
  }

  const form = h(
    "form",
    { class: "card" },
    h("label", {}, "Filter (SegmentFilterInput as JSON)"),
    filter,
    h("button", { type: "submit", testid: "segment-preview-submit" }, "Preview"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void preview();
  });

  show(
    container,
    h(
      "div",
      { class: "page-head" },
      h("h1", {}, "Segments"),
      h("button", { testid: "segment-new", onclick: () => openBuilder() }, "New segment"),
    ),
    h("p", { class: "muted", testid: "segments-total" }, `${segments.totalCount} segments`),
    h(
      "table",
      { testid: "segments-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Name", "Members", "Refreshed", ""].map((title) => h("th", {}, title)),
        ),
      ),
      h(
        "tbody",
        {},
        segments.edges.length === 0
          ? h(
              "tr",
              {},
              h("td", { colspan: 4, class: "muted" }, "No segments yet: start with New segment."),
            )
          : null,
        segments.edges.map(({ node }) =>
          h(
            "tr",
            { testid: "segment-row", "data-segment": node.name },
            h(
              "td",
              {},
              h("strong", {}, node.name),
              node.description ? h("div", { class: "muted" }, node.description) : null,
            ),
            h("td", { class: "number", testid: "segment-count" }, node.count),
            h("td", {}, formatDate(node.refreshedAt)),
            h(
              "td",
              { class: "row-actions" },
              simpleConditions(node.filter)
                ? h(
                    "button",
                    { class: "link", testid: "segment-edit", onclick: () => openBuilder(node) },
                    "Edit",
                  )
                : h(
                    "span",
                    { class: "muted", title: "Uses conditions the builder does not cover" },
                    "JSON only",
                  ),
              h(
                "button",
                {
                  class: "link",
                  testid: "segment-explain-button",
                  onclick: () => openExplain(node),
                },
                "Explain",
              ),
              h(
                "button",
                {
                  class: "link",
                  testid: "segment-use-filter",
                  onclick: () => {
                    filter.value = JSON.stringify(node.filter, null, 2);
                    void preview();
                  },
                },
                "Preview its filter",
              ),
            ),
          ),
        ),
      ),
    ),
    builderSlot,
    h("h2", {}, "Preview a filter as JSON"),
    form,
    result,
  );
}
