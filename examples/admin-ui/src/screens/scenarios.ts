import {
  describeFailure,
  describeMutationError,
  gql,
  type MutationError,
  mutationErrorFields,
} from "../api.ts";
import { formatDate, h, notice, show } from "../dom.ts";
import { liveBadge, subscribeLive } from "../live.ts";
import type { ScreenContext } from "../main.ts";
import { scenarioResults } from "./scenario-results.ts";
import { simulationPanel } from "./scenario-simulation.ts";

interface ScenarioNode {
  id: string;
  kind: string;
  [field: string]: unknown;
}
interface Definition {
  trigger: {
    kind: string;
    event?: string;
    tag?: string;
    threshold?: number;
    field?: string;
    property?: string;
    offsetDays?: number;
    at?: string;
    yearly?: boolean;
  };
  entityKey?: string | null;
  start: string;
  nodes: ScenarioNode[];
}
interface BranchStats {
  name: string;
  weight: number;
  runs: number;
  converted: number;
  conversionRate: number | null;
  messages: { sent: number; opened: number; clicked: number };
}
interface NodeStats {
  nodeId: string;
  branches: BranchStats[] | null;
  entered: number;
  waiting: number;
  conversions: number;
  outputs: { output: string; count: number }[];
  messages: {
    sent: number;
    delivered: number;
    opened: number;
    clicked: number;
    unsubscribed: number;
  } | null;
}
interface Scenario {
  id: string;
  name: string;
  status: string;
  priority: number;
  publishedAt: string | null;
  liveVersion: { version: number } | null;
  definition: Definition;
  runs: { totalCount: number };
}

const listQuery = `{ scenarios(first: 100) { edges { node {
  id name status priority publishedAt liveVersion { version } definition runs(first: 0) { totalCount } } } } }`;

const nodeStatsFields = `nodeId entered waiting conversions outputs { output count }
  messages { sent delivered opened clicked unsubscribed }
  branches { name weight runs converted conversionRate messages { sent opened clicked } }`;

const detailQuery = `query($id: ID!) { node(id: $id) { ... on Scenario {
  id name status priority publishedAt liveVersion { version } definition runs(first: 0) { totalCount }
  nodeStats { ${nodeStatsFields} }
} } }`;

const runsQuery = `query($id: ID!) { node(id: $id) { ... on Scenario { runs(first: 0) { totalCount } } } }`;

/** The same figures again after every change to the scenario's runs. */
const nodeStatsSubscription = `subscription($id: ID!) { scenarioNodeStats(scenarioId: $id) { ${nodeStatsFields} } }`;

const publishMutation = `mutation Publish($id: ID!) {
  publishScenario(input: { id: $id }) {
    __typename
    ... on MutationPublishScenarioSuccess { scenario { id status } }
    ${mutationErrorFields}
  }
}`;

/** "Publish" for a draft: `publishScenario`, then the page again, now live. */
function publishButton(credentials: ScreenContext["credentials"], id: string, done: () => void) {
  const status = h("div", { class: "publish-status", testid: "publish-status" });
  const button = h(
    "button",
    {
      testid: "publish-scenario",
      onclick: async () => {
        button.disabled = true;
        try {
          const { publishScenario: outcome } = await gql<{
            publishScenario:
              | { __typename: "MutationPublishScenarioSuccess"; scenario: { id: string } }
              | MutationError;
          }>(credentials, publishMutation, { id });
          if (outcome.__typename === "MutationPublishScenarioSuccess") return done();
          show(status, notice("error", describeMutationError(outcome), "publish-error"));
        } catch (error) {
          show(status, notice("error", describeFailure(error), "publish-error"));
        } finally {
          button.disabled = false;
        }
      },
    },
    "Publish",
  );
  return h("div", { class: "publish" }, button, status);
}

/** A node's named outputs and the node each leads to (null: the path ends). */
function outputsOf(node: ScenarioNode): { output: string; target: string | null }[] {
  const to = (output: string, target: unknown) => ({
    output,
    target: typeof target === "string" ? target : null,
  });
  switch (node.kind) {
    case "wait_for_event":
      return [to("matched", node.matched), to("timedOut", node.timedOut)];
    case "condition":
      return [to("yes", node.yes), to("no", node.no)];
    case "split":
      return ((node.branches as { name: string; next?: string }[]) ?? []).map((b) =>
        to(b.name, b.next),
      );
    case "exit":
      return [];
    default:
      return [to("next", node.next)];
  }
}

