// Property test: the health checks an apply of some apps plans against (every app's) are the
// same whether the whole fleet's desired state is computed again or only the other apps'
// (healthChecksInUse, docs/benchmarks.md). fast-check prints the seed and the shrunk
// counterexample on failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { desiredWithOverrides, healthChecksInUse } from '../../../src/core/dns-scope.ts';
import { planHealthChecks, plannedAlone, type OwnedHealthCheck } from '../../../src/core/health-check-plan.ts';
import type { ClusterIntent, RoutingAnnotations } from '../../../src/core/model.ts';
import { endpoint, fleet, ZONES } from './dns-fixtures.ts';

const FLEET = fleet();
const CLUSTERS = ['east', 'west', 'alb'] as const;
/** Few names, so apps share clusters and checks; case and trailing-dot variants split an app. */
const HOSTNAMES = ['a.example.com', 'b.example.com', 'c.example.com', 'A.example.com', 'b.example.com.', 'canary-east.example.com', 'x.other.org'];

const annotations: fc.Arbitrary<RoutingAnnotations> = fc.record(
  {
    healthPath: fc.constantFrom('/healthz', '/ready'),
    healthPort: fc.constantFrom(443, 8443),
    healthProtocol: fc.constantFrom('HTTPS' as const, 'HTTP' as const),
    weight: fc.integer({ min: 0, max: 255 }),
    enabled: fc.boolean(),
  },
  { requiredKeys: [] },
);

const endpoints = fc.array(
  fc.record({
    hostname: fc.constantFrom(...HOSTNAMES),
    cluster: fc.constantFrom(...CLUSTERS),
    annotations,
    noEntryPoint: fc.boolean(),
  }),
  { maxLength: 14 },
);

const intents = fc
  .subarray(CLUSTERS as unknown as string[])
  .chain((clusters) =>
    fc.tuple(
      ...clusters.map((cluster) => fc.integer({ min: 0, max: 100 }).map((weightPercent): ClusterIntent => ({ cluster, state: 'DRAINING', weightPercent }))),
    ),
  );

type RawEndpoint = { hostname: string; cluster: string; annotations: RoutingAnnotations; noEntryPoint: boolean };

/** The fleet's endpoints, the wanted names, and the desired state of the wanted apps alone. */
function wantedApps(
  raw: readonly RawEndpoint[],
  wantedNames: readonly string[],
  clusterIntents: ClusterIntent[],
  appsOut: { cluster: string; hostname: string }[],
) {
  const all = raw.map((e) => endpoint(e.hostname, e.cluster, e.annotations, e.noEntryPoint ? 'not-a-load-balancer.example.net' : undefined));
  const wanted = new Set(wantedNames);
  const desired0 = desiredWithOverrides(
    FLEET,
    ZONES,
    all.filter((e) => wanted.has(e.hostname)),
    clusterIntents,
    appsOut,
  );
  return { all, wanted, desired0 };
}

