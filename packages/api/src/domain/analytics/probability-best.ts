import { sampleBeta, seededRandom } from "./random-draws.ts";

/** Draws used to estimate the probability that each branch is best. */
export const probabilityDraws = 20_000;

/**
 * The probability that each arm has the highest conversion rate, under a Beta(1 + converted,
 * 1 + units − converted) posterior per arm, estimated by Monte Carlo with a fixed seed: the
 * same counts always give the same answer.
 *
 * @example probabilityToBeBest([{ units: 1000, converted: 50 }, { units: 1000, converted: 70 }]) // ≈ [0.03, 0.97]
 */
export function probabilityToBeBest(arms: { units: number; converted: number }[]): number[] {
  if (arms.length === 0) return [];
  const random = seededRandom(
    0x5eed ^ arms.reduce((h, a) => h * 31 + a.units * 7 + a.converted, 17),
  );
  const wins = arms.map(() => 0);
  for (let draw = 0; draw < probabilityDraws; draw++) {
    let best = -1;
    let bestValue = -1;
    arms.forEach((arm, index) => {
      const value = sampleBeta(1 + arm.converted, 1 + arm.units - arm.converted, random);
      if (value > bestValue) {
        bestValue = value;
        best = index;
      }
    });
    wins[best] = (wins[best] ?? 0) + 1;
  }
  return wins.map((count) => count / probabilityDraws);
}
