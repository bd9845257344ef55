import type { Chart } from "chart.js";
import {
  browserTimeZone,
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
export async function showDashboard(container: HTMLElement, { credentials }: ScreenContext) {
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
    try {
      data = await gql<DashboardData>(credentials, dashboardQuery, { period: choice.period });
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
    render(choice.period, kpis.data, attribution.data, await definitions);
  }

  function render(
    period: Period,
    kpis: Extract<DashboardData["shopKpis"], { __typename: "QueryShopKpisSuccess" }>["data"],
    attribution: Extract<
      DashboardData["revenueAttribution"],
      { __typename: "QueryRevenueAttributionSuccess" }
    >["data"],
    defs: Map<string, string>,
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
    status,
    body,
  );
  await load(defaultChoice(timeZone));
}
