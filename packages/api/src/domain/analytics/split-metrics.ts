import type { SplitMetric } from "../scenarios/definition/definition.ts";
import { probabilityToBeBest } from "./probability-best.ts";
import { probabilityToBeBestByMean } from "./probability-best-mean.ts";

/** One branch's outcome as an experiment reads it. */
export interface BranchOutcome {
  branch: string;
  runs: number;
  /** Runs that were sent a marketing mail after the split that did not bounce. */
  recipients: number;
  opened: number;
  clicked: number;
  converted: number;
  /** The recipients' revenue within the window, and each buyer's among them. */
  recipientRevenue: bigint;
  recipientRevenues: number[];
}

/** The units a metric is a rate or mean over: runs for conversion, recipients otherwise. */
export function metricUnits(outcome: BranchOutcome, metric: SplitMetric): number {
  return metric === "conversion" ? outcome.runs : outcome.recipients;
}

/**
 * A branch's figure on the metric: conversion rate over runs, human open or click rate over
 * recipients, or revenue per recipient (minor units); null without units.
 */
export function metricValue(outcome: BranchOutcome, metric: SplitMetric): number | null {
  const units = metricUnits(outcome, metric);
  if (units === 0) return null;
  switch (metric) {
    case "conversion":
      return outcome.converted / units;
    case "open_rate":
      return outcome.opened / units;
    case "click_rate":
      return outcome.clicked / units;
    case "revenue_per_recipient":
      return Number(outcome.recipientRevenue) / units;
  }
}

/**
 * Each branch's probability to be best on the metric among the branches that have units (null
 * for one without): Beta posteriors for the rates, the Bayesian bootstrap for revenue per
 * recipient (see `probabilityToBeBestByMean`).
 */
export function metricProbabilities(
  outcomes: BranchOutcome[],
  metric: SplitMetric,
): (number | null)[] {
  const contested = outcomes.flatMap((outcome, index) =>
    metricUnits(outcome, metric) > 0 ? [index] : [],
  );
  const picked = contested.map((index) => outcomes[index] as BranchOutcome);
  const chances =
    metric === "revenue_per_recipient"
      ? probabilityToBeBestByMean(
          picked.map((o) => ({ units: o.recipients, nonZero: o.recipientRevenues })),
        )
      : probabilityToBeBest(
          picked.map((o) => ({
            units: metricUnits(o, metric),
            converted:
              metric === "conversion" ? o.converted : metric === "open_rate" ? o.opened : o.clicked,
          })),
        );
  const byIndex = new Map(contested.map((index, position) => [index, chances[position] ?? 0]));
  return outcomes.map((_, index) => byIndex.get(index) ?? null);
}
