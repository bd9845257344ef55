import { gql } from "../api.ts";
import { formatDate, h, notice, show } from "../dom.ts";
import { liveBadge, subscribeLive } from "../live.ts";
import type { ScreenContext } from "../main.ts";
import { canonicalJson, noProblems, type PlacedProblems } from "../scenario-document.ts";
import { definitionEditor } from "./scenario-editor.ts";
import {
  type Definition,
  drawableDefinition,
  flowLayers,
  type NodeStats,
  triggerText,
} from "./scenario-flow.ts";
import { lifecycleActions } from "./scenario-lifecycle.ts";
import { scenarioResults } from "./scenario-results.ts";
import { simulationPanel } from "./scenario-simulation.ts";

interface Scenario {
  id: string;
  name: string;
  status: string;
  priority: number;
  publishedAt: string | null;
  liveVersion: { version: number; definition?: unknown } | null;
  definition: Definition;
  runs: { totalCount: number };
}

const listQuery = `{ scenarios(first: 100) { edges { node {
  id name status priority publishedAt liveVersion { version } definition runs(first: 0) { totalCount } } } } }`;

const nodeStatsFields = `nodeId entered waiting conversions outputs { output count }
  messages { sent delivered opened clicked unsubscribed }
  branches { name weight runs converted conversionRate messages { sent opened clicked } }`;

const detailQuery = `query($id: ID!) { node(id: $id) { ... on Scenario {
  id name status priority publishedAt liveVersion { version definition } definition
  runs(first: 0) { totalCount }
  nodeStats { ${nodeStatsFields} }
} } }`;

const runsQuery = `query($id: ID!) { node(id: $id) { ... on Scenario { runs(first: 0) { totalCount } } } }`;

/** The same figures again after every change to the scenario's runs. */
const nodeStatsSubscription = `subscription($id: ID!) { scenarioNodeStats(scenarioId: $id) { ${nodeStatsFields} } }`;

/** The scenarios of the workspace, or one scenario drawn as its tree with live node counts. */
export async function showScenarios(
  container: HTMLElement,
  { credentials, signal }: ScreenContext,
  param?: string,
) {
  if (param) return showScenario(container, credentials, param, signal);
  const { scenarios } = await gql<{ scenarios: { edges: { node: Scenario }[] } }>(
    credentials,
    listQuery,
  );
  show(
    container,
    h(
      "div",
      { class: "page-head" },
      h("h1", {}, "Scenarios"),
      h(
        "a",
        { class: "button", href: "#/scenarios/new", testid: "new-from-blueprint" },
        "New from blueprint",
      ),
    ),
    scenarios.edges.length === 0
      ? h(
          "p",
          { class: "muted" },
          "No scenarios yet. Start from a blueprint, or create one with the createScenario mutation.",
        )
      : h(
          "table",
          { testid: "scenario-list" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", {}, "Name"),
              h("th", {}, "Trigger"),
              h("th", {}, "Status"),
              h("th", {}, "Runs"),
              h("th", {}, "Published"),
            ),
          ),
          h(
            "tbody",
            {},
            scenarios.edges.map(({ node }) =>
              h(
                "tr",
                { testid: "scenario-row", "data-scenario": node.name },
                h(
                  "td",
                  {},
                  h("a", { href: `#/scenarios/${encodeURIComponent(node.id)}` }, node.name),
                ),
                h("td", {}, triggerText(node.definition)),
                h(
                  "td",
                  {},
                  h(
                    "span",
                    { class: `status status-${node.status.toLowerCase()}` },
                    node.status.toLowerCase(),
                  ),
                ),
                h("td", { class: "number" }, node.runs.totalCount),
                h(
                  "td",
                  {},
                  node.liveVersion
                    ? `v${node.liveVersion.version}, ${formatDate(node.publishedAt)}`
                    : "—",
                ),
              ),
            ),
          ),
        ),
  );
}

/** What the page says on being drawn again after a change: the editor's save, or a status change. */
interface Flash {
  saved?: string;
  lifecycle?: string;
}

