import { describe, expect, it } from 'vitest';
import { appsOfCluster, catalogueApps, clusterWeights } from '../../../src/core/catalogue.ts';
import { specifyOperation, remainingSteps, validateSteps } from '../../../src/core/operation-spec.ts';
import { outEvent, OUT_DETAIL_TYPES } from '../../../src/core/events.ts';
import { alarmTarget, decideTakeOut, reexamineAlarms, type RecordedAlarm } from '../../../src/core/failover.ts';
import { effectiveWeightPercent, emptyFleetState, withFailover, withIntent, type FleetState } from '../../../src/core/fleet-document.ts';
import { isHealthy, type HealthView } from '../../../src/core/safety.ts';
import fc from 'fast-check';
import { exampleEndpoints, exampleFleet } from '../aws/helpers/example-fleet.ts';

const execution = { id: 'arn:aws:states:us-east-1:1:execution:sm:x', name: 'x', startTime: '2026-11-27T10:00:00.000Z' };
const base = { fleet: exampleFleet, cluster: 'east', reason: 'r', by: 'me', ttlSeconds: 60, execution };

describe('specifyOperation', () => {
  it('resolves the fleet defaults and computes the wait (TTL + bake)', () => {
    // Act
    const plan = specifyOperation({ ...base, operation: 'drain', currentPercent: 100 });
    // Assess
    expect(plan).toMatchObject({
      operation: 'drain',
      drainSteps: [50, 0],
      restoreSteps: [],
      bakeSeconds: 60,
      waitSeconds: 120,
      noop: false,
      holder: 'x',
      journalPrefix: '2026-11-27T10:00:00.000Z#x',
    });
    // The apps are not carried: every task reads them from the catalogue (a list of 10,000 would pass Step Functions' 256 KiB state limit).
    expect(plan).not.toHaveProperty('apps');
  });

  it('skips steps already done and is a no-op when nothing is left', () => {
    expect(specifyOperation({ ...base, operation: 'drain', currentPercent: 50, drainSteps: [75, 50, 0] }).drainSteps).toEqual([0]);
    expect(specifyOperation({ ...base, operation: 'drain', currentPercent: 0 }).noop).toBe(true);
    expect(specifyOperation({ ...base, operation: 'restore', currentPercent: 100 }).noop).toBe(true);
  });

  it('plans an upgrade to restore from 0 only when asked', () => {
    const upgrade = { eksClusterName: 'e', updateId: 'u', region: 'us-east-1', pollSeconds: 60, maxPolls: 10 };
    expect(specifyOperation({ ...base, operation: 'upgrade', currentPercent: 100, upgrade: { ...upgrade, restoreAfter: true } })).toMatchObject({
      drainSteps: [50, 0],
      restoreSteps: [50, 100],
      noop: false,
    });
    expect(specifyOperation({ ...base, operation: 'upgrade', currentPercent: 0, upgrade: { ...upgrade, restoreAfter: false } })).toMatchObject({
      drainSteps: [],
      restoreSteps: [],
      noop: false,
    });
  });

  it('refuses an unknown cluster and a bake that would outlive the lock lease', () => {
    expect(() => specifyOperation({ ...base, cluster: 'mars', operation: 'drain', currentPercent: 100 })).toThrow(
      expect.objectContaining({ name: 'UnknownCluster' }),
    );
    expect(() => specifyOperation({ ...base, operation: 'drain', currentPercent: 100, bakeSeconds: 800 })).toThrow(/lockTtlSeconds \(900 s\)/);
  });
});

describe('validateSteps / remainingSteps', () => {
  it.each([
    ['drain', [50, 0], undefined],
    ['drain', [0], undefined],
    ['drain', [50, 50, 0], 'strictly decreasing'],
    ['drain', [50], 'must end at 0'],
    ['restore', [50, 100], undefined],
    ['restore', [100, 50], 'strictly increasing'],
    ['restore', [50], 'must end at 100'],
  ] as const)('%s %j', (kind, steps, problem) => {
    const act = () => validateSteps(kind, steps);
    if (problem) expect(act).toThrow(problem);
    else expect(act).not.toThrow();
  });

  it('keeps the steps beyond the current weight', () => {
    expect(remainingSteps('drain', [70, 30, 0], 30)).toEqual([0]);
    expect(remainingSteps('restore', [50, 100], 50)).toEqual([100]);
  });
});

