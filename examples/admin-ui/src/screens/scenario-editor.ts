import {
  describeFailure,
  describeMutationError,
  type FieldProblem,
  gql,
  type MutationError,
  mutationErrorFields,
} from "../api.ts";
import { h, notice, show } from "../dom.ts";
import {
  canonicalJson,
  formatDocument,
  lineAndColumn,
  noProblems,
  type PlacedProblems,
  type ProblemPlace,
  parseDocument,
  placeOf,
  placeProblems,
} from "../scenario-document.ts";
import type { Credentials } from "../session.ts";

const saveMutation = `mutation SaveScenario($input: UpdateScenarioInput!) {
  updateScenario(input: $input) {
    __typename
    ... on MutationUpdateScenarioSuccess {
      scenario { id name priority status definition liveVersion { version definition } }
    }
    ${mutationErrorFields}
  }
}`;

interface SavedScenario {
  id: string;
  name: string;
  priority: number;
  status: string;
  definition: unknown;
  liveVersion: { version: number; definition: unknown } | null;
}

export interface EditorHooks {
  /** Draw the flow from this document with these problems marked; null: the saved one, clean. */
  showOnFlow: (document: unknown | null, problems: PlacedProblems) => void;
  /** Bring a node's card into view. */
  revealNode: (nodeId: string) => void;
  /** The save went through: draw the page again from the API, saying this. */
  saved: (message: string) => void;
}

/** What the save did, as the API keeps it: a live scenario's runs stay on their version. */
function savedText(before: { name: string; priority: number }, after: SavedScenario): string {
  const renamed = before.name !== after.name || before.priority !== after.priority;
  if (after.status === "DRAFT" || !after.liveVersion) {
    return "Saved the draft. Nothing runs until you publish it; simulate it below first.";
  }
  const live = after.liveVersion.version;
  const now = renamed ? " Name and priority apply now." : "";
  if (canonicalJson(after.definition) === canonicalJson(after.liveVersion.definition)) {
    return `Saved. The definition is the same as live version ${live}.${now}`;
  }
  const paused = after.status === "PAUSED" ? " (the scenario stays paused)" : "";
  return `Saved as the draft of version ${live + 1}. Live version ${live} keeps running unchanged${paused} until you publish: runs in flight always finish on the version they started with.${now}`;
}

/** "Node wait-1h · timeout", "Trigger · tag", "Top level", "name": where a problem is. */
function placeLabel(place: ProblemPlace): string {
  const field = place.field ? ` · ${place.field}` : "";
  if (place.on === "node") return `Node ${place.nodeId}${field}`;
  if (place.on === "input") return place.field;
  return place.field === "" ? "Top level" : place.field;
}

/**
 * The scenario's definition as a JSON document with line numbers, its name and priority, and
 * Save (`updateScenario`). Text that is not JSON is refused here with its line and column and
 * sends nothing; problems the API names are listed and drawn on the node they are about.
 */