describe('healthChecksInUse', () => {
  it('equals the whole fleet’s desired health checks, for any apps wanted', () => {
    fc.assert(
      fc.property(
        endpoints,
        intents,
        fc.subarray(HOSTNAMES),
        fc.array(fc.record({ cluster: fc.constantFrom(...CLUSTERS), hostname: fc.constantFrom(...HOSTNAMES) }), { maxLength: 3 }),
        (raw, clusterIntents, wantedNames, appsOut) => {
          const { all, wanted, desired0 } = wantedApps(raw, wantedNames, clusterIntents, appsOut);
          const expected = desiredWithOverrides(FLEET, ZONES, all, clusterIntents, appsOut).healthChecks;
          expect(healthChecksInUse(FLEET, ZONES, all, clusterIntents, appsOut, wanted, desired0)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('computes nothing more when every endpoint is wanted: the wanted apps’ own list', () => {
    const all = [endpoint('a.example.com', 'east'), endpoint('b.example.com', 'west', { healthPath: '/ready' })];
    const desired0 = desiredWithOverrides(FLEET, ZONES, all, [], []);
    expect(desired0.healthChecks.length).toBe(2);
    expect(healthChecksInUse(FLEET, ZONES, all, [], [], new Set(['a.example.com', 'b.example.com']), desired0)).toBe(desired0.healthChecks);
  });
});

/** How an owned check relates to one want: its own kept one, updatable, not updatable in place, the deploy's, or none. */
type Tagged = 'none' | 'same' | 'updatable' | 'replaced' | 'deploy';
const TAGGED: Tagged[] = ['none', 'same', 'same', 'updatable', 'replaced', 'deploy'];

describe('plannedAlone', () => {
  it('when it holds, the wanted apps’ checks are planned alone as among every app’s', () => {
    let alone = 0;
    fc.assert(
      fc.property(
        endpoints,
        intents,
        fc.subarray(HOSTNAMES),
        fc.array(fc.constantFrom(...TAGGED), { minLength: 20, maxLength: 20 }),
        fc.array(fc.record({ cluster: fc.constantFrom(...CLUSTERS), port: fc.constantFrom(80, 443), near: fc.nat(19) }), { maxLength: 3 }),
        (raw, clusterIntents, wantedNames, tagged, unused) => {
          // Prepare: the fleet's checks, owned checks tagged for some of them, and unused ones.
          const { all, wanted, desired0 } = wantedApps(raw, wantedNames, clusterIntents, []);
          const every = healthChecksInUse(FLEET, ZONES, all, clusterIntents, [], wanted, desired0);
          const owned: OwnedHealthCheck[] = [];
          every.forEach((want, i) => {
            const how = tagged[i % tagged.length]!;
            if (how === 'none') return;
            const spec =
              how === 'updatable'
                ? { ...want.spec, port: want.spec.port + 1 }
                : how === 'replaced'
                  ? { ...want.spec, intervalSeconds: want.spec.intervalSeconds === 10 ? 30 : 10 }
                  : want.spec;
            owned.push({
              id: `hc-${i}`,
              callerReference: `ref-${i}`,
              version: 1,
              key: want.key,
              cluster: want.cluster,
              spec,
              ...(how === 'deploy' ? { deployManaged: true } : {}),
            });
          });
          unused.forEach((u, i) => {
            const like = every[u.near % Math.max(1, every.length)];
            owned.push({
              id: `unused-${i}`,
              callerReference: `unused-ref-${i}`,
              version: 1,
              key: `gone-${i}`,
              cluster: like?.cluster ?? u.cluster,
              spec: {
                ...(like?.spec ?? { protocol: 'HTTP', fqdn: 'canary-east.example.com', path: '/', intervalSeconds: 30, failureThreshold: 3 }),
                port: u.port,
              },
            });
          });
          fc.pre(plannedAlone(desired0.healthChecks, owned));
          if (desired0.healthChecks.length > 0) alone++;
          const needed = new Set(desired0.healthChecks.map((h) => h.key));

          // Act / Assess
          expect(planHealthChecks(desired0.healthChecks, owned)).toEqual(planHealthChecks(every, owned).filter((step) => needed.has(step.want.key)));
        },
      ),
      { numRuns: 400 },
    );
    // Not vacuous: many cases had checks of their own to plan.
    expect(alone).toBeGreaterThan(20);
  });

  it('does not hold when a want has no owned check it can keep or update', () => {
    const [want] = desiredWithOverrides(FLEET, ZONES, [endpoint('a.example.com', 'east', { healthPath: '/ready' })], [], []).healthChecks;
    expect(plannedAlone([want!], [])).toBe(false);
    const replaced = {
      id: 'hc',
      callerReference: 'ref',
      version: 1,
      key: want!.key,
      cluster: want!.cluster,
      spec: { ...want!.spec, intervalSeconds: 30 - want!.spec.intervalSeconds + 10 },
    };
    expect(plannedAlone([want!], [replaced])).toBe(false);
    expect(plannedAlone([want!], [{ ...replaced, spec: want!.spec }])).toBe(true);
    expect(plannedAlone([want!, want!], [{ ...replaced, spec: want!.spec }])).toBe(false);
  });
});
