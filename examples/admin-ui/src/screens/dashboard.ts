import type { Chart } from "chart.js";
import {
  addDays,
  browserTimeZone,
  bucketLabel,
  fieldDefinitions,
  formatCount,
  formatDay,
  formatMoney,
  type Money,
  type Period,
} from "../analytics.ts";
import { describeFailure, type FieldProblem, gql } from "../api.ts";
import { h, notice, show } from "../dom.ts";
import { cards, type Figures, kpiCard } from "../kpi-cards.ts";
import type { ScreenContext } from "../main.ts";
import { defaultChoice, type PeriodChoice, periodPicker, rebase } from "../period-picker.ts";
import { drawRevenueChart, type RevenueBucket } from "../revenue-chart.ts";
import { todayStrip } from "./dashboard-today.ts";

interface ScenarioRevenue {
  id: string;
  name: string | null;
  revenue: Money;
  orders: number;
  recipients: number;
  revenuePerRecipient: Money | null;
}

type Result<Success extends string, Data> =
  | ({ __typename: Success } & Data)
  | { __typename: "InvalidInputError"; message: string; problems: FieldProblem[] };

/** Exported for tests: the one request the dashboard makes per period. */
export const dashboardQuery = `query Dashboard($period: ReportingPeriodInput!) {
  shopKpis(period: $period) {
    __typename
    ... on QueryShopKpisSuccess { data { from to timeZone currency total {
      revenue { amount } orders averageOrderValue { amount } customers newCustomers
      sessions convertedSessions conversionRate cartsCreated cartsConverted cartAbandonmentRate
      emailsSent emailsBounced emailsOpened emailsClicked openRate clickRate
      emailRevenue { amount } emailRevenueShare emailRecipients revenuePerRecipient { amount }
      marketingSpend { amount } customerAcquisitionCost { amount } } } }
    ... on InvalidInputError { message problems { path message } }
  }
  revenueAttribution(period: $period) {
    __typename
    ... on QueryRevenueAttributionSuccess { data { ordersInOtherCurrencies
      buckets { start revenue { amount } attributedRevenue { amount } }
      byScenario { id name revenue { amount } orders recipients revenuePerRecipient { amount } } } }
    ... on InvalidInputError { message problems { path message } }
  }
}`;

/**
 * The cohorts' days: the year up to the period's end, by month. A cohort's 30/90/180/365-day
 * figures need cohorts that old, so the dashboard's own period (often 30 days) would show none.
 */
export function cohortPeriod(period: Period): Period {
  return { from: addDays(period.to, -364), to: period.to, bucket: "MONTH" };
}

/**
 * Exported for tests: monthly cohorts over the year to the period's end (`cohortPeriod`) and
 * the control group over the period itself.
 */
export const cohortsQuery = `query DashboardCohorts($period: ReportingPeriodInput!, $cohorts: ReportingPeriodInput!) {
  customerCohorts(period: $cohorts) {
    __typename
    ... on QueryCustomerCohortsSuccess { data { asOf cohorts { start customers
      revenuePerCustomer30d { amount } revenuePerCustomer90d { amount }
      revenuePerCustomer180d { amount } revenuePerCustomer365d { amount } } } }
    ... on InvalidInputError { message problems { path message } }
  }
  controlGroupReport(period: $period) {
    __typename
    ... on QueryControlGroupReportSuccess { data { verdict warning
      treated { units } heldOut { units } } }
    ... on InvalidInputError { message problems { path message } }
  }
}`;

interface Cohort {
  start: string;
  customers: number;
  revenuePerCustomer30d: Money | null;
  revenuePerCustomer90d: Money | null;
  revenuePerCustomer180d: Money | null;
  revenuePerCustomer365d: Money | null;
}

type Verdict = "LIFT" | "DROP" | "NO_DIFFERENCE_DETECTED" | "TOO_FEW_CONTACTS";

interface CohortsData {
  customerCohorts: Result<"QueryCustomerCohortsSuccess", { data: { cohorts: Cohort[] } }>;
  controlGroupReport: Result<
    "QueryControlGroupReportSuccess",
    {
      data: {
        verdict: Verdict;
        warning: string | null;
        treated: { units: number };
        heldOut: { units: number };
      };
    }
  >;
}

const verdicts: Record<Verdict, string> = {
  LIFT: "Lift",
  DROP: "Drop",
  NO_DIFFERENCE_DETECTED: "No difference detected",
  TOO_FEW_CONTACTS: "Too few contacts",
};

const ltvColumns = [
  ["revenuePerCustomer30d", "30 days"],
  ["revenuePerCustomer90d", "90 days"],
  ["revenuePerCustomer180d", "180 days"],
  ["revenuePerCustomer365d", "365 days"],
] as const;

