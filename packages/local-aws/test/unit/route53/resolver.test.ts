// The resolver behind the local DNS server and TestDNSAnswer: one test per Route 53 rule
// (docs/local-runtime.md, "DNS answers").
import { describe, expect, it } from 'vitest';
import type { HostedZone, RecordSet } from '../../../src/route53/model.ts';
import { resolve, type ResolverWorld } from '../../../src/route53/resolver.ts';

const SOA = 'ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400';
const apex: RecordSet[] = [
  { name: 'example.com.', type: 'SOA', ttl: 900, resourceRecords: [SOA] },
  { name: 'example.com.', type: 'NS', ttl: 172800, resourceRecords: ['ns-1.awsdns-01.org.'] },
];
const LB = { east: 'east-lb.elb.us-east-1.amazonaws.com.', west: 'west-lb.elb.us-west-2.amazonaws.com.', eu: 'eu-lb.elb.eu-west-1.amazonaws.com.' };
const ADDRESS: Record<string, string> = { [LB.east]: '127.0.1.1', [LB.west]: '127.0.1.2', [LB.eu]: '127.0.1.3' };

function zoneWith(records: RecordSet[]): HostedZone {
  return {
    id: 'Z1',
    name: 'example.com.',
    callerReference: 'r',
    privateZone: false,
    vpcs: [],
    nameServers: ['ns-1.awsdns-01.org'],
    records: [...apex, ...records],
  };
}

function world(records: RecordSet[], options: { unhealthy?: string[]; downTargets?: string[]; random?: () => number } = {}): ResolverWorld {
  return {
    zones: [zoneWith(records)],
    healthy: (id) => !(options.unhealthy ?? []).includes(id),
    external: (name) => (ADDRESS[name] === undefined ? undefined : { addresses: [ADDRESS[name]!], healthy: !(options.downTargets ?? []).includes(name) }),
    random: options.random ?? Math.random,
  };
}

const alias = (cluster: keyof typeof LB, evaluate = true) => ({ hostedZoneId: 'Z26RNL4JYFTOTI', dnsName: LB[cluster], evaluateTargetHealth: evaluate });
const weighted = (cluster: keyof typeof LB, weight: number, healthCheckId?: string): RecordSet => ({
  name: 'shop.example.com.',
  type: 'A',
  setIdentifier: cluster,
  weight,
  aliasTarget: alias(cluster),
  ...(healthCheckId === undefined ? {} : { healthCheckId }),
});
const ask = (w: ResolverWorld, name: string, type = 'A', clientRegion = 'us-east-1') => resolve(w, { name, type, clientRegion });
const addresses = (w: ResolverWorld, name: string, type = 'A', region = 'us-east-1') => ask(w, name, type, region).answers.map((a) => a.data);

/** How often each answer comes back over n draws with a seeded generator. */
function tally(w: ResolverWorld, name: string, n = 3000): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) for (const a of addresses(w, name)) counts[a] = (counts[a] ?? 0) + 1;
  return counts;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('resolve: weighted records', () => {
  it('chooses in proportion to weight', () => {
    const counts = tally(world([weighted('east', 100), weighted('west', 300)], { random: seeded(7) }), 'shop.example.com');
    expect(counts['127.0.1.2']! / 3000).toBeGreaterThan(0.7);
    expect(counts['127.0.1.2']! / 3000).toBeLessThan(0.8);
  });

  it('never answers with a zero weight while a non-zero record is healthy', () => {
    expect(tally(world([weighted('east', 0), weighted('west', 100)], { random: seeded(1) }), 'shop.example.com')).toEqual({ '127.0.1.2': 3000 });
  });

  it('answers the zero-weight records when every non-zero one is unhealthy', () => {
    const counts = tally(
      world([weighted('east', 0), weighted('eu', 0), weighted('west', 100, 'hc-west')], { unhealthy: ['hc-west'], random: seeded(2) }),
      'shop.example.com',
    );
    expect(Object.keys(counts).sort()).toEqual(['127.0.1.1', '127.0.1.3']);
  });

  it('answers all-zero weights with equal probability', () => {
    const counts = tally(world([weighted('east', 0), weighted('west', 0)], { random: seeded(3) }), 'shop.example.com');
    expect(counts['127.0.1.1']! / 3000).toBeGreaterThan(0.45);
    expect(counts['127.0.1.2']! / 3000).toBeGreaterThan(0.45);
  });

  it('skips a record whose health check is unhealthy', () => {
    expect(
      tally(world([weighted('east', 100, 'hc-east'), weighted('west', 100, 'hc-west')], { unhealthy: ['hc-east'], random: seeded(4) }), 'shop.example.com'),
    ).toEqual({ '127.0.1.2': 3000 });
  });

  it('fails open: all unhealthy answers as if all were healthy', () => {
    const counts = tally(
      world([weighted('east', 100, 'hc-east'), weighted('west', 100, 'hc-west')], { unhealthy: ['hc-east', 'hc-west'], random: seeded(5) }),
      'shop.example.com',
    );
    expect(Object.keys(counts).sort()).toEqual(['127.0.1.1', '127.0.1.2']);
  });
});