/** What a node does, in a few words. */
function summary(node: ScenarioNode): string {
  const duration = (d: unknown) =>
    Object.entries((d ?? {}) as Record<string, number>)
      .filter(([, v]) => v)
      .map(([unit, v]) => `${v} ${v === 1 ? unit.replace(/s$/, "") : unit}`)
      .join(" ");
  switch (node.kind) {
    case "delay":
      return node.duration
        ? `Wait ${duration(node.duration)}`
        : node.until
          ? "Wait for a date"
          : "Wait for a time window";
    case "wait_for_event":
      return `Wait for “${node.event}” (at most ${duration(node.timeout)})`;
    case "condition":
      return node.fact
        ? `Check: ${String((node.fact as { kind: string }).kind).replace(/_/g, " ")}`
        : "Check a filter";
    case "split":
      return "Split";
    case "send_email":
      return "Send an email";
    case "add_tag":
      return `Tag “${node.tag}”`;
    case "remove_tag":
      return `Untag “${node.tag}”`;
    case "adjust_score":
      return `Score ${Number(node.delta) > 0 ? "+" : ""}${node.delta}`;
    case "set_property":
      return `Set ${node.key}`;
    case "unsubscribe":
      return "Unsubscribe from marketing mail";
    case "start_scenario":
      return "Start another scenario";
    default:
      return "Exit";
  }
}

function triggerText(definition: Definition): string {
  const t = definition.trigger;
  const base =
    t.kind === "event"
      ? `When “${t.event}” happens`
      : t.kind === "tag_added"
        ? `When tagged “${t.tag}”`
        : t.kind === "score_crossed"
          ? `When the score reaches ${t.threshold}`
          : t.kind === "api"
            ? "When a backend starts it"
            : t.kind === "date"
              ? dateTriggerText(t)
              : t.kind === "segment_entered"
                ? "On entering a segment"
                : "On leaving a segment";
  return definition.entityKey ? `${base}, one run per ${definition.entityKey}` : base;
}

function dateTriggerText(t: Definition["trigger"]): string {
  const date =
    t.field === "BIRTHDAY"
      ? "birthday"
      : t.field === "CREATED_AT"
        ? "signup date"
        : t.field === "LAST_SEEN_AT"
          ? "last visit"
          : `“${t.property}”`;
  const offset = t.offsetDays ?? 0;
  const when =
    offset === 0
      ? `On the contact's ${date}`
      : `${Math.abs(offset)} days ${offset > 0 ? "after" : "before"} the contact's ${date}`;
  return `${when} at ${t.at ?? "09:00"} their time${t.yearly ? ", every year" : ""}`;
}

const percent = (rate: number | null) => (rate === null ? "–" : `${(rate * 100).toFixed(1)}%`);

/** A split's branches side by side: how many runs each got and how they did. */
function branchTable(branches: BranchStats[]) {
  const total = branches.reduce((sum, b) => sum + b.weight, 0);
  return h(
    "table",
    { class: "branch-table", testid: "branch-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Branch", "Runs", "Conv.", "Rate", "Opens", "Clicks"].map((title) => h("th", {}, title)),
      ),
    ),
    h(
      "tbody",
      {},
      branches.map((b) =>
        h(
          "tr",
          { testid: "branch-row", "data-branch": b.name },
          h(
            "td",
            { title: `weight ${b.weight}` },
            h("strong", {}, b.name),
            h("span", { class: "muted" }, ` ${Math.round((b.weight / total) * 100)}%`),
          ),
          h("td", {}, String(b.runs)),
          h("td", {}, String(b.converted)),
          h("td", {}, percent(b.conversionRate)),
          h("td", {}, String(b.messages.opened)),
          h("td", {}, String(b.messages.clicked)),
        ),
      ),
    ),
  );
}

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