describe('catalogue', () => {
  it("knows each app's publishing clusters, routing and normal weight, without canaries", () => {
    // Act
    const apps = catalogueApps(exampleFleet, exampleEndpoints());
    // Assess
    expect(apps.map((a) => a.hostname)).toEqual(['api.example.com', 'docs.example.com', 'shop.example.com']);
    expect(apps.find((a) => a.hostname === 'shop.example.com')?.members).toEqual([
      { cluster: 'east', routing: 'weighted', baseWeight: 100 },
      { cluster: 'eu', routing: 'weighted', baseWeight: 100 },
      { cluster: 'west', routing: 'weighted', baseWeight: 100 },
    ]);
    expect(appsOfCluster(apps, 'west')).toEqual(['api.example.com', 'shop.example.com']);
  });

  it('says which Route 53 weight a cluster gets at a percent', () => {
    expect(clusterWeights(exampleFleet, exampleEndpoints(), [], 'west', 100, 50)).toEqual([
      {
        hostname: 'api.example.com',
        routing: 'failover',
        before: { present: true, inTraffic: true, role: 'SECONDARY' },
        after: { present: true, inTraffic: true, role: 'SECONDARY' },
      },
      {
        hostname: 'shop.example.com',
        routing: 'weighted',
        weightBefore: 100,
        weightAfter: 50,
        before: { present: true, inTraffic: true, weight: 100 },
        after: { present: true, inTraffic: true, weight: 50 },
      },
    ]);
    expect(clusterWeights(exampleFleet, exampleEndpoints(), [], 'west', 50, 0)[0]).toEqual({
      hostname: 'api.example.com',
      routing: 'failover',
      before: { present: true, inTraffic: true, role: 'SECONDARY' },
      after: { present: false, inTraffic: false },
    });
  });
});