describe('resolve: alias targets', () => {
  it('answers an alias to a load balancer with its addresses and a 60 s TTL', () => {
    const result = ask(world([{ name: 'api.example.com.', type: 'A', aliasTarget: alias('east') }]), 'api.example.com');
    expect(result.answers).toEqual([{ name: 'api.example.com.', type: 'A', ttl: 60, data: '127.0.1.1' }]);
  });

  it('EvaluateTargetHealth: a load balancer without healthy targets makes its record unhealthy', () => {
    const w = world([weighted('east', 100), weighted('west', 100)], { downTargets: [LB.east], random: seeded(6) });
    expect(tally(w, 'shop.example.com')).toEqual({ '127.0.1.2': 3000 });
  });

  it('an alias without EvaluateTargetHealth ignores the target health', () => {
    const records: RecordSet[] = [
      { name: 'api.example.com.', type: 'A', setIdentifier: 'east', failover: 'PRIMARY', aliasTarget: alias('east', false) },
      { name: 'api.example.com.', type: 'A', setIdentifier: 'west', failover: 'SECONDARY', aliasTarget: alias('west', false) },
    ];
    expect(addresses(world(records, { downTargets: [LB.east] }), 'api.example.com')).toEqual(['127.0.1.1']);
  });

  it('an alias to another record in the zone answers with that record, under the query name and with its TTL', () => {
    const records: RecordSet[] = [
      { name: 'www.example.com.', type: 'A', aliasTarget: { hostedZoneId: 'Z1', dnsName: 'origin.example.com.', evaluateTargetHealth: false } },
      { name: 'origin.example.com.', type: 'A', ttl: 120, resourceRecords: ['192.0.2.10'] },
    ];
    expect(ask(world(records), 'www.example.com').answers).toEqual([{ name: 'www.example.com.', type: 'A', ttl: 120, data: '192.0.2.10' }]);
  });
});

describe('resolve: failover', () => {
  const records = (primaryCheck: string, secondaryCheck: string): RecordSet[] => [
    { name: 'api.example.com.', type: 'A', setIdentifier: 'east', failover: 'PRIMARY', healthCheckId: primaryCheck, aliasTarget: alias('east') },
    { name: 'api.example.com.', type: 'A', setIdentifier: 'west', failover: 'SECONDARY', healthCheckId: secondaryCheck, aliasTarget: alias('west') },
  ];
  it('answers PRIMARY while it is healthy', () => {
    expect(addresses(world(records('hc-e', 'hc-w')), 'api.example.com')).toEqual(['127.0.1.1']);
  });
  it('answers SECONDARY when PRIMARY is unhealthy', () => {
    expect(addresses(world(records('hc-e', 'hc-w'), { unhealthy: ['hc-e'] }), 'api.example.com')).toEqual(['127.0.1.2']);
  });
  it('fails open to PRIMARY when both are unhealthy', () => {
    expect(addresses(world(records('hc-e', 'hc-w'), { unhealthy: ['hc-e', 'hc-w'] }), 'api.example.com')).toEqual(['127.0.1.1']);
  });
});

describe('resolve: latency', () => {
  const records: RecordSet[] = (['east', 'west', 'eu'] as const).map((cluster) => ({
    name: 'lat.example.com.',
    type: 'A',
    setIdentifier: cluster,
    region: { east: 'us-east-1', west: 'us-west-2', eu: 'eu-west-1' }[cluster],
    healthCheckId: `hc-${cluster}`,
    aliasTarget: alias(cluster),
  }));
  it("answers the region nearest the client's", () => {
    expect(addresses(world(records), 'lat.example.com', 'A', 'eu-central-1')).toEqual(['127.0.1.3']);
    expect(addresses(world(records), 'lat.example.com', 'A', 'us-west-1')).toEqual(['127.0.1.2']);
  });
  it('skips an unhealthy region for the next nearest', () => {
    expect(addresses(world(records, { unhealthy: ['hc-eu'] }), 'lat.example.com', 'A', 'eu-central-1')).toEqual(['127.0.1.1']);
  });
  it('fails open to the nearest when all are unhealthy', () => {
    expect(addresses(world(records, { unhealthy: ['hc-east', 'hc-west', 'hc-eu'] }), 'lat.example.com', 'A', 'eu-central-1')).toEqual(['127.0.1.3']);
  });
});

