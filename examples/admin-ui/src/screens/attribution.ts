import {
  browserTimeZone,
  fieldDefinitions,
  formatCount,
  formatMoney,
  formatRate,
  type Money,
} from "../analytics.ts";
import {
  describeFailure,
  describeMutationError,
  type FieldProblem,
  gql,
  type MutationError,
  mutationErrorFields,
} from "../api.ts";
import { describedText, h, notice, show } from "../dom.ts";
import type { ScreenContext } from "../main.ts";
import { defaultChoice, type PeriodChoice, periodPicker, rebase } from "../period-picker.ts";

interface AttributionModel {
  clickWindowHours: number;
  countOpens: boolean;
  openWindowHours: number;
  revenueBasis: "NET" | "GROSS";
}

interface Attribution {
  timeZone: string;
  revenue: Money & { currency: string };
  attributedRevenue: Money;
  attributedOrders: number;
  attributedShare: number | null;
  influencedRevenue: Money;
  influencedOrders: number;
}

type AttributionResult =
  | { __typename: "QueryRevenueAttributionSuccess"; data: Attribution }
  | { __typename: "InvalidInputError"; message: string; problems: FieldProblem[] };

const modelFields = "clickWindowHours countOpens openWindowHours revenueBasis";
const attributionFields = `__typename
  ... on QueryRevenueAttributionSuccess { data { timeZone revenue { amount currency }
    attributedRevenue { amount } attributedOrders attributedShare influencedRevenue { amount } influencedOrders } }
  ... on InvalidInputError { message problems { path message } }`;

const previewQuery = `query PreviewAttribution($period: ReportingPeriodInput!, $model: AttributionModelInput!) {
  saved: revenueAttribution(period: $period) { ${attributionFields} }
  preview: revenueAttribution(period: $period, model: $model) { ${attributionFields} }
}`;

const saveMutation = `mutation SaveAttributionModel($input: AttributionModelInput!) {
  updateAttributionModel(input: $input) {
    __typename
    ... on MutationUpdateAttributionModelSuccess { model { ${modelFields} } }
    ${mutationErrorFields}
  }
}`;

const metrics: { key: string; label: string; value: (a: Attribution) => string }[] = [
  {
    key: "attributedRevenue",
    label: "Attributed revenue",
    value: (a) => formatMoney(a.attributedRevenue, a.revenue.currency),
  },
  {
    key: "attributedOrders",
    label: "Attributed orders",
    value: (a) => formatCount(a.attributedOrders),
  },
  {
    key: "attributedShare",
    label: "Share of revenue",
    value: (a) => formatRate(a.attributedShare),
  },
  {
    key: "influencedRevenue",
    label: "Influenced revenue",
    value: (a) => formatMoney(a.influencedRevenue, a.revenue.currency),
  },
  {
    key: "revenue",
    label: "Revenue (basis)",
    value: (a) => formatMoney(a.revenue, a.revenue.currency),
  },
];

/**
 * The saved attribution model (`attributionModel`), a form to change it, "Preview" (the same
 * period's `revenueAttribution` under the saved model and with `model`, side by side) and
 * "Save" (`updateAttributionModel`). A refused value is shown next to its field.
 */
