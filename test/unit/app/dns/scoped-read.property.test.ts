// Property test: an apply that names its apps reads Route 53 only at their names
// (scopeNames, readZonesAt; docs/dns.md, "What an apply reads"), and plans exactly what
// the same apply plans against the whole zones: the changes, what is withheld, the
// conflicts and other problems, the weights and the sets it intends (`expected`). Random
// zones hold owned, foreign, other-owner and conflicting sets and markers (some at the
// apps' names, some at their per-app health names, some elsewhere), with weighted,
// failover, latency and simple apps, with and without an edge tier. fast-check prints the
// seed and the shrunk counterexample on failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { route53Dns } from '../../../../src/app/dns/route53-dns.ts';
import { fleetSchema, type FleetConfig } from '../../../../src/core/config.ts';
import { isWithinZone, normalizeName } from '../../../../src/core/dns-names.ts';
import { scopeNames, scopeNamesBound } from '../../../../src/core/dns-scope.ts';
import type { ClusterIntent, HostedZone, PublishedEndpoint, RecordSet } from '../../../../src/core/model.ts';
import { markerValue } from '../../../../src/core/ownership.ts';
import type { DnsApplyRequest } from '../../../../src/core/ports.ts';
import { FakeRoute53 } from '../../aws/helpers/fake-route53.ts';
import { endpoint, LB, NLB_ZONE, OWNER } from '../../core/dns-fixtures.ts';
import { routingAnnotations as annotations } from '../../core/dns-arbitraries.ts';

const ZONES: HostedZone[] = [
  { id: 'ZEX', name: 'example.com.' },
  { id: 'ZSUB', name: 'sub.example.com.' },
  { id: 'ZUP', name: 'mesh.internal.', private: true },
];
const CLUSTERS = ['east', 'west', 'alb'] as const;

function fleetOf(edge: boolean): FleetConfig {
  const cluster = (name: string, region: string, priority: number) => ({
    name,
    region,
    eksClusterName: name,
    canaryHostname: `canary-${name}.example.com`,
    domainFilter: ['example.com'],
    failoverPriority: priority,
    ...(edge && name === 'alb' ? { role: 'edge' } : {}),
  });
  return fleetSchema.parse({
    ownerId: OWNER,
    zones: [
      { name: 'example.com', id: 'ZEX' },
      { name: 'sub.example.com', id: 'ZSUB' },
    ],
    ...(edge ? { upstream: { zone: 'mesh.internal', id: 'ZUP' } } : {}),
    clusters: [cluster('east', 'us-east-1', 10), cluster('west', 'eu-west-1', 20), cluster('alb', 'us-west-2', 30)],
  });
}

/** App names: a wildcard, a subzone's, a name that is another app's per-app health name, a canary. */
const HOSTS = ['a.example.com', 'b.example.com', '*.example.com', 'c.sub.example.com', 'east.a.example.com', 'canary-east.example.com'];
/** Names a request may give: the apps', an upstream name, one with a trailing dot. */
const REQUEST_NAMES = [...HOSTS, 'a.example.com.mesh.internal', 'b.example.com.'];
/** Where other records may lie: the apps' names, per-app health names, upstream names, names out of every scope. */
const RECORD_NAMES = [
  ...HOSTS,
  'west.b.example.com',
  'alb.a.example.com',
  'a.example.com.mesh.internal',
  'alb.b.example.com.mesh.internal',
  'zz.example.com',
  'a.sub.example.com',
  'canary-west.example.com',
];

const endpoints: fc.Arbitrary<PublishedEndpoint[]> = fc
  .array(
    fc.tuple(
      fc.constantFrom(...HOSTS),
      fc.constantFrom(...CLUSTERS),
      annotations,
      fc.constantFrom<string | undefined>(undefined, undefined, 'nope.example.net'),
    ),
    {
      maxLength: 9,
    },
  )
  .map((list) => list.map(([host, cluster, a, ep]) => endpoint(host, cluster, a, ep)));

const intents: fc.Arbitrary<ClusterIntent[]> = fc.array(
  fc.record({
    cluster: fc.constantFrom(...CLUSTERS),
    state: fc.constantFrom('ACTIVE', 'DRAINING', 'DRAINED') as fc.Arbitrary<ClusterIntent['state']>,
    weightPercent: fc.constantFrom(0, 50, 100),
  }),
  { maxLength: 2 },
);

