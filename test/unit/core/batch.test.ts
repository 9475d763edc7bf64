import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchChanges, changeCost, groupCost, requestChanges } from '../../../src/core/batch.ts';
import type { Change, ChangeGroup } from '../../../src/core/model.ts';
import { alias, LB, NLB_ZONE } from './dns-fixtures.ts';

function txtGroup(name: string, values: number, valueLength = 10, action: Change['action'] = 'CREATE'): ChangeGroup {
  const v = Array.from({ length: values }, (_, i) => `"${String(i).padStart(valueLength - 2, '0')}"`);
  return { name, changes: [{ action, recordSet: { name, type: 'TXT', ttl: 60, values: v } }] };
}

describe('changeCost', () => {
  it('counts values, their characters, and UPSERT twice; an alias as one element', () => {
    expect(changeCost({ action: 'CREATE', recordSet: { name: 'a.', type: 'TXT', ttl: 1, values: ['"ab"', '"c"'] } })).toEqual({ records: 2, chars: 7 });
    expect(changeCost({ action: 'UPSERT', recordSet: { name: 'a.', type: 'TXT', ttl: 1, values: ['"ab"', '"c"'] } })).toEqual({ records: 4, chars: 14 });
    expect(changeCost({ action: 'DELETE', recordSet: alias('a.', LB.east, NLB_ZONE.east) })).toEqual({ records: 1, chars: 0 });
  });
});

describe('batchChanges', () => {
  it('fills requests greedily in order without splitting a group', () => {
    const groups = [txtGroup('a.', 400), txtGroup('b.', 400), txtGroup('c.', 400)];
    const { requests, oversized } = batchChanges('Z1', groups);
    expect(oversized).toEqual([]);
    expect(requests.map((r) => r.groups.map((g) => g.name))).toEqual([['a.', 'b.'], ['c.']]);
    expect(requests.every((r) => r.zoneId === 'Z1')).toBe(true);
  });

  it('counts UPSERT twice against the element limit', () => {
    const { requests } = batchChanges('Z1', [txtGroup('a.', 300, 10, 'UPSERT'), txtGroup('b.', 300, 10, 'UPSERT')]);
    expect(requests).toHaveLength(2);
  });

  it('respects the value-character limit', () => {
    const { requests } = batchChanges('Z1', [txtGroup('a.', 100, 200), txtGroup('b.', 100, 200)]);
    expect(requests.map((r) => r.groups.length)).toEqual([1, 1]);
  });

  it('reports a group that alone exceeds a limit, skips it, and sends the rest', () => {
    const { requests, oversized } = batchChanges('Z1', [txtGroup('a.', 10), txtGroup('big.example.com.', 1001), txtGroup('c.', 10)]);
    expect(oversized).toHaveLength(1);
    expect(oversized[0]?.reason).toMatch(/big.example.com in zone Z1 need 1001 ResourceRecord elements/);
    expect(requests.flatMap((r) => r.groups.map((g) => g.name))).toEqual(['a.', 'c.']);
  });

  it('never exceeds a limit, keeps every fitting group once and in order (property)', () => {
    const group = fc.record({
      values: fc.integer({ min: 1, max: 40 }),
      length: fc.integer({ min: 3, max: 300 }),
      action: fc.constantFrom<Change['action']>('CREATE', 'UPSERT', 'DELETE'),
    });
    fc.assert(
      fc.property(
        fc.array(group, { maxLength: 60 }),
        fc.integer({ min: 20, max: 200 }),
        fc.integer({ min: 500, max: 8000 }),
        (specs, maxRecords, maxValueChars) => {
          const groups = specs.map((s, i) => txtGroup(`g${i}.`, s.values, s.length, s.action));
          const limits = { maxRecords, maxValueChars };
          const { requests, oversized } = batchChanges('Z1', groups, limits);
          for (const request of requests) {
            const cost = request.groups.map(groupCost).reduce((a, b) => ({ records: a.records + b.records, chars: a.chars + b.chars }));
            expect(cost.records).toBeLessThanOrEqual(maxRecords);
            expect(cost.chars).toBeLessThanOrEqual(maxValueChars);
            expect(requestChanges(request).length).toBeGreaterThan(0);
          }
          const fitting = groups.filter((g) => groupCost(g).records <= maxRecords && groupCost(g).chars <= maxValueChars);
          expect(requests.flatMap((r) => r.groups)).toEqual(fitting);
          expect(oversized).toHaveLength(groups.length - fitting.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
