// "Cost grows as it should": a figure measured at several sizes fails when it grows
// faster than linearly. Rule (docs/benchmarks.md): between each two consecutive sizes,
// value ratio ≤ GROWTH_SLACK × size ratio. A fixed cost makes the small sizes dear and
// the ratios small, so only a super-linear part can fail it; the slack absorbs the noise
// of a shared machine (and the n·log n of a sort, 1.2× over a tenfold size at 10k).
export const GROWTH_SLACK = 1.5;

export interface SizePoint {
  size: number;
  value: number;
}

export interface GrowthStep {
  from: number;
  to: number;
  sizeRatio: number;
  valueRatio: number;
  /** valueRatio / sizeRatio: 1 is linear. */
  growth: number;
}

/** The ratio of each consecutive pair of sizes (sorted by size). */
export function growthSteps(points: readonly SizePoint[]): GrowthStep[] {
  const sorted = [...points].sort((a, b) => a.size - b.size);
  const steps: GrowthStep[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (!(a.size > 0 && b.size > a.size)) throw new Error(`growth: sizes must be positive and distinct (${a.size}, ${b.size})`);
    if (!(a.value > 0 && b.value >= 0)) throw new Error(`growth: the value at ${a.size} must be positive to compare (${a.value})`);
    const sizeRatio = b.size / a.size;
    const valueRatio = b.value / a.value;
    steps.push({ from: a.size, to: b.size, sizeRatio: round(sizeRatio), valueRatio: round(valueRatio), growth: round(valueRatio / sizeRatio) });
  }
  return steps;
}

/**
 * A bench target that passes when no step grows faster than GROWTH_SLACK × linear;
 * `actual` is the largest growth, `steps` every ratio.
 */
export function growthTarget(name: string, points: readonly SizePoint[]): { name: string; target: string; actual: number; pass: boolean; steps: GrowthStep[] } {
  const steps = growthSteps(points);
  const actual = Math.max(...steps.map((step) => step.growth));
  const sizes = [...points].map((p) => p.size).sort((a, b) => a - b);
  return {
    name: `${name} at ${sizes.join(' / ')}: largest growth between sizes (value ratio ÷ size ratio)`,
    target: `≤ ${GROWTH_SLACK}`,
    actual,
    pass: actual <= GROWTH_SLACK,
    steps,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