type Kind = 'simpleA' | 'cname' | 'weightedTheirs' | 'failoverTheirs' | 'latencyTheirs' | 'txt' | 'otherMarker' | 'blockerTxt' | 'oursStale';
const KINDS: Kind[] = ['simpleA', 'cname', 'weightedTheirs', 'failoverTheirs', 'latencyTheirs', 'txt', 'otherMarker', 'blockerTxt', 'oursStale'];

const target = (cluster: 'east' | 'west') => ({ hostedZoneId: NLB_ZONE[cluster], dnsName: `${LB[cluster]}.`, evaluateTargetHealth: false });

function recordsOf(kind: Kind, host: string): RecordSet[] {
  const name = normalizeName(host);
  switch (kind) {
    case 'simpleA':
      return [{ name, type: 'A', aliasTarget: target('west') }];
    case 'cname':
      return [{ name, type: 'CNAME', ttl: 300, values: ['elsewhere.example.org.'] }];
    case 'weightedTheirs':
      return [{ name, type: 'A', setIdentifier: 'theirs', weight: 5, aliasTarget: target('west') }];
    case 'failoverTheirs':
      return [{ name, type: 'A', setIdentifier: 'theirs', failover: 'SECONDARY', aliasTarget: target('west') }];
    case 'latencyTheirs':
      return [{ name, type: 'A', setIdentifier: 'theirs', region: 'eu-west-1', aliasTarget: target('west') }];
    case 'txt':
      return [{ name, type: 'TXT', ttl: 300, values: ['"v=spf1 -all"'] }];
    case 'otherMarker':
      return [
        { name, type: 'A', setIdentifier: 'east', weight: 1, aliasTarget: target('east') },
        { name: `_switchyard.${name}`, type: 'TXT', ttl: 300, values: [markerValue('other-fleet', 'A', 'east')] },
      ];
    case 'blockerTxt':
      return [{ name: `_switchyard.${name}`, type: 'TXT', ttl: 60, values: ['"not a marker"'] }];
    case 'oursStale':
      // A set our marker lists that no app may want any more (or one that is wanted, at another weight).
      return [
        { name, type: 'A', setIdentifier: 'west', weight: 7, aliasTarget: target('west') },
        { name: `_switchyard.${name}`, type: 'TXT', ttl: 300, values: [markerValue(OWNER, 'A', 'west')] },
      ];
  }
}

const others = fc.array(fc.tuple(fc.constantFrom(...KINDS), fc.constantFrom(...RECORD_NAMES), fc.nat(1)), { maxLength: 6 });

/** Creates the records in a zone that may hold their name (Route 53's rules: a refused batch is left out). */
async function seed(route53: FakeRoute53, list: ReadonlyArray<readonly [Kind, string, number]>): Promise<void> {
  for (const [kind, host, choice] of list) {
    const zones = ZONES.filter((z) => isWithinZone(host, z.name));
    const zone = zones[choice % zones.length]!;
    await route53
      .changeRecordSets(
        zone.id,
        recordsOf(kind, host).map((recordSet) => ({ action: 'CREATE' as const, recordSet })),
      )
      .catch(() => undefined);
  }
}

const scenario = fc.record({
  edge: fc.boolean(),
  before: others,
  published: endpoints,
  publishedIntents: intents,
  after: others,
  endpoints,
  intents,
  hostnames: fc.subarray(REQUEST_NAMES, { minLength: 1 }),
  more: fc.subarray(REQUEST_NAMES, { minLength: 1 }),
  onlyCluster: fc.option(fc.constantFrom(...CLUSTERS), { nil: undefined }),
  appsOut: fc.array(fc.record({ cluster: fc.constantFrom(...CLUSTERS), hostname: fc.constantFrom(...HOSTS) }), { maxLength: 2 }),
});

/** Two DNS ports over one fake Route 53: one sees zone sizes that make it read by names, one whole zones. */
function ports(fleet: FleetConfig, route53: FakeRoute53) {
  const whole = new FakeRoute53(ZONES.map((z) => ({ ...z, recordSets: 0 })));
  whole.records = route53.records;
  whole.checks = route53.checks;
  route53.zones = ZONES.map((z) => ({ ...z, recordSets: 1_000_000 }));
  route53.calls = [];
  return { byNames: route53Dns({ fleet, route53 }), whole: route53Dns({ fleet, route53: whole }), wholeCalls: whole.calls };
}

