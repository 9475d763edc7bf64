import { describe, expect, it } from 'vitest';
import { median, percentile } from '../../../bench/lib/stats.ts';

describe('bench statistics', () => {
  it('takes the middle of an odd count and the upper middle of an even one, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(3);
    expect(median([7])).toBe(7);
  });

  it('leaves its input as it was', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('reads a percentile from the sorted values, the largest for p = 1', () => {
    const values = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(percentile(values, 0.95)).toBe(20);
    expect(percentile(values, 0.5)).toBe(11);
    expect(percentile(values, 1)).toBe(20);
    expect(percentile(values, 0)).toBe(1);
  });

  it('has no median of nothing (NaN, not a made-up 0)', () => {
    expect(median([])).toBeNaN();
  });
});
