// Property test: the health checks an apply of some apps plans against (every app's) are the
// same whether the whole fleet's desired state is computed again or only the other apps'
// (healthChecksInUse, docs/benchmarks.md). fast-check prints the seed and the shrunk
// counterexample on failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { desiredWithOverrides, healthChecksInUse } from '../../../src/core/dns-scope.ts';
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

describe('healthChecksInUse', () => {
  it('equals the whole fleet’s desired health checks, for any apps wanted', () => {
    fc.assert(
      fc.property(
        endpoints,
        intents,
        fc.subarray(HOSTNAMES),
        fc.array(fc.record({ cluster: fc.constantFrom(...CLUSTERS), hostname: fc.constantFrom(...HOSTNAMES) }), { maxLength: 3 }),
        (raw, clusterIntents, wantedNames, appsOut) => {
          const all = raw.map((e) => endpoint(e.hostname, e.cluster, e.annotations, e.noEntryPoint ? 'not-a-load-balancer.example.net' : undefined));
          const wanted = new Set(wantedNames);
          const desired0 = desiredWithOverrides(
            FLEET,
            ZONES,
            all.filter((e) => wanted.has(e.hostname)),
            clusterIntents,
            appsOut,
          );
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
