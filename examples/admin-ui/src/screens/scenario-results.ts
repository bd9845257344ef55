import { browserTimeZone, formatCount, formatMoney, formatRate, type Money } from "../analytics.ts";
import { describeFailure, type FieldProblem, gql } from "../api.ts";
import { makeDebouncedRefresh } from "../debounced-refresh.ts";
import { h, notice, patch, show } from "../dom.ts";
import { type LiveState, liveBadge } from "../live.ts";
import { defaultChoice, type PeriodChoice, periodPicker, rebase } from "../period-picker.ts";
import type { Credentials } from "../session.ts";

interface HoldoutGroup {
  units: number;
  converted: number;
  conversionRate: number | null;
  revenue: Money;
  revenuePerUnit: Money | null;
}
interface HoldoutReport {
  treated: HoldoutGroup;
  heldOut: HoldoutGroup;
  conversionLift: { estimate: number; low: number; high: number } | null;
  incrementalRevenue: { estimate: Money; low: Money; high: Money } | null;
  minimumDetectableEffect: number | null;
  verdict: "LIFT" | "DROP" | "NO_DIFFERENCE_DETECTED" | "TOO_FEW_CONTACTS";
  warning: string | null;
  windowHours: number;
}
interface SplitBranch {
  branch: string;
  runs: number;
  recipients: number;
  opened: number;
  openRate: number | null;
  clicked: number;
  clickRate: number | null;
  converted: number;
  conversionRate: number | null;
  revenue: Money;
  revenuePerRecipient: Money | null;
  probabilityToBeBest: number | null;
  holdout: boolean;
  liftAgainstHoldout: {
    conversionLift: { estimate: number; low: number; high: number } | null;
    verdict: HoldoutReport["verdict"];
  } | null;
}
interface SplitReport {
  branches: SplitBranch[];
  metric: string;
  experiment: {
    confidence: number;
    minimumRunsPerBranch: number | null;
    endsAt: string | null;
    autoSelect: boolean;
  } | null;
  winner: {
    branch: string;
    reason: string | null;
    probability: number | null;
    decidedAt: string;
    applied: boolean;
  } | null;
}
type Report<T> =
  | { __typename: "Success"; data: T }
  | { __typename: "InvalidInputError"; message: string; problems: FieldProblem[] }
  | { __typename: "NotFoundError"; message: string };

const failures = `... on InvalidInputError { message problems { path message } } ... on NotFoundError { message }`;
const group = `units converted conversionRate revenue { amount } revenuePerUnit { amount }`;

/** Exported for tests: the holdout report and one split report per split node, in one request. */
export function resultsQuery(splitNodes: string[]): string {
  const splits = splitNodes.map(
    (_, i) => `split${i}: scenarioSplitReport(scenarioId: $id, nodeId: $node${i}, period: $period) {
      __typename
      ... on QueryScenarioSplitReportSuccess { data { metric
        experiment { confidence minimumRunsPerBranch endsAt autoSelect }
        winner { branch reason probability decidedAt applied }
        branches { branch runs recipients opened openRate
        clicked clickRate converted conversionRate revenue { amount } revenuePerRecipient { amount }
        probabilityToBeBest holdout liftAgainstHoldout { conversionLift { estimate low high } verdict } } } }
      ${failures} }`,
  );
  const nodeVariables = splitNodes.map((_, i) => `, $node${i}: String!`).join("");
  return `query ScenarioResults($id: ID!, $period: ReportingPeriodInput!${nodeVariables}) {
    zone: shopKpis(period: $period) { ... on QueryShopKpisSuccess { data { timeZone currency } } }
    holdout: scenarioHoldoutReport(scenarioId: $id, period: $period) {
      __typename
      ... on QueryScenarioHoldoutReportSuccess { data { treated { ${group} } heldOut { ${group} }
        conversionLift { estimate low high }
        incrementalRevenue { estimate { amount } low { amount } high { amount } }
        minimumDetectableEffect verdict warning windowHours } }
      ${failures} }
    ${splits.join("\n")}
  }`;
}