describe('resolve: names that do not answer', () => {
  it('NXDOMAIN with the SOA (TTL min(SOA TTL, MINIMUM)) for a name that does not exist', () => {
    const result = ask(world([]), 'nope.example.com');
    expect(result.rcode).toBe('NXDOMAIN');
    expect(result.authority).toEqual([{ name: 'example.com.', type: 'SOA', ttl: 900, data: SOA }]);
  });
  it('NODATA (NOERROR, no answers, the SOA) for a name without records of that type', () => {
    const result = ask(world([weighted('east', 1)]), 'shop.example.com', 'AAAA');
    expect(result).toMatchObject({ rcode: 'NOERROR', answers: [], authority: [{ type: 'SOA' }] });
  });
  it('NODATA for an empty non-terminal', () => {
    expect(ask(world([{ name: 'a.b.example.com.', type: 'TXT', ttl: 60, resourceRecords: ['"x"'] }]), 'b.example.com', 'TXT').rcode).toBe('NOERROR');
  });
  it('REFUSED for a name outside every zone', () => {
    expect(ask(world([]), 'example.org').rcode).toBe('REFUSED');
  });
});

describe('resolve: CNAME chains and TTLs', () => {
  it('follows a CNAME chain within the zone, each record with its stored TTL', () => {
    const records: RecordSet[] = [
      { name: 'a.example.com.', type: 'CNAME', ttl: 30, resourceRecords: ['b.example.com'] },
      { name: 'b.example.com.', type: 'CNAME', ttl: 40, resourceRecords: ['c.example.com'] },
      { name: 'c.example.com.', type: 'A', ttl: 50, resourceRecords: ['192.0.2.1'] },
    ];
    expect(ask(world(records), 'a.example.com').answers).toEqual([
      { name: 'a.example.com.', type: 'CNAME', ttl: 30, data: 'b.example.com' },
      { name: 'b.example.com.', type: 'CNAME', ttl: 40, data: 'c.example.com' },
      { name: 'c.example.com.', type: 'A', ttl: 50, data: '192.0.2.1' },
    ]);
  });
  it('stops a CNAME loop instead of following it forever', () => {
    const records: RecordSet[] = [
      { name: 'a.example.com.', type: 'CNAME', ttl: 30, resourceRecords: ['b.example.com'] },
      { name: 'b.example.com.', type: 'CNAME', ttl: 30, resourceRecords: ['a.example.com'] },
    ];
    expect(ask(world(records), 'a.example.com').answers.length).toBeLessThanOrEqual(10);
  });
  it('answers a wildcard under the query name', () => {
    const result = ask(world([{ name: '*.apps.example.com.', type: 'A', ttl: 60, resourceRecords: ['192.0.2.7'] }]), 'x.apps.example.com');
    expect(result.answers).toEqual([{ name: 'x.apps.example.com.', type: 'A', ttl: 60, data: '192.0.2.7' }]);
  });
});

describe('resolve: the index of a zone follows its records', () => {
  it('answers from the records the zone holds now: a batch replaces the array, and an array grown in place is indexed again', () => {
    // Prepare
    const w = world([weighted('east', 100)]);
    const zone = w.zones[0]!;
    expect(addresses(w, 'shop.example.com')).toEqual(['127.0.1.1']);
    expect(ask(w, 'new.example.com').rcode).toBe('NXDOMAIN');
    // Act: a change batch applied (the service replaces the array)
    zone.records = [
      ...zone.records.filter((r) => r.name !== 'shop.example.com.'),
      { name: 'new.example.com.', type: 'A', ttl: 30, resourceRecords: ['192.0.2.7'] },
    ];
    // Assess
    expect(ask(w, 'shop.example.com').rcode).toBe('NXDOMAIN');
    expect(addresses(w, 'new.example.com')).toEqual(['192.0.2.7']);
    // A record pushed onto the same array is seen too; its parent becomes an empty non-terminal.
    zone.records.push({ name: 'a.b.example.com.', type: 'A', ttl: 30, resourceRecords: ['192.0.2.8'] });
    expect(addresses(w, 'a.b.example.com')).toEqual(['192.0.2.8']);
    expect(ask(w, 'b.example.com')).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });
});
