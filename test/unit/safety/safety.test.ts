import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkWeightChange, checkWeightChanges, describeViolations, safetyInput, type SafetyInput } from '../../../src/core/safety.ts';
import { emptyFleetState, withFailover, withIntent } from '../../../src/core/fleet-document.ts';

const member = (cluster: string, healthy = true, weightPercent = 100, baseWeight = 100) => ({ cluster, healthy, weightPercent, baseWeight });

describe('checkWeightChange', () => {
  it.each([
    ['draining one of two healthy clusters', [member('a'), member('b')], 1, true],
    ['draining the last healthy cluster', [member('a'), member('b', false)], 1, false],
    ['draining one of two with minimum 2', [member('a'), member('b')], 2, false],
    ['draining an unhealthy cluster of a degraded app (count does not drop)', [member('a', false), member('b', false)], 1, true],
    ['draining the only cluster', [member('a')], 1, false],
    ['draining while the other is drained already', [member('a'), member('b', true, 0)], 1, false],
    ['draining while the other has base weight 0', [member('a'), member('b', true, 100, 0)], 1, false],
    ['minimum 0 allows anything', [member('a')], 0, true],
  ])('%s', (_name, members, min, safe) => {
    // Prepare
    const input: SafetyInput = { minHealthyActive: min, apps: [{ hostname: 'shop.example.com', members }] };
    // Act
    const verdict = checkWeightChange(input, { cluster: 'a', weightPercent: 0 });
    // Assess
    expect(verdict.safe).toBe(safe);
  });

  it('a step whose rounded Route 53 weight is 0 takes the cluster out', () => {
    // Prepare
    const input: SafetyInput = { minHealthyActive: 1, apps: [{ hostname: 'shop.example.com', members: [member('a', true, 100, 1), member('b', false)] }] };
    // Act / Assess
    expect(checkWeightChange(input, { cluster: 'a', weightPercent: 50 }).safe).toBe(true);
    expect(checkWeightChange(input, { cluster: 'a', weightPercent: 40 }).safe).toBe(false);
  });

  it('a partial step keeps the cluster active', () => {
    // Prepare
    const input: SafetyInput = { minHealthyActive: 1, apps: [{ hostname: 'shop.example.com', members: [member('a')] }] };
    // Act / Assess
    expect(checkWeightChange(input, { cluster: 'a', weightPercent: 50 }).safe).toBe(true);
  });

  it('names the app, what remains and the minimum', () => {
    // Prepare
    const input: SafetyInput = {
      minHealthyActive: 2,
      apps: [
        { hostname: 'shop.example.com', members: [member('a'), member('b'), member('c', false)] },
        { hostname: 'blog.example.com', members: [member('b'), member('c')] },
      ],
    };
    // Act
    const verdict = checkWeightChange(input, { cluster: 'a', weightPercent: 0 });
    // Assess
    expect(verdict.violations).toEqual([{ hostname: 'shop.example.com', min: 2, before: 2, after: 1, remaining: ['b'] }]);
    expect(describeViolations(verdict.violations)).toBe('shop.example.com would keep 1 healthy active cluster(s) (b), minimum 2');
  });

  it('keeps at least one healthy edge of an edge app, whatever minHealthyActive says, and names the edge tier', () => {
    // Prepare: minHealthyActive 2 holds for the workload tier; the edge tier needs one.
    const input: SafetyInput = {
      minHealthyActive: 2,
      apps: [
        { hostname: 'shop.example.com', tier: 'edge', members: [member('edge-us'), member('edge-eu')] },
        { hostname: 'shop.example.com.mesh.internal', tier: 'workload', members: [member('east'), member('west'), member('eu')] },
      ],
    };
    // Act / Assess
    expect(checkWeightChange(input, { cluster: 'edge-us', weightPercent: 0 }).safe).toBe(true);
    expect(checkWeightChange(input, { cluster: 'east', weightPercent: 0 }).safe).toBe(true);
    const both = checkWeightChanges(input, [
      { cluster: 'edge-us', weightPercent: 0 },
      { cluster: 'edge-eu', weightPercent: 0 },
    ]);
    expect(both.violations).toEqual([{ hostname: 'shop.example.com', tier: 'edge', min: 1, before: 2, after: 0, remaining: [] }]);
    expect(describeViolations(both.violations)).toBe('shop.example.com (edge tier) would keep 0 healthy active edge cluster(s) (none), minimum 1');
    const twoWorkloads = checkWeightChanges(input, [
      { cluster: 'east', weightPercent: 0 },
      { cluster: 'west', weightPercent: 0 },
    ]);
    expect(twoWorkloads.violations.map((v) => [v.hostname, v.tier, v.min])).toEqual([['shop.example.com.mesh.internal', 'workload', 2]]);
  });

  it('ignores apps the cluster does not serve, and other apps when the change is per app', () => {
    // Prepare
    const input: SafetyInput = {
      minHealthyActive: 1,
      apps: [
        { hostname: 'shop.example.com', members: [member('a')] },
        { hostname: 'blog.example.com', members: [member('b')] },
      ],
    };
    // Act / Assess
    expect(checkWeightChange(input, { cluster: 'b', hostname: 'blog.example.com', weightPercent: 100 }).safe).toBe(true);
    expect(checkWeightChange(input, { cluster: 'a', hostname: 'blog.example.com', weightPercent: 0 }).safe).toBe(true);
    expect(checkWeightChange(input, { cluster: 'a', hostname: 'shop.example.com', weightPercent: 0 }).safe).toBe(false);
  });

  it('property: an accepted change never leaves an app that was at or above the minimum below it', () => {
    const arbApp = fc.array(fc.record({ healthy: fc.boolean(), weightPercent: fc.constantFrom(0, 50, 100), baseWeight: fc.constantFrom(0, 1, 100) }), {
      minLength: 1,
      maxLength: 5,
    });
    fc.assert(
      fc.property(
        fc.array(arbApp, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom(0, 50),
        (apps, min, target, pct) => {
          const input: SafetyInput = {
            minHealthyActive: min,
            apps: apps.map((members, i) => ({ hostname: `app${i}.example.com`, members: members.map((m, j) => ({ cluster: `c${j}`, ...m })) })),
          };
          const verdict = checkWeightChanges(input, [{ cluster: `c${target}`, weightPercent: pct }]);
          if (!verdict.safe) return;
          for (const app of input.apps) {
            const count = (ms: typeof app.members) => ms.filter((m) => m.healthy && Math.round((m.baseWeight * m.weightPercent) / 100) > 0).length;
            const before = count(app.members);
            const after = count(app.members.map((m) => (m.cluster === `c${target}` ? { ...m, weightPercent: pct } : m)));
            if (before >= min) expect(after).toBeGreaterThanOrEqual(min);
            expect(after >= min || after >= before).toBe(true);
          }
        },
      ),
    );
  });
});

describe('safetyInput', () => {
  it('combines intents, failover marks, health and routing into members', () => {
    // Prepare
    let state = withIntent(emptyFleetState(), { cluster: 'a', state: 'DRAINING', weightPercent: 50 });
    state = withFailover(state, { cluster: 'b', alarmName: 'x', at: '2026-01-01T00:00:00Z' });
    const catalogue = [
      {
        hostname: 'shop.example.com',
        members: [
          { cluster: 'a', routing: 'weighted' as const, baseWeight: 10 },
          { cluster: 'b', routing: 'weighted' as const, baseWeight: 10 },
        ],
      },
      { hostname: 'solo.example.com', members: [{ cluster: 'c', routing: 'simple' as const, baseWeight: 0 }] },
    ];
    // Act
    const input = safetyInput(state, catalogue, { clusters: { a: 'HEALTHY', b: 'HEALTHY', c: 'UNKNOWN' } }, 1, ['a']);
    // Assess
    expect(input.apps).toEqual([
      {
        hostname: 'shop.example.com',
        members: [
          { cluster: 'a', weightPercent: 50, baseWeight: 10, healthy: true },
          { cluster: 'b', weightPercent: 0, baseWeight: 10, healthy: true },
        ],
      },
    ]);
    expect(safetyInput(state, catalogue, { clusters: { c: 'HEALTHY' } }, 1, ['c']).apps[0]?.members[0]).toEqual({
      cluster: 'c',
      weightPercent: 100,
      baseWeight: 100,
      healthy: true,
    });
  });
});