export async function showAttribution(container: HTMLElement, { credentials }: ScreenContext) {
  const [{ attributionModel: saved }, definitions] = await Promise.all([
    gql<{ attributionModel: AttributionModel }>(
      credentials,
      `{ attributionModel { ${modelFields} } }`,
    ),
    fieldDefinitions(credentials, "AttributionModel").catch(() => new Map<string, string>()),
  ]);
  let timeZone = browserTimeZone();
  let choice = defaultChoice(timeZone);

  const errorSlots = new Map<string, HTMLElement>();
  const field = (name: keyof AttributionModel, label: string, input: HTMLElement, hint: string) => {
    const slot = h("span", { class: "field-error", testid: `error-${name}`, role: "alert" });
    errorSlots.set(name, slot);
    return h(
      "div",
      { class: "field" },
      h("label", { for: `model-${name}` }, label),
      input,
      h("span", { class: "hint" }, hint),
      slot,
    );
  };
  const clickWindow = h("input", {
    id: "model-clickWindowHours",
    testid: "model-clickWindowHours",
    type: "number",
    min: 1,
    max: 2160,
    value: saved.clickWindowHours,
  });
  const countOpens = h("input", {
    id: "model-countOpens",
    testid: "model-countOpens",
    type: "checkbox",
    checked: saved.countOpens,
  });
  const openWindow = h("input", {
    id: "model-openWindowHours",
    testid: "model-openWindowHours",
    type: "number",
    min: 1,
    max: 2160,
    value: saved.openWindowHours,
  });
  const basis = h(
    "select",
    { id: "model-revenueBasis", testid: "model-revenueBasis" },
    h("option", { value: "NET" }, "Net (refunds deducted)"),
    h("option", { value: "GROSS" }, "Gross (as placed)"),
  );
  basis.value = saved.revenueBasis;
  const syncOpenWindow = () => {
    openWindow.disabled = !countOpens.checked;
  };
  countOpens.addEventListener("change", syncOpenWindow);
  syncOpenWindow();

  const savedLine = h("p", { class: "muted", testid: "saved-model" });
  const describeSaved = (model: AttributionModel) =>
    show(
      savedLine,
      `Saved: clicks within ${model.clickWindowHours} h, ${
        model.countOpens ? `opens within ${model.openWindowHours} h` : "opens not counted"
      }, ${model.revenueBasis.toLowerCase()} revenue.`,
    );
  describeSaved(saved);

  const status = h("div", { testid: "attribution-status" });
  const preview = h("div", { testid: "attribution-preview-result" });

  const model = (): Record<string, unknown> => ({
    clickWindowHours: Number(clickWindow.value),
    countOpens: countOpens.checked,
    openWindowHours: Number(openWindow.value),
    revenueBasis: basis.value,
  });

  /** Puts each problem next to its field (by the path's last part); returns the rest. */
  const showProblems = (problems: FieldProblem[]): string[] => {
    for (const slot of errorSlots.values()) show(slot);
    const rest: string[] = [];
    for (const problem of problems) {
      const slot = errorSlots.get(problem.path.at(-1) ?? "");
      if (slot) show(slot, problem.message);
      else rest.push(`${problem.path.join(".")}: ${problem.message}`);
    }
    return rest;
  };

  async function runPreview(current: PeriodChoice) {
    show(status, notice("info", "Computing…"));
    let data: { saved: AttributionResult; preview: AttributionResult };
    try {
      data = await gql(credentials, previewQuery, { period: current.period, model: model() });
    } catch (error) {
      show(status, notice("error", describeFailure(error)));
      return;
    }
    const failed = [data.preview, data.saved].find((r) => r.__typename === "InvalidInputError");
    if (failed?.__typename === "InvalidInputError") {
      const rest = showProblems(failed.problems);
      const text = rest.length > 0 ? [failed.message, ...rest].join("\n") : "See the marked field.";
      show(status, notice("error", text, "attribution-error"));
      return;
    }
    if (
      data.saved.__typename !== "QueryRevenueAttributionSuccess" ||
      data.preview.__typename !== "QueryRevenueAttributionSuccess"
    )
      return;
    showProblems([]);
    if (data.saved.data.timeZone !== timeZone) {
      timeZone = data.saved.data.timeZone;
      const rebased = rebase(current, timeZone);
      if (rebased.period.to !== current.period.to) {
        choice = rebased;
        picker.set(rebased);
        return runPreview(rebased);
      }
    }
    show(status);
    const before = data.saved.data;
    const after = data.preview.data;
    show(
      preview,
      h(
        "table",
        { class: "compare", testid: "attribution-compare" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, ""),
            h("th", { class: "number" }, "Saved model"),
            h("th", {}, ""),
            h("th", { class: "number" }, "Preview"),
          ),
        ),
        h(
          "tbody",
          {},
          metrics.map((metric) => {
            const was = metric.value(before);
            const will = metric.value(after);
            return h(
              "tr",
              {
                testid: "compare-row",
                "data-metric": metric.key,
                class: was === will ? "" : "changed",
              },
              h("th", {}, metric.label),
              h("td", { class: "number", testid: "compare-before" }, was),
              h("td", { class: "arrow" }, "→"),
              h("td", { class: "number", testid: "compare-after" }, will),
            );
          }),
        ),
      ),
    );
  }

  async function save() {
    show(status, notice("info", "Saving…"));
    let outcome:
      | { __typename: "MutationUpdateAttributionModelSuccess"; model: AttributionModel }
      | MutationError;
    try {
      ({ updateAttributionModel: outcome } = await gql<{
        updateAttributionModel: typeof outcome;
      }>(credentials, saveMutation, { input: model() }));
    } catch (error) {
      show(status, notice("error", describeFailure(error)));
      return;
    }
    if (outcome.__typename === "MutationUpdateAttributionModelSuccess") {
      showProblems([]);
      describeSaved(outcome.model);
      await runPreview(choice);
      show(status, notice("info", "Saved. Every report now uses this model.", "attribution-saved"));
      return;
    }
    const error = outcome;
    const rest = error.__typename === "InvalidInputError" ? showProblems(error.problems) : [];
    show(
      status,
      notice(
        "error",
        error.__typename === "InvalidInputError"
          ? rest.length > 0
            ? [error.message, ...rest].join("\n")
            : "Not saved: see the marked field."
          : describeMutationError(error),
        "attribution-error",
      ),
    );
  }

  const picker = periodPicker(
    choice,
    () => timeZone,
    (next) => {
      choice = next;
      void runPreview(next);
    },
    { buckets: false },
  );
  const form = h(
    "form",
    { class: "panel model-form", testid: "attribution-form", novalidate: true },
    h("h2", {}, "Model"),
    h(
      "p",
      { class: "muted", testid: "model-definition" },
      describedText(definitions.get("") ?? ""),
    ),
    field("clickWindowHours", "Click window (hours)", clickWindow, "1–2160; default 120 (5 days)"),
    h(
      "div",
      { class: "field checkbox" },
      countOpens,
      h("label", { for: "model-countOpens" }, "Count opens when there is no click"),
    ),
    field("openWindowHours", "Open window (hours)", openWindow, "1–2160; default 24"),
    field("revenueBasis", "Revenue basis", basis, "Net deducts refunds; a cancelled order is 0"),
    savedLine,
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          testid: "attribution-preview",
          onclick: () => void runPreview(choice),
        },
        "Preview",
      ),
      h("button", { type: "submit", testid: "attribution-save" }, "Save"),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void save();
  });
  show(
    container,
    h(
      "div",
      { class: "page-head" },
      h(
        "div",
        {},
        h("h1", {}, "Attribution"),
        h(
          "p",
          { class: "muted" },
          "How orders are credited to email, and what a change would do to the figures.",
        ),
      ),
      picker.element,
    ),
    h(
      "div",
      { class: "two-columns" },
      form,
      h("section", { class: "panel" }, h("h2", {}, "Before → after"), status, preview),
    ),
  );
  await runPreview(choice);
}