export function definitionEditor(
  credentials: Credentials,
  scenario: { id: string; name: string; priority: number; status: string; definition: unknown },
  hooks: EditorHooks,
  savedMessage?: string,
): HTMLElement {
  const readOnly = scenario.status === "ARCHIVED";
  const savedDocument = formatDocument(scenario.definition);
  let errorLine: number | null = null;
  // Lines of the nodes a refused save named, marked in the gutter until the text changes.
  let problemLines = new Set<number>();

  const gutter = h("div", { class: "code-gutter", "aria-hidden": "true" });
  const text = h("textarea", {
    class: "code-input",
    testid: "definition-text",
    spellcheck: "false",
    wrap: "off",
    "aria-label": "Definition (JSON)",
    readonly: readOnly,
  });
  text.value = savedDocument;
  const drawGutter = () => {
    const lines = text.value.split("\n").length;
    show(
      gutter,
      ...Array.from({ length: lines }, (_, i) =>
        h(
          "div",
          {
            class:
              i + 1 === errorLine
                ? "error-line"
                : problemLines.has(i + 1)
                  ? "problem-line"
                  : undefined,
          },
          String(i + 1),
        ),
      ),
    );
    gutter.scrollTop = text.scrollTop;
  };
  text.addEventListener("scroll", () => {
    gutter.scrollTop = text.scrollTop;
  });

  const nameInput = h("input", {
    type: "text",
    testid: "definition-name",
    value: scenario.name,
    readonly: readOnly,
  });
  const priorityInput = h("input", {
    type: "number",
    step: "1",
    testid: "definition-priority",
    value: String(scenario.priority),
    readonly: readOnly,
  });
  const nameError = h("div", { class: "field-error", testid: "definition-error-name" });
  const priorityError = h("div", { class: "field-error", testid: "definition-error-priority" });

  const status = h(
    "div",
    { class: "editor-status", testid: "definition-status" },
    savedMessage ? notice("info", savedMessage, "definition-saved") : null,
  );
  const problemList = h("ul", { class: "problem-list", testid: "definition-problems" });
  const dirty = h(
    "span",
    { class: "chip unsaved", testid: "definition-dirty", hidden: true },
    "Unsaved changes",
  );
  const changed = () =>
    text.value !== savedDocument ||
    nameInput.value !== scenario.name ||
    priorityInput.value !== String(scenario.priority);

  const save = h(
    "button",
    { type: "button", testid: "definition-save", disabled: true, title: "Save (Ctrl+S)" },
    "Save",
  );
  const discard = h(
    "button",
    {
      type: "button",
      class: "secondary",
      testid: "definition-discard",
      disabled: true,
      onclick: () => {
        text.value = savedDocument;
        nameInput.value = scenario.name;
        priorityInput.value = String(scenario.priority);
        errorLine = null;
        clearProblems();
        show(status);
        hooks.showOnFlow(null, noProblems());
        refresh();
      },
    },
    "Discard changes",
  );
  const refresh = () => {
    const isChanged = changed();
    dirty.hidden = !isChanged;
    save.disabled = readOnly || !isChanged;
    discard.disabled = !isChanged;
    drawGutter();
  };
  for (const input of [text, nameInput, priorityInput]) {
    input.addEventListener("input", () => {
      errorLine = null;
      problemLines = new Set();
      refresh();
    });
  }

  const clearProblems = () => {
    show(problemList);
    show(nameError);
    show(priorityError);
  };
  /** Where the text declares a node: its `"id": "…"`. */
  const idAt = (nodeId: string) => text.value.indexOf(`"id": ${JSON.stringify(nodeId)}`);
  const selectNode = (nodeId: string) => {
    const at = idAt(nodeId);
    if (at < 0) return;
    text.focus();
    text.setSelectionRange(at, at + `"id": ${JSON.stringify(nodeId)}`.length);
    scrollToLine(lineAndColumn(text.value, at).line);
  };
  /** Brings a line to the middle of the box. */
  const scrollToLine = (line: number) => {
    const lineHeight = Number.parseFloat(getComputedStyle(text).lineHeight) || 20;
    text.scrollTop = Math.max(0, (line - 1) * lineHeight - text.clientHeight / 2);
    gutter.scrollTop = text.scrollTop;
  };
  const listProblems = (problems: FieldProblem[], document: unknown, placed: PlacedProblems) => {
    show(nameError, (placed.fields.get("name") ?? []).join("; "));
    show(priorityError, (placed.fields.get("priority") ?? []).join("; "));
    show(
      problemList,
      ...problems.map((problem) => {
        const place = placeOf(problem.path, document);
        const nodeId = place.on === "node" ? place.nodeId : null;
        return h(
          "li",
          { testid: "definition-problem", "data-path": problem.path.join(".") },
          h(
            "button",
            {
              type: "button",
              class: "link problem-where",
              onclick: () => {
                if (nodeId) {
                  hooks.revealNode(nodeId);
                  selectNode(nodeId);
                }
              },
              disabled: !nodeId,
            },
            placeLabel(place),
          ),
          h("span", {}, problem.message),
        );
      }),
    );
  };

  save.addEventListener("click", async () => {
    const parsed = parseDocument(text.value);
    clearProblems();
    if (!parsed.ok) {
      errorLine = parsed.line;
      drawGutter();
      text.focus();
      text.setSelectionRange(parsed.offset, parsed.offset);
      scrollToLine(parsed.line);
      return show(
        status,
        notice(
          "error",
          `Not valid JSON at line ${parsed.line}, column ${parsed.column}: ${parsed.message}. Nothing was sent.`,
          "definition-json-error",
        ),
      );
    }
    const priority = Number(priorityInput.value);
    if (priorityInput.value.trim() === "" || !Number.isInteger(priority)) {
      show(priorityError, "must be a whole number");
      return show(
        status,
        notice("error", "Not saved: the priority is not a whole number.", "definition-error"),
      );
    }
    const before = { name: scenario.name, priority: scenario.priority };
    save.disabled = true;
    show(status, h("p", { class: "muted" }, "Saving…"));
    try {
      const { updateScenario: outcome } = await gql<{
        updateScenario:
          | { __typename: "MutationUpdateScenarioSuccess"; scenario: SavedScenario }
          | MutationError;
      }>(credentials, saveMutation, {
        input: { id: scenario.id, name: nameInput.value, priority, definition: parsed.value },
      });
      if (outcome.__typename === "MutationUpdateScenarioSuccess") {
        return hooks.saved(savedText(before, outcome.scenario));
      }
      if (outcome.__typename === "InvalidInputError") {
        const placed = placeProblems(outcome.problems, parsed.value);
        listProblems(outcome.problems, parsed.value, placed);
        hooks.showOnFlow(parsed.value, placed);
        problemLines = new Set(
          [...placed.nodes.keys()]
            .map(idAt)
            .filter((at) => at >= 0)
            .map((at) => lineAndColumn(text.value, at).line),
        );
        drawGutter();
        const firstLine = Math.min(...problemLines);
        if (Number.isFinite(firstLine)) scrollToLine(firstLine);
        const count = outcome.problems.length;
        return show(
          status,
          notice(
            "error",
            `Not saved: ${count === 1 ? "1 problem" : `${count} problems`}, marked on the flow above. Nothing changed.`,
            "definition-error",
          ),
        );
      }
      show(status, notice("error", describeMutationError(outcome), "definition-error"));
    } catch (error) {
      show(status, notice("error", describeFailure(error), "definition-error"));
    } finally {
      save.disabled = readOnly || !changed();
    }
  });

  // Ctrl+S / ⌘S saves, as in any editor, instead of saving the web page.
  for (const input of [text, nameInput, priorityInput] as HTMLElement[]) {
    input.addEventListener("keydown", (event) => {
      if (event.key !== "s" || !(event.ctrlKey || event.metaKey)) return;
      event.preventDefault();
      if (!save.disabled) save.click();
    });
  }
  refresh();
  return h(
    "section",
    { class: "panel definition-editor", testid: "definition-editor" },
    h(
      "div",
      { class: "panel-head" },
      h(
        "h2",
        {},
        "Definition ",
        h("span", { class: "chip" }, "JSON · format version 1"),
        " ",
        dirty,
      ),
      h(
        "span",
        { class: "muted" },
        readOnly
          ? "Archived: read only."
          : scenario.status === "DRAFT"
            ? "Saving changes the draft; nothing runs until you publish."
            : "Saving changes the draft; the live version runs unchanged until you publish.",
      ),
    ),
    h(
      "div",
      { class: "definition-fields" },
      h("div", { class: "field" }, h("label", {}, "Name"), nameInput, nameError),
      h(
        "div",
        { class: "field" },
        h("label", {}, "Priority"),
        priorityInput,
        h(
          "span",
          { class: "hint" },
          "Higher sends first when two scenarios compete for a contact.",
        ),
        priorityError,
      ),
    ),
    h("div", { class: "code-editor" }, h("div", { class: "code-gutter-frame" }, gutter), text),
    h(
      "div",
      { class: "editor-actions" },
      readOnly ? null : save,
      readOnly ? null : discard,
      status,
    ),
    problemList,
  );
}
