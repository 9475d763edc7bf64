// Small statistics the benchmarks share.

/** The value at fraction `p` (0–1) of the sorted values (the upper middle for the median of an even count); NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  return [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
}

/** The middle value (the upper one of the two middles for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}
