import { sampleGamma, sampleNormal, seededRandom } from "./random-draws.ts";

/** Draws of the Bayesian bootstrap (each costs one gamma draw per buyer, so fewer). */
export const bootstrapDraws = 4_000;
/** More buyers than this in all arms and the normal approximation stands in for the bootstrap. */
export const bootstrapBuyerLimit = 1_000;

/** One arm of a mean comparison: its units and the non-zero values among them. */
export interface MeanArm {
  units: number;
  /** The values of the units that are not 0 (a buyer's revenue); the other units are 0. */
  nonZero: number[];
}

/**
 * The probability that each arm has the highest mean value per unit (revenue per recipient),
 * by the Bayesian bootstrap (Rubin 1981): each draw weighs an arm's units with Dirichlet(1, …, 1)
 * weights, independent gamma(1) draws normalised, and takes the weighted mean. Revenue per
 * recipient is mostly zeros with a long tail, which a Beta posterior cannot describe and a
 * normal approximation describes badly for small samples; the bootstrap makes no shape
 * assumption. The zero units only matter through their summed weight, a single gamma(zeros)
 * draw, so a draw costs one gamma per buyer rather than per recipient. Past
 * `bootstrapBuyerLimit` buyers in all, where the bootstrap gets slow and the central limit
 * theorem has taken over, each arm's mean is drawn from a normal with its sample mean and
 * standard error instead. Ties (two arms with no buyers) share the draw. Seeded from the
 * values: the same figures give the same answer.
 *
 * @example probabilityToBeBestByMean([{ units: 100, nonZero: [5000, 4000] }, { units: 100, nonZero: [] }]) // [1, 0]
 */
export function probabilityToBeBestByMean(arms: MeanArm[]): number[] {
  if (arms.length === 0) return [];
  const random = seededRandom(
    arms.reduce(
      (h, arm) =>
        arm.nonZero.reduce((g, v) => (g * 31 + Math.round(v)) >>> 0, (h * 17 + arm.units) >>> 0),
      0xb007,
    ),
  );
  const buyers = arms.reduce((sum, arm) => sum + arm.nonZero.length, 0);
  const normal = buyers > bootstrapBuyerLimit ? arms.map(meanAndError) : null;
  const wins = arms.map(() => 0);
  for (let draw = 0; draw < bootstrapDraws; draw++) {
    const means = arms.map((arm, index) => {
      if (arm.units === 0) return Number.NEGATIVE_INFINITY;
      const approximation = normal?.[index];
      if (approximation) {
        return approximation.mean + approximation.error * sampleNormal(random);
      }
      const zeros = arm.units - arm.nonZero.length;
      let weight = zeros > 0 ? sampleGamma(zeros, random) : 0;
      let total = 0;
      for (const value of arm.nonZero) {
        const w = -Math.log(1 - random());
        weight += w;
        total += w * value;
      }
      return total / weight;
    });
    const top = Math.max(...means);
    const leaders = means.flatMap((mean, index) => (mean === top ? [index] : []));
    for (const index of leaders) wins[index] = (wins[index] ?? 0) + 1 / leaders.length;
  }
  return wins.map((count) => count / bootstrapDraws);
}

/** An arm's mean per unit and its standard error (the sample variance over the units). */
function meanAndError(arm: MeanArm): { mean: number; error: number } {
  const sum = arm.nonZero.reduce((total, value) => total + value, 0);
  const squares = arm.nonZero.reduce((total, value) => total + value * value, 0);
  const mean = sum / arm.units;
  const variance =
    arm.units < 2 ? 0 : Math.max(0, (squares - arm.units * mean * mean) / (arm.units - 1));
  return { mean, error: Math.sqrt(variance / arm.units) };
}
