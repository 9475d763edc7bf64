import { describe, expect, it } from 'vitest';
import { GROWTH_SLACK, growthSteps, growthTarget } from '../../../bench/lib/growth.ts';

describe('the bench growth rule (value ratio ≤ 1.5 × size ratio between consecutive sizes)', () => {
  it('passes linear growth and growth slower than linear (a fixed cost)', () => {
    expect(
      growthTarget('t', [
        { size: 1000, value: 1 },
        { size: 10_000, value: 10 },
        { size: 100_000, value: 100 },
      ]).pass,
    ).toBe(true);
    expect(
      growthTarget('t', [
        { size: 1000, value: 5 },
        { size: 10_000, value: 6 },
        { size: 100_000, value: 15 },
      ]).pass,
    ).toBe(true);
  });

  it('fails when one step grows faster than the slack allows, and says which', () => {
    const target = growthTarget('t', [
      { size: 100_000, value: 200 },
      { size: 1000, value: 1 },
      { size: 10_000, value: 10 },
    ]);
    expect(target.pass).toBe(false);
    expect(target.actual).toBe(2);
    expect(target.steps.map((s) => [s.from, s.to, s.growth])).toEqual([
      [1000, 10_000, 1],
      [10_000, 100_000, 2],
    ]);
    expect(target.target).toBe(`≤ ${GROWTH_SLACK}`);
  });

  it('passes exactly at the slack and fails just above it', () => {
    expect(
      growthTarget('t', [
        { size: 10, value: 1 },
        { size: 20, value: 3 },
      ]).pass,
    ).toBe(true);
    expect(
      growthTarget('t', [
        { size: 10, value: 1 },
        { size: 20, value: 3.01 },
      ]).pass,
    ).toBe(false);
  });

  it('refuses sizes or values it cannot compare', () => {
    expect(() =>
      growthSteps([
        { size: 10, value: 1 },
        { size: 10, value: 2 },
      ]),
    ).toThrow(/distinct/);
    expect(() =>
      growthSteps([
        { size: 10, value: 0 },
        { size: 20, value: 2 },
      ]),
    ).toThrow(/positive/);
  });
});