async function showScenario(
  container: HTMLElement,
  credentials: ScreenContext["credentials"],
  id: string,
  leaving: AbortSignal,
) {
  const { node: scenario } = await gql<{ node: (Scenario & { nodeStats: NodeStats[] }) | null }>(
    credentials,
    detailQuery,
    { id },
  );
  if (!scenario)
    return show(container, h("p", { class: "muted" }, "This scenario does not exist."));
  const nodes = new Map(scenario.definition.nodes.map((node) => [node.id, node]));
  let stats = new Map(scenario.nodeStats.map((s) => [s.nodeId, s]));
  let previous: typeof stats | null = null;
  // Layers by distance from the start: the tree reads top to bottom.
  const depth = new Map<string, number>([[scenario.definition.start, 0]]);
  const queue = [scenario.definition.start];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    const node = nodes.get(id);
    if (!node) continue;
    for (const { target } of outputsOf(node)) {
      if (target && !depth.has(target)) {
        depth.set(target, (depth.get(id) ?? 0) + 1);
        queue.push(target);
      }
    }
  }
  const layers: ScenarioNode[][] = [];
  for (const node of scenario.definition.nodes) {
    const level = depth.get(node.id) ?? layers.length;
    const layer = layers[level] ?? [];
    layer.push(node);
    layers[level] = layer;
  }
  const card = (node: ScenarioNode) => {
    const s = stats.get(node.id);
    const taken = new Map((s?.outputs ?? []).map((o) => [o.output, o.count]));
    return h(
      "div",
      { class: `scenario-node kind-${node.kind}`, testid: "scenario-node", "data-node": node.id },
      h("div", { class: "node-head" }, h("strong", {}, summary(node)), h("code", {}, node.id)),
      h(
        "div",
        { class: "node-counts" },
        h(
          "span",
          {
            testid: "node-entered",
            class:
              previous && (previous.get(node.id)?.entered ?? 0) !== (s?.entered ?? 0)
                ? "count-changed"
                : undefined,
          },
          `${s?.entered ?? 0} entered`,
        ),
        s?.waiting
          ? h("span", { class: "waiting", testid: "node-waiting" }, `${s.waiting} waiting`)
          : null,
        s?.conversions ? h("span", {}, `${s.conversions} converted`) : null,
      ),
      s?.messages
        ? h(
            "div",
            { class: "node-mail", testid: "node-mail" },
            `${s.messages.sent} sent · ${s.messages.opened} opened · ${s.messages.clicked} clicked`,
          )
        : null,
      s?.branches ? branchTable(s.branches) : null,
      h(
        "ul",
        { class: "node-outputs" },
        outputsOf(node).map(({ output, target }) =>
          h(
            "li",
            { testid: "node-output", "data-output": output },
            h("span", { class: "output-name" }, output),
            " → ",
            target ? h("code", {}, target) : h("span", { class: "muted" }, "end"),
            h("span", { class: "output-count" }, String(taken.get(output) ?? 0)),
          ),
        ),
      ),
    );
  };
  const tree = h("div", { class: "scenario-tree", testid: "scenario-tree" });
  const drawTree = () =>
    show(tree, ...layers.map((layer) => h("div", { class: "scenario-layer" }, layer.map(card))));
  drawTree();
  // This page's stream: closed on leaving the screen, or when Publish draws the page again.
  const live = new AbortController();
  leaving.addEventListener("abort", () => live.abort());
  // "Live counts": the scenario's own status may read "live" beside it.
  const state = liveBadge("Live counts");
  const runsText = (n: number) => (n === 1 ? "1 run" : `${n} runs`);
  const runCount = h("span", { testid: "scenario-runs" }, runsText(scenario.runs.totalCount));
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
      onState: state.set,
      onData: ({ scenarioNodeStats }) => {
        previous = stats;
        stats = new Map(scenarioNodeStats.map((s) => [s.nodeId, s]));
        drawTree();
        void recountRuns();
      },
    },
  );
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
        ),
      ),
      scenario.status === "DRAFT"
        ? publishButton(credentials, scenario.id, () => {
            live.abort();
            void showScenario(container, credentials, id, leaving);
          })
        : null,
    ),
    h("div", { class: "tree-head" }, h("h2", { class: "tree-title" }, "Flow"), state.badge),
    tree,
    simulationPanel(credentials, scenario),
    scenarioResults(credentials, scenario),
  );
}
