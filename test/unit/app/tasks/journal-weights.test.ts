import { describe, expect, it } from 'vitest';
import { journalWeights } from '../../../../src/app/tasks/operations.ts';
import { MAX_JOURNAL_APPS } from '../../../../src/app/tasks/view.ts';

const app = (i: number) => ({
  hostname: `app-${i}.example.com`,
  cluster: 'east',
  routing: 'weighted' as const,
  weightBefore: 100,
  weightAfter: 0,
  before: { present: true, inTraffic: true, weight: 100 },
  after: { present: true, inTraffic: false, weight: 0 },
});

describe('journalWeights', () => {
  it("lists every app's record when there are at most MAX_JOURNAL_APPS", () => {
    // Act
    const side = journalWeights([app(1), app(2)], 'after');
    // Assess
    expect(side).toEqual({
      weights: [expect.objectContaining({ hostname: 'app-1.example.com', weight: 0 }), expect.objectContaining({ hostname: 'app-2.example.com', weight: 0 })],
    });
  });

  it('lists the first MAX_JOURNAL_APPS and counts the rest, so a 3,000-app step stays far under DynamoDB’s 400 KB item limit', () => {
    // Act
    const side = journalWeights(
      Array.from({ length: 3000 }, (_, i) => app(i)),
      'before',
    );
    // Assess
    expect(side.weights).toHaveLength(MAX_JOURNAL_APPS);
    expect(side.weights[0]).toMatchObject({ hostname: 'app-0.example.com', weight: 100 });
    expect(side.appsNotListed).toBe(3000 - MAX_JOURNAL_APPS);
    expect(JSON.stringify(side).length).toBeLessThan(40_000);
  });
});
