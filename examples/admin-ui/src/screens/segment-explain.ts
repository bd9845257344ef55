import { describeFailure, type FieldProblem, gql } from "../api.ts";
import { h, notice, show } from "../dom.ts";
import { type Explained, explainedSelection, explanationTree } from "../explanation.ts";
import type { Credentials } from "../session.ts";

interface Explanation {
  /** Membership as stored; null for a filter that is not saved. */
  isMember: boolean | null;
  matches: boolean;
  tree: Explained;
}
type ExplainOutcome =
  | { __typename: "QueryExplainSegmentSuccess" | "QueryExplainFilterSuccess"; data: Explanation }
  | { __typename: "InvalidInputError"; message: string; problems: FieldProblem[] }
  | { __typename: "NotFoundError"; message: string };

/** What to explain: a saved segment, or the filter a segment builder holds now. */
export type ExplainSubject =
  | { kind: "segment"; id: string; name: string }
  | { kind: "draft"; name: string; filter: () => unknown };

const explainQuery = `query Explain($segmentId: ID!, $contactId: ID!) {
  explainSegment(segmentId: $segmentId, contactId: $contactId) {
    __typename
    ... on QueryExplainSegmentSuccess { data { isMember matches tree { ${explainedSelection()} } } }
    ... on InvalidInputError { message problems { path message } }
    ... on NotFoundError { message }
  }
}`;

const explainDraftQuery = `query ExplainDraft($filter: SegmentFilterInput!, $contactId: ID!) {
  explainFilter(filter: $filter, contactId: $contactId) {
    __typename
    ... on QueryExplainFilterSuccess { data { matches tree { ${explainedSelection()} } } }
    ... on InvalidInputError { message problems { path message } }
    ... on NotFoundError { message }
  }
}`;

const contactsQuery = `query($filter: ContactFilter) {
  contacts(first: 6, filter: $filter) { edges { node { id email } } }
}`;

/** The verdict line: membership as stored, and what the filter says now when that differs. */
function verdict(email: string, explanation: Explanation): HTMLElement {
  if (explanation.isMember === null) {
    return h(
      "div",
      {
        class: `explain-verdict ${explanation.matches ? "is-member" : "not-member"}`,
        testid: "explain-verdict",
        "data-matches": String(explanation.matches),
      },
      h("strong", {}, email),
      explanation.matches
        ? " matches these conditions now"
        : " does not match these conditions now",
      h("p", { class: "muted" }, "Not saved yet: this is what the segment would say."),
    );
  }
  const member = explanation.isMember;
  return h(
    "div",
    {
      class: `explain-verdict ${member ? "is-member" : "not-member"}`,
      testid: "explain-verdict",
      "data-member": String(member),
    },
    h("strong", {}, email),
    member ? " is a member" : " is not a member",
    explanation.matches !== member
      ? h(
          "p",
          { class: "muted", testid: "explain-pending" },
          explanation.matches
            ? "The filter matches now; membership follows at the next re-check."
            : "The filter no longer matches; membership ends at the next re-check.",
        )
      : null,
  );
}

/**
 * "Why is this contact in (or out of) the segment?": search a contact by email, then
 * `explainSegment` (a saved segment) or `explainFilter` (the conditions being edited) draws the
 * filter as a tree, each condition passed or failed with what was measured for the contact and
 * the events or orders it counted.
 */
export function segmentExplainPanel(
  credentials: Credentials,
  subject: ExplainSubject,
  onClose: () => void,
): HTMLElement {
  const result = h("div", { class: "explain-result", testid: "explain-result" });
  const matches = h("ul", { class: "sim-matches", testid: "explain-matches" });

  async function explain(contact: { id: string; email: string }) {
    show(matches);
    search.value = contact.email;
    show(result, notice("info", "Explaining…"));
    try {
      const outcome =
        subject.kind === "segment"
          ? (
              await gql<{ explainSegment: ExplainOutcome }>(credentials, explainQuery, {
                segmentId: subject.id,
                contactId: contact.id,
              })
            ).explainSegment
          : (
              await gql<{ explainFilter: ExplainOutcome }>(credentials, explainDraftQuery, {
                filter: subject.filter(),
                contactId: contact.id,
              })
            ).explainFilter;
      if (outcome.__typename === "InvalidInputError") {
        const problems = outcome.problems.map((p) => `${p.path.join(".")}: ${p.message}`);
        return show(
          result,
          notice(
            "error",
            ["Fix the marked condition first.", ...problems].join("\n"),
            "explain-error",
          ),
        );
      }
      if (outcome.__typename === "NotFoundError") {
        return show(result, notice("error", outcome.message, "explain-error"));
      }
      show(
        result,
        verdict(contact.email, { ...outcome.data, isMember: outcome.data.isMember ?? null }),
        h("ul", { class: "explanation explain-tree" }, explanationTree(outcome.data.tree)),
      );
    } catch (error) {
      show(result, notice("error", describeFailure(error), "explain-error"));
    }
  }

  const search: HTMLInputElement = h("input", {
    type: "search",
    placeholder: "Search a contact by email",
    "aria-label": "Contact email",
    testid: "explain-search",
    oninput: async () => {
      const term = search.value.trim();
      if (term.length < 2) return show(matches);
      try {
        const { contacts } = await gql<{
          contacts: { edges: { node: { id: string; email: string | null } }[] };
        }>(credentials, contactsQuery, { filter: { emailContains: term } });
        if (search.value.trim() !== term) return;
        show(
          matches,
          ...contacts.edges.map(({ node }) =>
            h(
              "li",
              {},
              h(
                "button",
                {
                  type: "button",
                  class: "link",
                  testid: "explain-match",
                  onclick: () => void explain({ id: node.id, email: node.email ?? "(no email)" }),
                },
                node.email ?? "(no email)",
              ),
            ),
          ),
          contacts.edges.length === 0 ? h("li", { class: "muted" }, "No contact matches.") : null,
        );
      } catch (error) {
        show(matches, h("li", {}, notice("error", describeFailure(error), "explain-error")));
      }
    },
  });

  return h(
    "section",
    { class: "panel segment-explain", testid: "segment-explain" },
    h(
      "div",
      { class: "panel-head" },
      h(
        "h2",
        {},
        subject.kind === "segment"
          ? `Why in “${subject.name}”?`
          : `Would a contact match${subject.name ? ` “${subject.name}”` : ""}?`,
      ),
      h("button", { class: "link", testid: "explain-close", onclick: onClose }, "Close"),
    ),
    h(
      "p",
      { class: "muted" },
      "Pick a contact to see each condition of the filter, whether it holds for them, and what was measured.",
    ),
    h("div", { class: "field explain-search" }, search, matches),
    result,
  );
}
