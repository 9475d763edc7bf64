// Property test: safetyInput and checkWeightChanges, which count in place and read each
// cluster's intent once (docs/benchmarks.md, the 10,000-app drain), give what the simple
// per-member computation gives, field for field. fast-check prints the seed and the shrunk
// counterexample on failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveWeightPercent, emptyFleetState, withFailover, withIntent, type FleetState } from '../../../src/core/fleet-document.ts';
import {
  checkWeightChanges,
  isHealthy,
  minimumOf,
  safetyInput,
  type CatalogueApp,
  type HealthView,
  type SafetyInput,
  type SafetyMember,
  type Violation,
  type WeightChange,
} from '../../../src/core/safety.ts';

const CLUSTERS = ['east', 'west', 'edge'] as const;
const HOSTNAMES = ['a.example.com', 'b.example.com', 'c.example.com'] as const;

/** The computation safetyInput replaced: every member looked up on its own. */
function simpleSafetyInput(state: FleetState, catalogue: readonly CatalogueApp[], health: HealthView, min: number, clusters?: readonly string[]): SafetyInput {
  const apps = catalogue
    .filter((app) => !clusters || app.members.some((m) => clusters.includes(m.cluster)))
    .map((app) => ({
      hostname: app.hostname,
      ...(app.tier === undefined ? {} : { tier: app.tier }),
      members: app.members.map((m) => ({
        cluster: m.cluster,
        weightPercent: effectiveWeightPercent(state, m.cluster, app.hostname),
        baseWeight: m.routing === 'weighted' ? m.baseWeight : 100,
        healthy: isHealthy(health, m.cluster, app.hostname),
      })),
    }));
  return { minHealthyActive: min, apps };
}

const serving = (members: readonly SafetyMember[]) =>
  members.filter((m) => Math.round((m.baseWeight * m.weightPercent) / 100) > 0 && m.healthy).map((m) => m.cluster);

/** The computation checkWeightChanges replaced: a copy of each touched app's members. */
function simpleCheck(input: SafetyInput, changes: readonly WeightChange[]): { safe: boolean; violations: Violation[] } {
  const violations: Violation[] = [];
  for (const app of input.apps) {
    const touched = changes.filter((c) => (c.hostname === undefined || c.hostname === app.hostname) && app.members.some((m) => m.cluster === c.cluster));
    if (touched.length === 0) continue;
    const after = app.members.map((member) => {
      const change = touched.find((c) => c.cluster === member.cluster);
      return change ? { ...member, weightPercent: change.weightPercent } : member;
    });
    const beforeCount = serving(app.members).length;
    const remaining = serving(after);
    const min = minimumOf(input, app);
    if (remaining.length < min && remaining.length < beforeCount) {
      violations.push({
        hostname: app.hostname,
        ...(app.tier === undefined ? {} : { tier: app.tier }),
        min,
        before: beforeCount,
        after: remaining.length,
        remaining,
      });
    }
  }
  return { safe: violations.length === 0, violations };
}

const cluster = fc.constantFrom(...CLUSTERS);
const hostname = fc.constantFrom(...HOSTNAMES);
const catalogue: fc.Arbitrary<CatalogueApp[]> = fc.array(
  fc.record(
    {
      hostname,
      tier: fc.constantFrom('edge' as const, 'workload' as const),
      members: fc.array(
        fc.record({
          cluster,
          routing: fc.constantFrom('weighted' as const, 'failover' as const, 'latency' as const),
          baseWeight: fc.integer({ min: 0, max: 255 }),
        }),
        { maxLength: 4 },
      ),
    },
    { requiredKeys: ['hostname', 'members'] },
  ),
  { maxLength: 6 },
);
const healthState = fc.constantFrom('HEALTHY' as const, 'UNHEALTHY' as const, 'UNKNOWN' as const);
const health: fc.Arbitrary<HealthView> = fc.record(
  {
    clusters: fc.dictionary(cluster, healthState),
    apps: fc.dictionary(
      fc.tuple(cluster, hostname).map(([c, h]) => `${c}|${h}`),
      healthState,
    ),
  },
  { requiredKeys: ['clusters'] },
);
const state: fc.Arbitrary<FleetState> = fc
  .tuple(
    fc.array(fc.tuple(cluster, fc.integer({ min: 0, max: 100 })), { maxLength: 3 }),
    fc.array(fc.tuple(cluster, fc.option(hostname, { nil: undefined })), { maxLength: 3 }),
  )
  .map(([intents, marks]) => {
    let s = emptyFleetState();
    for (const [c, weightPercent] of intents) s = withIntent(s, { cluster: c, state: 'DRAINING', weightPercent });
    for (const [c, h] of marks)
      s = withFailover(s, { cluster: c, ...(h === undefined ? {} : { hostname: h }), alarmName: `alarm-${c}`, at: '2026-01-01T00:00:00.000Z' });
    return s;
  });
const changes = fc.array(
  fc.record({ cluster, hostname: hostname, weightPercent: fc.integer({ min: 0, max: 100 }) }, { requiredKeys: ['cluster', 'weightPercent'] }),
  { maxLength: 3 },
);

describe('safety speed-ups', () => {
  it('safetyInput equals the per-member computation (intents, failover marks, per-app health)', () => {
    fc.assert(
      fc.property(
        state,
        catalogue,
        health,
        fc.integer({ min: 0, max: 3 }),
        fc.option(fc.subarray([...CLUSTERS]), { nil: undefined }),
        (s, cat, h, min, only) => {
          expect(JSON.stringify(safetyInput(s, cat, h, min, only))).toBe(JSON.stringify(simpleSafetyInput(s, cat, h, min, only)));
        },
      ),
    );
  });

  it('checkWeightChanges gives the same verdict and violations as the copying computation', () => {
    fc.assert(
      fc.property(state, catalogue, health, fc.integer({ min: 0, max: 3 }), changes, (s, cat, h, min, wanted) => {
        const input = simpleSafetyInput(s, cat, h, min);
        expect(JSON.stringify(checkWeightChanges(input, wanted))).toBe(JSON.stringify(simpleCheck(input, wanted)));
      }),
    );
  });
});