const verdicts: Record<HoldoutReport["verdict"], string> = {
  LIFT: "Lift",
  DROP: "Drop",
  NO_DIFFERENCE_DETECTED: "No difference detected",
  TOO_FEW_CONTACTS: "Too few contacts",
};

const success = <T>(report: { __typename: string; data?: T }): T | undefined =>
  report.__typename.endsWith("Success") ? report.data : undefined;

const failure = (report: Report<unknown>) =>
  report.__typename === "InvalidInputError"
    ? [report.message, ...report.problems.map((p) => p.message)].join("\n")
    : report.__typename === "NotFoundError"
      ? report.message
      : "";

/** The holdout report; the API's warning says when there is nothing to conclude, and why. */
function holdoutPanel(report: HoldoutReport, currency: string) {
  const money = (m: Money | null) => formatMoney(m, currency);
  const row = (label: string, g: HoldoutGroup, testid: string) =>
    h(
      "tr",
      { testid },
      h("th", {}, label),
      h("td", { class: "number" }, formatCount(g.units)),
      h("td", { class: "number" }, formatCount(g.converted)),
      h("td", { class: "number" }, formatRate(g.conversionRate)),
      h("td", { class: "number" }, money(g.revenue)),
      h("td", { class: "number" }, money(g.revenuePerUnit)),
    );
  const incremental = report.incrementalRevenue;
  const lift = report.conversionLift;
  return h(
    "section",
    { class: "panel", testid: "holdout-report" },
    h(
      "div",
      { class: "panel-head" },
      h("h2", {}, "Holdout"),
      h(
        "span",
        {
          class: `verdict verdict-${report.verdict.toLowerCase().split("_")[0]}`,
          testid: "holdout-verdict",
          "data-verdict": report.verdict,
        },
        verdicts[report.verdict],
      ),
    ),
    report.warning ? notice("info", report.warning, "holdout-warning") : null,
    h(
      "div",
      { class: "results-grid" },
      h(
        "div",
        { class: "kpi", testid: "holdout-incremental" },
        h("h3", {}, "Incremental revenue"),
        h("p", { class: "kpi-value" }, incremental ? money(incremental.estimate) : "—"),
        h(
          "p",
          { class: "kpi-detail" },
          incremental
            ? `95% interval ${money(incremental.low)} to ${money(incremental.high)}`
            : "Needs runs in both groups",
        ),
      ),
      h(
        "div",
        { class: "kpi", testid: "holdout-lift" },
        h("h3", {}, "Conversion lift"),
        h("p", { class: "kpi-value" }, lift ? formatRate(lift.estimate) : "—"),
        h(
          "p",
          { class: "kpi-detail" },
          lift ? `95% interval ${formatRate(lift.low)} to ${formatRate(lift.high)}` : "—",
        ),
      ),
      h(
        "div",
        { class: "kpi" },
        h("h3", {}, "Detectable effect"),
        h("p", { class: "kpi-value" }, formatRate(report.minimumDetectableEffect)),
        h("p", { class: "kpi-detail" }, "Smallest lift these groups can show"),
      ),
    ),
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, `Orders within ${report.windowHours} h`),
          ["Runs", "Converted", "Conversion", "Revenue", "Revenue per run"].map((title) =>
            h("th", { class: "number" }, title),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        row("Mailed", report.treated, "holdout-treated"),
        row("Held out", report.heldOut, "holdout-held-out"),
      ),
    ),
  );
}

const metricNames: Record<string, string> = {
  conversion: "conversion rate",
  open_rate: "open rate (people, not privacy pre-fetches)",
  click_rate: "click rate (people, not link scanners)",
  revenue_per_recipient: "revenue per recipient",
};