async function showScenario(
  container: HTMLElement,
  credentials: ScreenContext["credentials"],
  id: string,
  leaving: AbortSignal,
  flash: Flash = {},
) {
  const { node: scenario } = await gql<{ node: (Scenario & { nodeStats: NodeStats[] }) | null }>(
    credentials,
    detailQuery,
    { id },
  );
  if (!scenario)
    return show(container, h("p", { class: "muted" }, "This scenario does not exist."));
  let stats = new Map(scenario.nodeStats.map((s) => [s.nodeId, s]));
  let previous: typeof stats | null = null;
  // The flow shows the saved draft, or an edit the API refused with its problems on it.
  let shown: Definition = scenario.definition;
  let problems: PlacedProblems = noProblems();
  const unsaved = h(
    "span",
    { class: "chip unsaved", testid: "flow-unsaved", hidden: true },
    "Showing your unsaved edit",
  );
  const tree = h("div", { class: "scenario-tree", testid: "scenario-tree" });
  const drawTree = () => show(tree, ...flowLayers(shown, stats, previous, problems));
  drawTree();
  // This page's stream: closed on leaving the screen, or when a change draws the page again.
  const live = new AbortController();
  leaving.addEventListener("abort", () => live.abort());
  const redraw = (next: Flash) => {
    live.abort();
    void showScenario(container, credentials, id, leaving, next);
  };
  // "Live counts": the scenario's own status may read "live" beside it.
  const state = liveBadge("Live counts");
  const runsText = (n: number) => (n === 1 ? "1 run" : `${n} runs`);
  const runCount = h("span", { testid: "scenario-runs" }, runsText(scenario.runs.totalCount));
  const results = scenarioResults(credentials, scenario, live.signal);
  // The stream speaks on any mail of the workspace too: the results are read again only when
  // this scenario's figures moved.
  let shownStats = JSON.stringify(scenario.nodeStats);
  const recountRuns = () =>
    gql<{ node: { runs: { totalCount: number } } | null }>(credentials, runsQuery, { id })
      .then(({ node }) => node && show(runCount, runsText(node.runs.totalCount)))
      .catch(() => undefined);
  subscribeLive<{ scenarioNodeStats: NodeStats[] }>(
    credentials,
    nodeStatsSubscription,
    { id: scenario.id },
    {
      signal: live.signal,
      onState: (now, detail) => {
        state.set(now, detail);
        results.setLiveState(now, detail);
      },
      onData: ({ scenarioNodeStats }) => {
        previous = stats;
        stats = new Map(scenarioNodeStats.map((s) => [s.nodeId, s]));
        drawTree();
        void recountRuns();
        const received = JSON.stringify(scenarioNodeStats);
        if (received !== shownStats) results.runsChanged();
        shownStats = received;
      },
    },
  );
  const draftChanged =
    scenario.liveVersion !== null &&
    canonicalJson(scenario.definition) !== canonicalJson(scenario.liveVersion.definition);
  const editor = definitionEditor(
    credentials,
    scenario,
    {
      showOnFlow: (document, placed) => {
        const drawable = document === null ? null : drawableDefinition(document);
        shown = drawable ?? scenario.definition;
        problems = placed;
        unsaved.hidden = drawable === null;
        drawTree();
      },
      revealNode: (nodeId) => {
        const card = tree.querySelector<HTMLElement>(
          `[data-testid=scenario-node][data-node="${CSS.escape(nodeId)}"]`,
        );
        card?.scrollIntoView({ behavior: "smooth", block: "center" });
      },
      saved: (message) => redraw({ saved: message }),
    },
    flash.saved,
  );
  editor.hidden = flash.saved === undefined;
  const editButton = h(
    "button",
    {
      type: "button",
      class: "secondary",
      testid: "edit-definition",
      onclick: () => {
        editor.hidden = !editor.hidden;
        editButton.textContent = editor.hidden ? "Edit definition" : "Close editor";
        if (!editor.hidden) editor.scrollIntoView({ behavior: "smooth", block: "nearest" });
      },
    },
    editor.hidden ? "Edit definition" : "Close editor",
  );
  const waitingNow = scenario.nodeStats.reduce((sum, s) => sum + s.waiting, 0);
  show(
    container,
    h("p", {}, h("a", { href: "#/scenarios" }, "← Scenarios")),
    h(
      "div",
      { class: "page-head" },
      h(
        "div",
        {},
        h(
          "h1",
          {},
          scenario.name,
          " ",
          h(
            "span",
            { class: `status status-${scenario.status.toLowerCase()}`, testid: "scenario-status" },
            scenario.status.toLowerCase(),
          ),
        ),
        h(
          "p",
          { class: "muted" },
          `${triggerText(scenario.definition)} · `,
          runCount,
          ` · ${scenario.liveVersion ? `live version ${scenario.liveVersion.version}` : "not published"}`,
          ` · priority ${scenario.priority}`,
        ),
      ),
      lifecycleActions(
        credentials,
        {
          id: scenario.id,
          name: scenario.name,
          status: scenario.status,
          liveVersion: scenario.liveVersion,
          draftChanged,
          runsInProgress: waitingNow,
        },
        (message) => redraw(message ? { lifecycle: message } : {}),
      ),
    ),
    flash.lifecycle ? notice("info", flash.lifecycle, "lifecycle-done") : null,
    scenario.status === "PAUSED"
      ? h(
          "p",
          { class: "notice paused", testid: "paused-note" },
          "Paused: no new run starts and no step is taken. Runs in progress hold where they are and continue when you resume.",
        )
      : null,
    draftChanged && scenario.liveVersion
      ? notice(
          "info",
          `The draft shown here differs from live version ${scenario.liveVersion.version}, which keeps running unchanged until you publish the draft.`,
          "draft-changed",
        )
      : null,
    h(
      "div",
      { class: "tree-head" },
      h("h2", { class: "tree-title" }, "Flow"),
      state.badge,
      unsaved,
      h("span", { class: "tree-head-actions" }, editButton),
    ),
    tree,
    editor,
    simulationPanel(credentials, scenario),
    results.element,
  );
}