/** Revenue per customer of each monthly acquisition cohort; "—" until the cohort is that old. */
function cohortPanel(result: CohortsData["customerCohorts"], period: Period, currency: string) {
  const body =
    result.__typename === "InvalidInputError"
      ? notice("error", result.message, "cohorts-error")
      : result.data.cohorts.length === 0
        ? h("p", { class: "muted" }, "No first orders in this period.")
        : h(
            "table",
            { testid: "cohorts-table" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", {}, "Cohort"),
                h("th", { class: "number" }, "Customers"),
                ltvColumns.map(([, title]) => h("th", { class: "number" }, title)),
              ),
            ),
            h(
              "tbody",
              {},
              result.data.cohorts.map((cohort) =>
                h(
                  "tr",
                  { testid: "cohort-row", "data-cohort": cohort.start },
                  h("td", {}, bucketLabel(cohort.start, "MONTH")),
                  h("td", { class: "number" }, formatCount(cohort.customers)),
                  ltvColumns.map(([field]) =>
                    h("td", { class: "number" }, formatMoney(cohort[field], currency)),
                  ),
                ),
              ),
            ),
          );
  return h(
    "section",
    { class: "panel", testid: "cohorts" },
    h(
      "div",
      { class: "panel-head" },
      h("h2", {}, "Customer cohorts (LTV)"),
      h("span", { class: "muted" }, "Revenue per customer since their first order"),
    ),
    body,
    h(
      "p",
      { class: "muted", testid: "cohorts-period" },
      `Customers by the month of their first order, ${formatDay(period.from)} – ${formatDay(period.to)}; “—” until every customer of the cohort is that old.`,
    ),
  );
}

/** The workspace-wide control group: the verdict and, when there is one, the API's warning. */
function controlGroupPanel(result: CohortsData["controlGroupReport"]) {
  if (result.__typename === "InvalidInputError") {
    return h(
      "section",
      { class: "panel", testid: "control-group" },
      h("h2", {}, "Control group"),
      notice("error", result.message, "control-group-error"),
    );
  }
  const { verdict, warning, treated, heldOut } = result.data;
  return h(
    "section",
    { class: "panel control-group", testid: "control-group" },
    h(
      "div",
      { class: "panel-head" },
      h("h2", {}, "Control group"),
      h(
        "span",
        {
          class: `verdict verdict-${verdict.toLowerCase().split("_")[0]}`,
          testid: "control-group-verdict",
          "data-verdict": verdict,
        },
        verdicts[verdict],
      ),
    ),
    h(
      "p",
      { class: "muted", testid: "control-group-units" },
      `${formatCount(treated.units)} contacts in scenarios, ${formatCount(heldOut.units)} held out`,
    ),
    warning ? notice("info", warning, "control-group-warning") : null,
  );
}

interface DashboardData {
  shopKpis: Result<
    "QueryShopKpisSuccess",
    { data: { from: string; to: string; timeZone: string; currency: string; total: Figures } }
  >;
  revenueAttribution: Result<
    "QueryRevenueAttributionSuccess",
    {
      data: {
        ordersInOtherCurrencies: number;
        buckets: RevenueBucket[];
        byScenario: ScenarioRevenue[];
      };
    }
  >;
}

function scenarioTable(rows: ScenarioRevenue[], currency: string) {
  if (rows.length === 0)
    return h("p", { class: "muted" }, "No scenario mailed anyone or earned credit in this period.");
  return h(
    "table",
    { testid: "scenario-revenue" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", {}, "Scenario"),
        ["Revenue", "Orders", "Recipients", "Revenue per recipient"].map((title) =>
          h("th", { class: "number" }, title),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          { testid: "scenario-revenue-row", "data-scenario": row.name ?? row.id },
          h(
            "td",
            {},
            h("a", { href: `#/scenarios/${encodeURIComponent(row.id)}` }, row.name ?? "(deleted)"),
          ),
          h("td", { class: "number" }, formatMoney(row.revenue, currency)),
          h("td", { class: "number" }, formatCount(row.orders)),
          h("td", { class: "number" }, formatCount(row.recipients)),
          h("td", { class: "number" }, formatMoney(row.revenuePerRecipient, currency)),
        ),
      ),
    ),
  );
}

/**
 * The landing screen: the shop's KPIs over a period (`shopKpis`), revenue per bucket against
 * the part attributed to email, and revenue by scenario (`revenueAttribution`). Each KPI's
 * definition is the API's own field description, shown as the card's tooltip.
 */
