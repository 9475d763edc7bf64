// dryRuns (Prepare's plans of a drain's steps): a batch shares what does not depend on the
// weights (docs/benchmarks.md), so each result must be what the same request planned alone
// as a dry run gives, but for `expected` (a dry run is never read back). fast-check prints
// the seed and the shrunk counterexample on failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { route53Dns } from '../../../../src/app/dns/route53-dns.ts';
import type { DnsApplyRequest, DnsApplyResult } from '../../../../src/core/ports.ts';
import { FakeRoute53 } from '../../aws/helpers/fake-route53.ts';
import { endpoint, fleet, ZONES } from '../../core/dns-fixtures.ts';

const FLEET = fleet();
const CLUSTERS = ['east', 'west', 'alb'] as const;
const HOSTNAMES = Array.from({ length: 12 }, (_, i) => `app${i}.example.com`);
// Apps on two or three clusters; app0–app2 carry their own health checks.
const ENDPOINTS = HOSTNAMES.flatMap((hostname, i) =>
  CLUSTERS.filter((_, c) => c < 2 || i % 2 === 0).map((cluster) => endpoint(hostname, cluster, i < 3 ? { healthPath: '/ready' } : {})),
);

async function published(): Promise<{ route53: FakeRoute53; dns: ReturnType<typeof route53Dns> }> {
  const route53 = new FakeRoute53(ZONES);
  const dns = route53Dns({ fleet: FLEET, route53 });
  await dns.apply({ endpoints: ENDPOINTS, intents: [], appsOut: [], reason: 'publish', hostnames: HOSTNAMES });
  return { route53, dns };
}

const step = fc.record({
  cluster: fc.constantFrom(...CLUSTERS),
  weightPercent: fc.constantFrom(0, 25, 50, 100),
  hostnames: fc.constantFrom(
    HOSTNAMES,
    HOSTNAMES.slice(0, 5),
    HOSTNAMES.filter((_, i) => i % 2 === 0),
  ),
  appOut: fc.option(fc.constantFrom(...HOSTNAMES), { nil: undefined }),
});

function request(s: { cluster: string; weightPercent: number; hostnames: readonly string[]; appOut: string | undefined }): DnsApplyRequest {
  return {
    hostnames: [...s.hostnames],
    endpoints: ENDPOINTS,
    intents: [{ cluster: s.cluster, state: 'DRAINING', weightPercent: s.weightPercent }],
    appsOut: s.appOut === undefined ? [] : [{ cluster: s.cluster, hostname: s.appOut }],
    onlyCluster: s.cluster,
    reason: `dry run: drain ${s.cluster} to ${s.weightPercent}%`,
    dryRun: true,
  };
}

const withoutExpected = ({ expected: _e, ...rest }: DnsApplyResult) => rest;

describe('dryRuns', () => {
  it('plans each request as the same dry run alone would, with nothing to read back, and changes nothing', async () => {
    const { route53, dns } = await published();
    const zone = await route53.listRecordSets(ZONES[0]!.id);
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 4 }), async (steps) => {
        const requests = steps.map(request);
        const batch = await dns.dryRuns(requests);
        expect(batch).toHaveLength(requests.length);
        for (let i = 0; i < requests.length; i++) {
          const alone = await dns.apply(requests[i]!);
          // An apply alone intends something at its names: the comparison covers the plans.
          expect(alone.expected.length).toBeGreaterThan(0);
          expect(batch[i]!.expected).toEqual([]);
          expect(withoutExpected(batch[i]!)).toEqual(withoutExpected(alone));
        }
      }),
      { numRuns: 40 },
    );
    expect(await route53.listRecordSets(ZONES[0]!.id)).toEqual(zone);
  });

  it('plans a drain to 0 % as changes to the drained cluster’s weights only', async () => {
    const { dns } = await published();
    const [half, zero] = await dns.dryRuns([
      request({ cluster: 'east', weightPercent: 50, hostnames: HOSTNAMES, appOut: undefined }),
      request({ cluster: 'east', weightPercent: 0, hostnames: HOSTNAMES, appOut: undefined }),
    ]);
    expect(zero!.weights.filter((w) => w.cluster === 'east').every((w) => w.weightAfter === 0)).toBe(true);
    expect(zero!.weights.every((w) => w.cluster === 'east')).toBe(true);
    expect(half!.changes.length).toBeGreaterThan(0);
    expect(zero!.changes.every((c) => c.setIdentifier === 'east')).toBe(true);
  });
});