/** What the experiment compares and what it decided, in a sentence or two. */
function experimentLine(report: SplitReport) {
  const metric = metricNames[report.metric] ?? report.metric;
  const { experiment, winner } = report;
  const rule = experiment
    ? [
        experiment.minimumRunsPerBranch
          ? `a winner needs ${formatCount(experiment.minimumRunsPerBranch)} runs a branch and ${formatRate(experiment.confidence)} confidence`
          : null,
        experiment.endsAt
          ? `the leader wins on ${new Date(experiment.endsAt).toLocaleDateString()}`
          : null,
        experiment.autoSelect ? null : "report only",
      ]
        .filter(Boolean)
        .join("; ")
    : "no experiment: branches keep their weights";
  return h(
    "div",
    { class: "split-experiment", testid: "split-experiment" },
    h("p", { class: "muted" }, `Compared on ${metric} · ${rule}.`),
    winner
      ? notice(
          "info",
          `${winner.applied ? "Winner" : "Leader (not applied, report only)"}: ${winner.branch}` +
            ` — ${winner.reason ?? "decided"}` +
            (winner.probability !== null ? `, ${formatRate(winner.probability)} to be best` : "") +
            `, ${new Date(winner.decidedAt).toLocaleString()}.` +
            (winner.applied ? " New runs take it (the holdout branch keeps its share)." : ""),
          "split-winner",
        )
      : null,
  );
}

/** A branch's conversion lift against the holdout branch, with its interval. */
function liftCell(branch: SplitBranch) {
  if (branch.holdout) return h("td", { class: "number muted" }, "baseline");
  const lift = branch.liftAgainstHoldout;
  if (!lift) return h("td", { class: "number muted" }, "—");
  return h(
    "td",
    { class: "number", testid: "split-lift", "data-verdict": lift.verdict },
    lift.conversionLift ? formatRate(lift.conversionLift.estimate) : "—",
    h(
      "span",
      { class: "muted" },
      lift.conversionLift
        ? ` (${formatRate(lift.conversionLift.low)} to ${formatRate(lift.conversionLift.high)})`
        : "",
      ` ${verdicts[lift.verdict]}`,
    ),
  );
}

function splitPanel(nodeId: string, report: SplitReport, currency: string) {
  const { branches } = report;
  const hasHoldout = branches.some((b) => b.holdout);
  const best = Math.max(...branches.map((b) => b.probabilityToBeBest ?? 0));
  const withRate = (count: number, rate: number | null) =>
    h(
      "td",
      { class: "number" },
      `${formatCount(count)} `,
      h("span", { class: "muted" }, formatRate(rate)),
    );
  return h(
    "section",
    { class: "panel", testid: "split-report", "data-node": nodeId },
    h("div", { class: "panel-head" }, h("h2", {}, "A/B split "), h("code", {}, nodeId)),
    experimentLine(report),
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "Branch"),
          [
            "Runs",
            "Recipients",
            "Opened",
            "Clicked",
            "Converted",
            "Revenue",
            "Revenue / recipient",
            "Chance to be best",
            ...(hasHoldout ? ["Conversion lift vs holdout"] : []),
          ].map((title) => h("th", { class: "number" }, title)),
        ),
      ),
      h(
        "tbody",
        {},
        branches.map((b) =>
          h(
            "tr",
            { testid: "split-row", "data-branch": b.branch },
            h(
              "th",
              {},
              b.branch,
              b.probabilityToBeBest === best && best > 0 && !b.holdout ? " ★" : "",
              b.holdout ? h("span", { class: "chip", testid: "split-holdout" }, "holdout") : null,
            ),
            h("td", { class: "number" }, formatCount(b.runs)),
            h("td", { class: "number" }, formatCount(b.recipients)),
            withRate(b.opened, b.openRate),
            withRate(b.clicked, b.clickRate),
            withRate(b.converted, b.conversionRate),
            h("td", { class: "number" }, formatMoney(b.revenue, currency)),
            h("td", { class: "number" }, formatMoney(b.revenuePerRecipient, currency)),
            h(
              "td",
              { class: "number" },
              h(
                "span",
                { class: "probability", testid: "split-probability" },
                formatRate(b.probabilityToBeBest),
                h(
                  "span",
                  { class: "bar" },
                  h("span", { style: `width: ${Math.round((b.probabilityToBeBest ?? 0) * 100)}%` }),
                ),
              ),
            ),
            hasHoldout ? liftCell(b) : null,
          ),
        ),
      ),
    ),
  );
}