export async function showDashboard(
  container: HTMLElement,
  { credentials, signal }: ScreenContext,
) {
  let timeZone = browserTimeZone();
  let chart: Chart<"bar"> | undefined;
  let latest = 0;
  const definitions = fieldDefinitions(credentials, "KpiFigures").catch(
    () => new Map<string, string>(),
  );
  const subtitle = h("p", { class: "muted", testid: "dashboard-period" });
  const status = h("div");
  const body = h("div", { class: "dashboard-body" });

  async function load(choice: PeriodChoice) {
    const request = ++latest;
    show(status, notice("info", "Loading…"));
    let data: DashboardData;
    let cohorts: CohortsData;
    try {
      [data, cohorts] = await Promise.all([
        gql<DashboardData>(credentials, dashboardQuery, { period: choice.period }),
        gql<CohortsData>(credentials, cohortsQuery, {
          period: choice.period,
          cohorts: cohortPeriod(choice.period),
        }),
      ]);
    } catch (error) {
      if (request === latest) show(status, notice("error", describeFailure(error), "screen-error"));
      return;
    }
    if (request !== latest) return;
    const { shopKpis: kpis, revenueAttribution: attribution } = data;
    if (kpis.__typename === "InvalidInputError" || attribution.__typename === "InvalidInputError") {
      const failed = kpis.__typename === "InvalidInputError" ? kpis : attribution;
      if (failed.__typename !== "InvalidInputError") return;
      const lines = failed.problems.map((p) => p.message);
      show(status, notice("error", lines.join("\n") || failed.message, "period-error"));
      return;
    }
    // Presets count back from the shop's today: once the API names its time zone, redo them.
    if (kpis.data.timeZone !== timeZone) {
      timeZone = kpis.data.timeZone;
      const rebased = rebase(choice, timeZone);
      if (rebased.period.from !== choice.period.from || rebased.period.to !== choice.period.to) {
        picker.set(rebased);
        return load(rebased);
      }
    }
    render(choice.period, kpis.data, attribution.data, await definitions, cohorts);
  }

  function render(
    period: Period,
    kpis: Extract<DashboardData["shopKpis"], { __typename: "QueryShopKpisSuccess" }>["data"],
    attribution: Extract<
      DashboardData["revenueAttribution"],
      { __typename: "QueryRevenueAttributionSuccess" }
    >["data"],
    defs: Map<string, string>,
    cohorts: CohortsData,
  ) {
    const { currency, total } = kpis;
    show(status);
    show(
      subtitle,
      `${formatDay(kpis.from)} – ${formatDay(kpis.to)} · ${kpis.timeZone} · ${currency}`,
    );
    chart?.destroy();
    const canvas = h("canvas", {
      testid: "revenue-chart",
      "data-buckets": attribution.buckets.length,
      role: "img",
      "aria-label": "Revenue per bucket, total and attributed to email",
    });
    show(
      body,
      h(
        "div",
        { class: "kpi-grid", testid: "kpi-grid" },
        cards.map((card) => kpiCard(card, total, currency, defs)),
      ),
      h(
        "section",
        { class: "panel" },
        h(
          "div",
          { class: "panel-head" },
          h("h2", {}, "Revenue"),
          h(
            "span",
            { class: "muted", testid: "chart-summary" },
            `${formatMoney(total.emailRevenue, currency)} of ${formatMoney(total.revenue, currency)} attributed to email`,
          ),
        ),
        h("div", { class: "chart" }, canvas),
        attribution.ordersInOtherCurrencies > 0
          ? h(
              "p",
              { class: "muted" },
              `${attribution.ordersInOtherCurrencies} orders in other currencies are left out.`,
            )
          : null,
      ),
      h(
        "section",
        { class: "panel" },
        h(
          "div",
          { class: "panel-head" },
          h("h2", {}, "By scenario"),
          h("a", { href: "#/attribution" }, "Attribution settings"),
        ),
        scenarioTable(attribution.byScenario, currency),
      ),
      h(
        "div",
        { class: "dashboard-pair" },
        cohortPanel(cohorts.customerCohorts, cohortPeriod(period), currency),
        controlGroupPanel(cohorts.controlGroupReport),
      ),
    );
    chart = drawRevenueChart(canvas, attribution.buckets, period.bucket, currency);
  }

  const picker = periodPicker(
    defaultChoice(timeZone),
    () => timeZone,
    (choice) => void load(choice),
  );
  show(
    container,
    h(
      "div",
      { class: "page-head" },
      h("div", {}, h("h1", {}, "Dashboard"), subtitle),
      picker.element,
    ),
    todayStrip(credentials, signal),
    status,
    body,
  );
  await load(defaultChoice(timeZone));
}
