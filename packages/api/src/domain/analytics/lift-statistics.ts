/** What happened to one group of a comparison: units (runs or contacts) and their orders. */
export interface GroupOutcome {
  units: number;
  /** Units with at least one order. */
  converted: number;
  /** Revenue of the units' orders, minor units. */
  revenue: bigint;
  /** The sum over units of each unit's revenue squared (minor units²), for the variance. */
  revenueSquares: number;
}

export interface GroupFigures extends GroupOutcome {
  conversionRate: number | null;
  revenuePerUnit: number | null;
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export type LiftVerdict = "LIFT" | "DROP" | "NO_DIFFERENCE_DETECTED" | "TOO_FEW_CONTACTS";

export interface LiftComparison {
  treated: GroupFigures;
  heldOut: GroupFigures;
  /** Treated minus held-out conversion rate (absolute, 0–1), with its 95 % interval. */
  conversionLift: Interval | null;
  /** (revenue per treated unit − per held-out unit) × treated units, minor units, 95 % interval. */
  incrementalRevenue: Interval | null;
  /** Revenue per treated unit − per held-out unit, minor units, 95 % interval. */
  incrementalRevenuePerUnit: Interval | null;
  /** The smallest conversion difference (absolute) these group sizes detect at 80 % power, α = 0.05. */
  minimumDetectableEffect: number | null;
  verdict: LiftVerdict;
  /** Plain words for a marketer when the figures cannot tell. */
  warning: string | null;
}

/** Fewer units than this in either group and nothing is concluded. */
export const minimumGroupSize = 30;
const z95 = 1.959964;
const z80 = 0.841621;

/**
 * Compares treated and held-out groups with normal approximations: the difference of
 * conversion proportions and of mean revenue per unit (Welch's standard error), each with a
 * 95 % interval. The verdict reads the revenue interval: LIFT when it lies above zero, DROP
 * below, otherwise no difference detected; TOO_FEW_CONTACTS under `minimumGroupSize`.
 */
export function compareGroups(treated: GroupOutcome, heldOut: GroupOutcome): LiftComparison {
  const t = figures(treated);
  const h = figures(heldOut);
  const base = { treated: t, heldOut: h };
  if (treated.units === 0 || heldOut.units === 0) {
    return {
      ...base,
      conversionLift: null,
      incrementalRevenue: null,
      incrementalRevenuePerUnit: null,
      minimumDetectableEffect: null,
      verdict: "TOO_FEW_CONTACTS",
      warning:
        heldOut.units === 0
          ? "Nobody was held out in this period: set a holdout to measure what the mail adds."
          : "Nobody was mailed in this period.",
    };
  }
  const pt = treated.converted / treated.units;
  const ph = heldOut.converted / heldOut.units;
  const conversionSe = Math.sqrt((pt * (1 - pt)) / treated.units + (ph * (1 - ph)) / heldOut.units);
  const conversionLift = interval(pt - ph, conversionSe);

  const mt = Number(treated.revenue) / treated.units;
  const mh = Number(heldOut.revenue) / heldOut.units;
  const revenueSe = Math.sqrt(
    variance(treated) / treated.units + variance(heldOut) / heldOut.units,
  );
  const perUnit = interval(mt - mh, revenueSe);
  const incrementalRevenue = {
    estimate: perUnit.estimate * treated.units,
    low: perUnit.low * treated.units,
    high: perUnit.high * treated.units,
  };

  const pooled = (treated.converted + heldOut.converted) / (treated.units + heldOut.units);
  const minimumDetectableEffect =
    (z95 + z80) * Math.sqrt(pooled * (1 - pooled) * (1 / treated.units + 1 / heldOut.units));

  const tooFew = Math.min(treated.units, heldOut.units) < minimumGroupSize;
  const verdict: LiftVerdict = tooFew
    ? "TOO_FEW_CONTACTS"
    : perUnit.low > 0
      ? "LIFT"
      : perUnit.high < 0
        ? "DROP"
        : "NO_DIFFERENCE_DETECTED";
  const points = (share: number) => `${(share * 100).toFixed(1)} points`;
  const warning = tooFew
    ? `Too few contacts to tell: ${treated.units} mailed and ${heldOut.units} held out; each group needs at least ${minimumGroupSize}.`
    : verdict === "NO_DIFFERENCE_DETECTED"
      ? `No difference detected. With these group sizes only a conversion difference above ${points(minimumDetectableEffect)} would show; keep the holdout running or make it larger.`
      : null;
  return {
    ...base,
    conversionLift,
    incrementalRevenue,
    incrementalRevenuePerUnit: perUnit,
    minimumDetectableEffect,
    verdict,
    warning,
  };
}

function figures(group: GroupOutcome): GroupFigures {
  return {
    ...group,
    conversionRate: group.units === 0 ? null : group.converted / group.units,
    revenuePerUnit: group.units === 0 ? null : Number(group.revenue) / group.units,
  };
}

/** The sample variance of per-unit revenue, 0 for a single unit. */
function variance(group: GroupOutcome): number {
  if (group.units < 2) return 0;
  const mean = Number(group.revenue) / group.units;
  return Math.max(0, (group.revenueSquares - group.units * mean * mean) / (group.units - 1));
}

function interval(estimate: number, standardError: number): Interval {
  return { estimate, low: estimate - z95 * standardError, high: estimate + z95 * standardError };
}