describe('an apply that names its apps, reading only their names', () => {
  it('plans the changes, withheld sets, conflicts, weights and expected sets the whole zones give', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        // Prepare: foreign records, a published fleet, more foreign records beside it.
        const fleet = fleetOf(s.edge);
        const route53 = new FakeRoute53(ZONES);
        await seed(route53, s.before);
        await route53Dns({ fleet, route53 }).apply({ endpoints: s.published, intents: s.publishedIntents, appsOut: [], reason: 'publish' });
        await seed(route53, s.after);
        const { byNames, whole, wholeCalls } = ports(fleet, route53);
        const request = (hostnames: string[]): DnsApplyRequest => ({
          hostnames,
          endpoints: s.endpoints,
          intents: s.intents,
          appsOut: s.appsOut,
          ...(s.onlyCluster === undefined ? {} : { onlyCluster: s.onlyCluster }),
          reason: 'scoped',
          dryRun: true,
        });

        // Act
        const scoped = await byNames.apply(request(s.hostnames));
        const full = await whole.apply(request(s.hostnames));
        const scopedBatch = await byNames.dryRuns([request(s.hostnames), request(s.more)]);
        const fullBatch = await whole.dryRuns([request(s.hostnames), request(s.more)]);

        // Assess: the same outcome, and only the names' pages were read (no zone listed whole).
        expect(scoped).toEqual(full);
        expect(scopedBatch).toEqual(fullBatch);
        expect(route53.calls.filter((c) => /^ListResourceRecordSets \w+$/.test(c))).toEqual([]);
        // A name in none of the fleet's zones (an upstream name with no edge tier) has nothing to read.
        const fleetZones = ZONES.filter((z) => s.edge || z.id !== 'ZUP');
        const readable = scopeNames(fleet, [...s.hostnames, ...s.more]).some((name) => fleetZones.some((z) => isWithinZone(name, z.name)));
        expect(route53.calls.some((c) => / from /.test(c))).toBe(readable);
        expect(wholeCalls.some((c) => /^ListResourceRecordSets \w+$/.test(c))).toBe(true);
        // The bound that lets a small zone be read whole without building the names holds.
        expect(scopeNames(fleet, s.hostnames).length).toBeLessThanOrEqual(scopeNamesBound(fleet, s.hostnames));
      }),
      { numRuns: 150 },
    );
  });

  it('reads a page from the names, not the zone, when an app is onboarded into a large zone', async () => {
    // Prepare: 1,000 published apps, then one more app's endpoints.
    const fleet = fleetOf(false);
    const route53 = new FakeRoute53(ZONES);
    const hosts = Array.from({ length: 1000 }, (_, i) => `app-${String(i).padStart(4, '0')}.example.com`);
    const published = hosts.flatMap((h) => [endpoint(h, 'east'), endpoint(h, 'west')]);
    await route53Dns({ fleet, route53 }).apply({ endpoints: published, intents: [], appsOut: [], reason: 'publish' });
    route53.calls = [];
    const dns = route53Dns({ fleet, route53 });

    // Act
    const result = await dns.apply({
      hostnames: ['new.example.com'],
      endpoints: [...published, endpoint('new.example.com', 'east'), endpoint('new.example.com', 'west')],
      intents: [],
      appsOut: [],
      reason: 'onboard new.example.com',
    });

    // Assess: the app's two sets and its marker created, from one page of the app's zone.
    expect(result.changes.map((c) => `${c.action} ${c.name} ${c.type} ${c.setIdentifier ?? ''}`.trim())).toEqual([
      'CREATE new.example.com. A east',
      'CREATE new.example.com. A west',
      'CREATE _switchyard.new.example.com. TXT',
    ]);
    expect(route53.calls.filter((c) => c.startsWith('ListResourceRecordSets'))).toEqual(['ListResourceRecordSets ZEX from new.example.com.']);
    expect((await dns.verify(result.expected)).differences).toEqual([]);
  });
});
