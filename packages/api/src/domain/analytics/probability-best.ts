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

/** Draws of the Bayesian bootstrap (each costs one gamma draw per buyer, so fewer). */
export const bootstrapDraws = 4_000;

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
 * draw, so a draw costs one gamma per buyer rather than per recipient. Ties (two arms with no
 * buyers) share the draw. Seeded from the values: the same figures give the same answer.
 *
 * @example probabilityToBeBestByMean([{ units: 100, nonZero: [5000, 4000] }, { units: 100, nonZero: [] }]) // ≈ [0.98, 0.02]
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
  const wins = arms.map(() => 0);
  for (let draw = 0; draw < bootstrapDraws; draw++) {
    const means = arms.map((arm) => {
      if (arm.units === 0) return Number.NEGATIVE_INFINITY;
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

function sampleBeta(alpha: number, beta: number, random: () => number): number {
  const x = sampleGamma(alpha, random);
  const y = sampleGamma(beta, random);
  return x / (x + y);
}

/** Marsaglia and Tsang's method, for shape ≥ 1 (our shapes always are: counts plus one, or counts). */
function sampleGamma(shape: number, random: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
      return d * v;
    }
  }
}

function sampleNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** mulberry32: a small, fast, seeded generator (statistical use only, not cryptographic). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
