import { type Bucket, lastDays, type Period } from "./analytics.ts";
import { h } from "./dom.ts";

const presets = [
  { days: 7, label: "Last 7 days" },
  { days: 30, label: "Last 30 days" },
  { days: 90, label: "Last 90 days" },
  { days: 365, label: "Last 12 months" },
] as const;

const buckets: { value: Bucket; label: string }[] = [
  { value: "DAY", label: "Daily" },
  { value: "WEEK", label: "Weekly" },
  { value: "MONTH", label: "Monthly" },
];

/** A period picker's state: a preset (days back from the shop's today) or custom dates. */
export interface PeriodChoice {
  preset: number | "custom";
  period: Period;
}

/** The default: the last 30 days, by day, in the shop's time zone. */
export function defaultChoice(timeZone: string): PeriodChoice {
  return { preset: 30, period: lastDays(30, timeZone, "DAY") };
}

/** Moves a preset to the shop's today in `timeZone`; custom dates stay as they are. */
export function rebase(choice: PeriodChoice, timeZone: string): PeriodChoice {
  if (choice.preset === "custom") return choice;
  return { ...choice, period: lastDays(choice.preset, timeZone, choice.period.bucket) };
}

/**
 * A preset select, from/to date inputs and a bucket select (left out with `buckets: false`).
 * `onChange` gets the new choice; `timeZone()` names the shop's time zone presets count back in.
 */
export function periodPicker(
  initial: PeriodChoice,
  timeZone: () => string,
  onChange: (choice: PeriodChoice) => void,
  options: { buckets?: boolean } = {},
): { element: HTMLElement; set(choice: PeriodChoice): void } {
  let choice = initial;
  const preset = h(
    "select",
    { testid: "period-preset", "aria-label": "Period" },
    presets.map((p) => h("option", { value: String(p.days) }, p.label)),
    h("option", { value: "custom" }, "Custom"),
  );
  const from = h("input", { type: "date", testid: "period-from", "aria-label": "From" });
  const to = h("input", { type: "date", testid: "period-to", "aria-label": "To" });
  const bucket = h(
    "select",
    { testid: "period-bucket", "aria-label": "Bucket" },
    buckets.map((b) => h("option", { value: b.value }, b.label)),
  );
  const set = (next: PeriodChoice) => {
    choice = next;
    preset.value = String(next.preset);
    from.value = next.period.from;
    to.value = next.period.to;
    bucket.value = next.period.bucket;
  };
  const changed = (next: PeriodChoice) => {
    set(next);
    onChange(next);
  };
  preset.addEventListener("change", () => {
    const days = preset.value === "custom" ? "custom" : Number(preset.value);
    changed(
      days === "custom"
        ? { ...choice, preset: "custom" }
        : { preset: days, period: lastDays(days, timeZone(), choice.period.bucket) },
    );
  });
  const datesChanged = () => {
    if (!from.value || !to.value) return;
    changed({ preset: "custom", period: { ...choice.period, from: from.value, to: to.value } });
  };
  from.addEventListener("change", datesChanged);
  to.addEventListener("change", datesChanged);
  bucket.addEventListener("change", () =>
    changed({ ...choice, period: { ...choice.period, bucket: bucket.value as Bucket } }),
  );
  set(initial);
  const element = h(
    "div",
    { class: "period-picker", testid: "period-picker" },
    preset,
    h("span", { class: "date-range" }, from, h("span", { class: "muted" }, "–"), to),
    options.buckets === false ? null : bucket,
  );
  return { element, set };
}