describe('failover decisions', () => {
  const catalogue = catalogueApps(exampleFleet, exampleEndpoints());
  const healthy = { clusters: { east: 'HEALTHY', west: 'HEALTHY', eu: 'HEALTHY' } as const };

  it('maps alarm names of the stage to a cluster or an app on it', () => {
    const clusters = exampleFleet.clusters.map((c) => c.name);
    const dev = { stage: 'dev', ownerId: 'switchyard-example' };
    expect(alarmTarget(dev, 'switchyard-dev-switchyard-example-east-canary', clusters, catalogue)).toEqual({ cluster: 'east' });
    expect(alarmTarget(dev, 'switchyard-dev-switchyard-example-east--shop.example.com', clusters, catalogue)).toEqual({
      cluster: 'east',
      hostname: 'shop.example.com',
    });
    expect(alarmTarget(dev, 'switchyard-dev-switchyard-example-east--nothing.example.com', clusters, catalogue)).toEqual({ cluster: 'east' });
    expect(alarmTarget(dev, 'switchyard-dev-other-east-canary', clusters, catalogue)).toBeUndefined();
    expect(alarmTarget(dev, 'switchyard-prod-switchyard-example-east--shop.example.com', clusters, catalogue)).toBeUndefined();
  });

  it('takes an app out only where another healthy active cluster serves it', () => {
    // Prepare: eu is drained, so docs (east + eu) has nowhere else to go.
    const state = withIntent(emptyFleetState(), { cluster: 'eu', state: 'DRAINED', weightPercent: 0 });
    // Act
    const decision = decideTakeOut(state, catalogue, { clusters: { ...healthy.clusters, east: 'UNHEALTHY' } }, { cluster: 'east' });
    // Assess
    expect(decision).toEqual({ takeOut: ['api.example.com', 'shop.example.com'], failOpen: ['docs.example.com'], alreadyOut: [] });
  });

  describe('reexamineAlarms', () => {
    const clusters = exampleFleet.clusters.map((c) => c.name);
    const now = new Date('2026-11-27T12:00:00.000Z');
    const inAlarm = (cluster: string, timestamp: string, hostname?: string): RecordedAlarm => ({
      alarmName: `switchyard-dev-switchyard-example-${cluster}${hostname ? `--${hostname}` : '-canary'}`,
      cluster,
      ...(hostname ? { hostname } : {}),
      state: 'ALARM',
      timestamp,
    });

    it('takes out what failed open once another healthy active cluster serves it; oldest alarm first, never the last member', () => {
      // Prepare: east and eu both alarm; docs (east + eu) has no third cluster; shop (all three) has west.
      const health: HealthView = { clusters: { east: 'UNHEALTHY', west: 'HEALTHY', eu: 'UNHEALTHY' } };
      const alarms = [
        inAlarm('eu', '2026-11-27T10:05:00.000Z'),
        inAlarm('east', '2026-11-27T10:00:00.000Z'),
        { ...inAlarm('west', '2026-11-27T09:00:00.000Z'), state: 'OK' as const },
      ];
      // Act
      const result = reexamineAlarms(emptyFleetState(), catalogue, health, alarms, clusters, now);
      // Assess
      expect(result.takenOut.map((t) => `${t.cluster}: ${t.apps.join(' ')}`)).toEqual(['east: api.example.com shop.example.com', 'eu: shop.example.com']);
      expect(effectiveWeightPercent(result.state, 'east', 'docs.example.com')).toBe(100);
      expect(effectiveWeightPercent(result.state, 'eu', 'docs.example.com')).toBe(100);
      expect(result.skipped).toEqual([]);
    });

    it('skips locked clusters and alarms of clusters outside the fleet, and changes nothing when nothing can leave', () => {
      // Prepare
      const locked: FleetState = {
        ...emptyFleetState(),
        locks: { east: { cluster: 'east', holder: 'd1', operation: 'drain', token: 1, acquiredAt: now.toISOString(), expiresAt: '2026-11-27T13:00:00.000Z' } },
      };
      const health: HealthView = { clusters: { east: 'UNHEALTHY', west: 'HEALTHY', eu: 'HEALTHY' } };
      // Act
      const result = reexamineAlarms(locked, catalogue, health, [inAlarm('east', 't1'), inAlarm('mars', 't2')], clusters, now);
      const quiet = reexamineAlarms(
        emptyFleetState(),
        catalogue,
        { clusters: { east: 'UNHEALTHY', west: 'UNHEALTHY', eu: 'UNHEALTHY' } },
        [inAlarm('east', 't1')],
        clusters,
        now,
      );
      // Assess
      expect(result.state).toBe(locked);
      expect(result.skipped).toEqual([expect.objectContaining({ cluster: 'east', reason: 'east is locked by drain d1' })]);
      expect(quiet.takenOut).toEqual([]);
      expect(quiet.state).toEqual(emptyFleetState());
    });

    it('property: never leaves an app that had a healthy active cluster without one', () => {
      const state3 = fc.constantFrom('HEALTHY' as const, 'UNHEALTHY' as const, 'UNKNOWN' as const);
      fc.assert(
        fc.property(
          fc.record({ east: state3, west: state3, eu: state3 }),
          fc.subarray(clusters),
          fc.subarray(clusters),
          fc.subarray(catalogue.map((a) => a.hostname)),
          (healthByCluster, drained, alarmed, perApp) => {
            const health: HealthView = { clusters: healthByCluster };
            let state = emptyFleetState();
            for (const c of drained) state = withIntent(state, { cluster: c, state: 'DRAINED', weightPercent: 0 });
            const alarms = [
              ...alarmed.map((c, i) => inAlarm(c, `2026-11-27T10:0${i}:00.000Z`)),
              ...perApp.map((h, i) => inAlarm(clusters[i % clusters.length]!, `2026-11-27T11:0${i}:00.000Z`, h)),
            ];
            const serving = (s: FleetState, app: (typeof catalogue)[number]) =>
              app.members.filter(
                (m) => m.baseWeight > 0 && effectiveWeightPercent(s, m.cluster, app.hostname) > 0 && isHealthy(health, m.cluster, app.hostname),
              ).length;
            const { state: after } = reexamineAlarms(state, catalogue, health, alarms, clusters, now);
            for (const app of catalogue) {
              if (serving(state, app) > 0) expect(serving(after, app), app.hostname).toBeGreaterThan(0);
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  it('reports apps already out', () => {
    const state = withFailover(emptyFleetState(), { cluster: 'east', hostname: 'shop.example.com', alarmName: 'a', at: 't' });
    expect(decideTakeOut(state, catalogue, healthy, { cluster: 'east', hostname: 'shop.example.com' })).toEqual({
      takeOut: [],
      failOpen: [],
      alreadyOut: ['shop.example.com'],
    });
  });
});

describe('outgoing events', () => {
  it('are validated before they are sent', () => {
    expect(
      outEvent('Cluster Drained', { cluster: 'e', reason: 'r', by: 'b', weightPercentBefore: 100, weightPercentAfter: 0, apps: [], executionArn: 'arn' }),
    ).toMatchObject({ Source: 'switchyard', DetailType: 'Cluster Drained' });
    expect(() => outEvent('Cluster Drained', { cluster: 'e' } as never)).toThrow();
    expect(OUT_DETAIL_TYPES).toContain('Cluster Upgrade Failed');
  });
});
