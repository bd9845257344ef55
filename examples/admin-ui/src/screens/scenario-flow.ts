import { h } from "../dom.ts";
import type { PlacedProblems } from "../scenario-document.ts";

export interface ScenarioNode {
  id: string;
  kind: string;
  [field: string]: unknown;
}
export interface Definition {
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
export interface BranchStats {
  name: string;
  weight: number;
  runs: number;
  converted: number;
  conversionRate: number | null;
  messages: { sent: number; opened: number; clicked: number };
}
export interface NodeStats {
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

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The document as a flow to draw, or null when its shape is too far off (no node list, a
 * node without an id): an edit the API refused may be anything the user typed.
 */
export function drawableDefinition(document: unknown): Definition | null {
  if (!isObject(document) || !Array.isArray(document.nodes)) return null;
  const nodesOk = document.nodes.every(
    (node) => isObject(node) && typeof node.id === "string" && typeof node.kind === "string",
  );
  if (!nodesOk) return null;
  return {
    ...(document as unknown as Definition),
    trigger: isObject(document.trigger)
      ? (document.trigger as Definition["trigger"])
      : { kind: "unknown" },
    start: typeof document.start === "string" ? document.start : "",
  };
}

/** A node's named outputs and the node each leads to (null: the path ends). */
export function outputsOf(node: ScenarioNode): { output: string; target: string | null }[] {
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
      return (
        Array.isArray(node.branches) ? (node.branches as { name?: unknown; next?: unknown }[]) : []
      )
        .filter(isObject)
        .map((b) => to(String(b.name ?? "?"), b.next));
    case "exit":
      return [];
    default:
      return [to("next", node.next)];
  }
}

/** What a node does, in a few words. */
function summary(node: ScenarioNode): string {
  const duration = (d: unknown) =>
    Object.entries(isObject(d) ? d : {})
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
    case "wait_for_event": {
      const timeout = duration(node.timeout);
      return `Wait for “${node.event}”${timeout ? ` (at most ${timeout})` : ""}`;
    }
    case "condition":
      return isObject(node.fact)
        ? `Check: ${String(node.fact.kind).replace(/_/g, " ")}`
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
    case "webhook":
      return "Call a webhook";
    case "exit":
      return "Exit";
    default:
      return `Unknown step “${node.kind}”`;
  }
}

export function triggerText(definition: Definition): string {
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
                : t.kind === "segment_exited"
                  ? "On leaving a segment"
                  : "No valid trigger";
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

/** The problems the API named on one place of the flow, as the card shows them. */
function problemList(problems: { field: string; message: string }[], testid: string) {
  return problems.length === 0
    ? null
    : h(
        "ul",
        { class: "flow-problems" },
        problems.map(({ field, message }) =>
          h("li", { testid }, field ? h("code", {}, field) : null, field ? " " : null, message),
        ),
      );
}

/**
 * The flow top to bottom: the trigger line, then the nodes in layers by distance from the
 * start, each card with its counts and outputs. Problems a refused save named are drawn on
 * the trigger line or on the card of the node they name (`has-problem`).
 */
export function flowLayers(
  definition: Definition,
  stats: Map<string, NodeStats>,
  previous: Map<string, NodeStats> | null,
  problems: PlacedProblems,
): HTMLElement[] {
  const nodes = new Map(definition.nodes.map((node) => [node.id, node]));
  const depth = new Map<string, number>([[definition.start, 0]]);
  const queue = [definition.start];
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
  for (const node of definition.nodes) {
    const level = depth.get(node.id) ?? layers.length;
    const layer = layers[level] ?? [];
    layer.push(node);
    layers[level] = layer;
  }
  const card = (node: ScenarioNode) => {
    const s = stats.get(node.id);
    const taken = new Map((s?.outputs ?? []).map((o) => [o.output, o.count]));
    const ownProblems = problems.nodes.get(node.id) ?? [];
    return h(
      "div",
      {
        class: `scenario-node kind-${node.kind}${ownProblems.length ? " has-problem" : ""}`,
        testid: "scenario-node",
        "data-node": node.id,
      },
      h("div", { class: "node-head" }, h("strong", {}, summary(node)), h("code", {}, node.id)),
      problemList(ownProblems, "node-problem"),
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
  const trigger = h(
    "div",
    {
      class: `flow-trigger${problems.trigger.length ? " has-problem" : ""}`,
      testid: "flow-trigger",
    },
    h(
      "div",
      { class: "flow-trigger-line" },
      h("span", { class: "flow-trigger-label" }, "Trigger"),
      h("strong", {}, triggerText(definition)),
      h(
        "span",
        { class: "muted" },
        "→ starts at ",
        definition.start ? h("code", {}, definition.start) : "—",
      ),
    ),
    problemList(problems.trigger, "trigger-problem"),
  );
  return [
    h("div", { class: "scenario-layer" }, trigger),
    ...layers.map((layer) => h("div", { class: "scenario-layer" }, layer.map(card))),
  ];
}