/** The results panel, and how the page keeps it live. */
export interface ScenarioResults {
  element: HTMLElement;
  /** The scenario's runs changed: the results are read again shortly (debounced). */
  runsChanged: () => void;
  /** The state of the stream that tells of changes, for the panel's badge. */
  setLiveState: (state: LiveState, detail?: string) => void;
}

/**
 * A scenario's results over a period: the holdout report (mailed runs against held-out ones,
 * incremental revenue with its interval, the verdict and its warning) and, for each split node
 * of the definition, each branch's results with its probability to be best. `runsChanged`
 * reads them again for the period shown, at most once per burst, patching the panel in place
 * (scroll and selection stay); `signal` stops that on leaving the screen.
 */
export function scenarioResults(
  credentials: Credentials,
  scenario: {
    id: string;
    definition: { nodes: { id: string; kind: string }[] };
  },
  signal: AbortSignal,
): ScenarioResults {
  const splitNodes = scenario.definition.nodes.filter((n) => n.kind === "split").map((n) => n.id);
  let timeZone = browserTimeZone();
  const body = h("div", { testid: "scenario-results-body" }, notice("info", "Loading results…"));
  const state = liveBadge("Live", "results-live-state");
  let current: PeriodChoice;
  let latest = 0;

  /** `quietly`: a live refresh, which keeps the results on screen if it fails. */
  async function load(choice: PeriodChoice, quietly = false) {
    current = choice;
    const request = ++latest;
    const variables: Record<string, unknown> = { id: scenario.id, period: choice.period };
    splitNodes.forEach((node, i) => {
      variables[`node${i}`] = node;
    });
    let data: Record<string, Report<unknown>> & {
      zone: { data?: { timeZone: string; currency: string } };
    };
    try {
      data = await gql(credentials, resultsQuery(splitNodes), variables);
    } catch (error) {
      if (quietly || request !== latest) return;
      show(body, notice("error", describeFailure(error), "results-error"));
      return;
    }
    if (request !== latest || signal.aborted) return;
    const zone = data.zone.data;
    if (zone && zone.timeZone !== timeZone) {
      timeZone = zone.timeZone;
      const rebased = rebase(choice, timeZone);
      if (rebased.period.to !== choice.period.to) {
        picker.set(rebased);
        return load(rebased);
      }
    }
    const currency = zone?.currency ?? "EUR";
    const holdout = data.holdout as Report<HoldoutReport>;
    const holdoutData = success<HoldoutReport>(holdout);
    patch(
      body,
      holdoutData
        ? holdoutPanel(holdoutData, currency)
        : notice("error", failure(holdout), "results-error"),
      ...splitNodes.map((node, i) => {
        const report = data[`split${i}`] as Report<SplitReport>;
        const split = success<SplitReport>(report);
        return split
          ? splitPanel(node, split, currency)
          : notice("error", failure(report), "results-error");
      }),
    );
  }

  const refresh = makeDebouncedRefresh(() => load(current, true));
  signal.addEventListener("abort", () => refresh.cancel());
  const initial = { ...defaultChoice(timeZone), preset: 90 } satisfies PeriodChoice;
  const picker = periodPicker(
    rebase(initial, timeZone),
    () => timeZone,
    (choice) => void load(choice),
    { buckets: false },
  );
  void load(rebase(initial, timeZone));
  const element = h(
    "section",
    { class: "scenario-results", testid: "scenario-results" },
    h(
      "div",
      { class: "page-head" },
      h(
        "div",
        {},
        h("h2", { class: "title-with-badge" }, "Results ", state.badge),
        h("p", { class: "muted" }, "Runs started in the period"),
      ),
      picker.element,
    ),
    body,
  );
  return { element, runsChanged: refresh.request, setLiveState: state.set };
}
