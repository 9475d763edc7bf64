import { describe, expect, it } from 'vitest';
import { attachHealthCheckIds, computeDesiredState, type DesiredInput, type DesiredState } from '../../../src/core/desired.ts';
import type { ClusterIntent } from '../../../src/core/model.ts';
import { ALB_ZONE_US_WEST_2, endpoint, fleet, LB, NLB_ZONE, ZONE, ZONES } from './dns-fixtures.ts';

const SHOP = 'shop.example.com';

function desired(overrides: Partial<DesiredInput> = {}): DesiredState {
  return computeDesiredState({ fleet: fleet(), zones: ZONES, endpoints: [], ...overrides });
}

function drained(cluster: string): ClusterIntent {
  return { cluster, state: 'DRAINED', weightPercent: 0 };
}

/** name|type|setId → the routing fields, for compact assertions. */
function routing(state: DesiredState): Record<string, unknown> {
  return Object.fromEntries(
    state.records.map((r) => [
      `${r.recordSet.name}|${r.recordSet.type}|${r.recordSet.setIdentifier ?? '-'}`,
      r.recordSet.weight ?? r.recordSet.failover ?? r.recordSet.region ?? 'simple',
    ]),
  );
}

describe('computeDesiredState: record sets', () => {
  it('publishes one cluster as a simple alias A without SetIdentifier or TTL', () => {
    const state = desired({ endpoints: [endpoint(SHOP, 'east')] });
    expect(state.problems).toEqual([]);
    expect(state.records).toHaveLength(1);
    const [record] = state.records;
    expect(record).toMatchObject({ zoneId: ZONE.id, hostname: SHOP, cluster: 'east' });
    expect(record?.recordSet).toEqual({
      name: 'shop.example.com.',
      type: 'A',
      aliasTarget: { hostedZoneId: NLB_ZONE.east, dnsName: `${LB.east}.`, evaluateTargetHealth: true },
    });
    expect(record?.healthCheckKey).toBe(state.healthChecks[0]?.key);
    expect(state.apps[0]).toMatchObject({ hostname: SHOP, policy: 'simple', failOpen: false, recordTtlSeconds: 60 });
  });

  it('weights two or more clusters by default, SetIdentifier = cluster, weight from annotation or cluster', () => {
    const state = desired({ endpoints: [endpoint(SHOP, 'east', { weight: 30 }), endpoint(SHOP, 'west')] });
    expect(routing(state)).toEqual({ 'shop.example.com.|A|east': 30, 'shop.example.com.|A|west': 100 });
    expect(state.apps[0]?.policy).toBe('weighted');
  });

  it('uses the ALB/CLB alias zone for an ALB, and publishes AAAA (dualstack. name) for a dual-stack cluster', () => {
    const f = fleet();
    const alb = f.clusters.find((c) => c.name === 'alb')!;
    alb.dualStack = true;
    const state = computeDesiredState({ fleet: f, zones: ZONES, endpoints: [endpoint(SHOP, 'alb')] });
    expect(state.records.map((r) => r.recordSet.type)).toEqual(['A', 'AAAA']);
    for (const r of state.records)
      expect(r.recordSet.aliasTarget).toEqual({ hostedZoneId: ALB_ZONE_US_WEST_2, dnsName: `dualstack.${LB.alb}.`, evaluateTargetHealth: true });
  });

  it('assigns failover roles by failoverPriority, and leaves a third cluster out with a problem', () => {
    const a = { routing: 'failover' as const };
    const state = desired({ endpoints: [endpoint(SHOP, 'west', a), endpoint(SHOP, 'east', a), endpoint(SHOP, 'alb', a)] });
    expect(routing(state)).toEqual({ 'shop.example.com.|A|east': 'PRIMARY', 'shop.example.com.|A|west': 'SECONDARY' });
    expect(state.problems.map((p) => p.reason)).toEqual([expect.stringMatching(/already has a PRIMARY and a SECONDARY; cluster alb is left out/)]);
  });

  it('honours failover annotations over priority', () => {
    const state = desired({
      endpoints: [endpoint(SHOP, 'east', { routing: 'failover', failover: 'secondary' }), endpoint(SHOP, 'west', { routing: 'failover', failover: 'primary' })],
    });
    expect(routing(state)).toEqual({ 'shop.example.com.|A|east': 'SECONDARY', 'shop.example.com.|A|west': 'PRIMARY' });
    expect(state.problems).toEqual([]);
  });

  it('reports two clusters both annotated primary', () => {
    const state = desired({
      endpoints: [endpoint(SHOP, 'east', { routing: 'failover', failover: 'primary' }), endpoint(SHOP, 'west', { routing: 'failover', failover: 'primary' })],
    });
    expect(routing(state)).toEqual({ 'shop.example.com.|A|east': 'PRIMARY', 'shop.example.com.|A|west': 'SECONDARY' });
    expect(state.problems[0]?.reason).toMatch(/asks primary but cluster west is SECONDARY/);
  });

  it('routes latency apps by cluster region', () => {
    const state = desired({ endpoints: [endpoint(SHOP, 'east', { routing: 'latency' }), endpoint(SHOP, 'west', { routing: 'latency' })] });
    expect(routing(state)).toEqual({ 'shop.example.com.|A|east': 'us-east-1', 'shop.example.com.|A|west': 'eu-west-1' });
  });

  it('reports clusters that disagree on routing and falls back to the default', () => {
    const state = desired({ endpoints: [endpoint(SHOP, 'east', { routing: 'latency' }), endpoint(SHOP, 'west', { routing: 'failover' })] });
    expect(state.apps[0]?.policy).toBe('weighted');
    expect(state.problems[0]?.reason).toMatch(
      /clusters disagree on switchyard.io\/routing for shop.example.com \(east: latency; west: failover\); using weighted/,
    );
  });

  it('reports simple routing asked for several clusters and uses weighted', () => {
    const state = desired({ endpoints: [endpoint(SHOP, 'east', { routing: 'simple' }), endpoint(SHOP, 'west')] });
    expect(state.apps[0]?.policy).toBe('weighted');
    expect(state.problems[0]?.reason).toMatch(/simple routing needs exactly one cluster/);
  });

  it('publishes a wildcard hostname and into every zone of a split-horizon name', () => {
    const zones = [ZONE, { id: 'ZPRIVATE', name: 'example.com.', private: true }];
    const state = desired({ zones, endpoints: [endpoint('*.example.com', 'east')] });
    expect(state.records.map((r) => `${r.zoneId} ${r.recordSet.name}`)).toEqual(['ZEXAMPLE *.example.com.', 'ZPRIVATE *.example.com.']);
    expect(state.apps[0]?.zoneIds).toEqual(['ZEXAMPLE', 'ZPRIVATE']);
  });
});

describe('computeDesiredState: intents and health', () => {
  const two = [endpoint(SHOP, 'east'), endpoint(SHOP, 'west')];

  it('gives a drained cluster weight 0 under weighted routing (record stays, restore is an UPSERT)', () => {
    const state = desired({ endpoints: two, intents: [drained('west')] });
    expect(routing(state)).toEqual({ 'shop.example.com.|A|east': 100, 'shop.example.com.|A|west': 0 });
    expect(state.apps[0]?.clusters.find((c) => c.cluster === 'west')).toMatchObject({ inTraffic: false, published: true, why: 'drained: weight 0' });
  });

  it('scales the weight by the intent percentage while draining', () => {
    const state = desired({
      endpoints: [endpoint(SHOP, 'east', { weight: 55 }), endpoint(SHOP, 'west')],
      intents: [{ cluster: 'east', state: 'DRAINING', weightPercent: 50 }],
    });
    expect(routing(state)).toEqual({ 'shop.example.com.|A|east': 28, 'shop.example.com.|A|west': 100 });
  });

  it('treats an UNHEALTHY cluster as out and UNKNOWN as healthy', () => {
    const state = desired({ endpoints: two, health: { east: 'UNHEALTHY', west: 'UNKNOWN' } });
    expect(routing(state)).toEqual({ 'shop.example.com.|A|east': 0, 'shop.example.com.|A|west': 100 });
  });

  it('leaves a drained failover or latency cluster out, keeps a partially drained one', () => {
    const failover = desired({
      endpoints: [endpoint(SHOP, 'east', { routing: 'failover' }), endpoint(SHOP, 'west', { routing: 'failover' })],
      intents: [drained('east')],
    });
    expect(routing(failover)).toEqual({ 'shop.example.com.|A|west': 'SECONDARY' });
    const latency = desired({
      endpoints: [endpoint(SHOP, 'east', { routing: 'latency' }), endpoint(SHOP, 'west', { routing: 'latency' })],
      intents: [{ cluster: 'east', state: 'DRAINING', weightPercent: 50 }, drained('west')],
    });
    expect(routing(latency)).toEqual({ 'shop.example.com.|A|east': 'us-east-1' });
  });

  it('treats DRAINED as 0% whatever weightPercent says', () => {
    const state = desired({ endpoints: two, intents: [{ cluster: 'west', state: 'DRAINED', weightPercent: 100 }] });
    expect(routing(state)['shop.example.com.|A|west']).toBe(0);
  });

  it.each([
    ['weighted', two, { 'shop.example.com.|A|east': 100, 'shop.example.com.|A|west': 100 }],
    ['simple', [endpoint(SHOP, 'east')], { 'shop.example.com.|A|-': 'simple' }],
    [
      'failover',
      [endpoint(SHOP, 'east', { routing: 'failover' }), endpoint(SHOP, 'west', { routing: 'failover' })],
      { 'shop.example.com.|A|east': 'PRIMARY', 'shop.example.com.|A|west': 'SECONDARY' },
    ],
  ])('fails open when every cluster of a %s app is drained or unhealthy', (_, endpoints, expected) => {
    const state = desired({ endpoints, intents: [drained('east')], health: { west: 'UNHEALTHY' } });
    expect(routing(state)).toEqual(expected);
    expect(state.failOpen).toEqual([SHOP]);
    expect(state.apps[0]?.failOpen).toBe(true);
    expect(state.problems.map((p) => p.reason)).toContainEqual(
      expect.stringMatching(/every cluster of shop.example.com is drained or unhealthy; failing open/),
    );
  });

  it('applies per-app intents on top of cluster intents (one app failed over, others untouched)', () => {
    const state = desired({
      endpoints: [...two, endpoint('cart.example.com', 'east'), endpoint('cart.example.com', 'west')],
      appIntents: [{ hostname: 'Shop.example.com', cluster: 'east', weightPercent: 0 }],
    });
    expect(routing(state)).toEqual({
      'cart.example.com.|A|east': 100,
      'cart.example.com.|A|west': 100,
      'shop.example.com.|A|east': 0,
      'shop.example.com.|A|west': 100,
    });
  });

  it('does not fail open while one cluster still takes traffic', () => {
    const state = desired({ endpoints: [...two, endpoint(SHOP, 'alb')], intents: [drained('east'), drained('west')] });
    expect(state.failOpen).toEqual([]);
    expect(routing(state)).toMatchObject({ 'shop.example.com.|A|alb': 100, 'shop.example.com.|A|east': 0 });
  });
});

describe('computeDesiredState: endpoints left out', () => {
  it('keeps enabled: false endpoints out without a problem', () => {
    const state = desired({ endpoints: [endpoint(SHOP, 'east', { enabled: false }), endpoint(SHOP, 'west')] });
    expect(routing(state)).toEqual({ 'shop.example.com.|A|-': 'simple' });
    expect(state.problems).toEqual([]);
  });

  it.each([
    ['outside the domain filter', endpoint('shop.example.org', 'east'), /outside the domainFilter of cluster east/],
    ['in no managed zone', endpoint('shop.other.com', 'east'), /in no managed zone/],
    ['from an unknown cluster', endpoint(SHOP, 'north'), /unknown cluster "north" \(known: east, west, alb\)/],
  ])('reports an endpoint %s and does not publish it', (_, e, reason) => {
    const f = fleet();
    f.clusters[0]!.domainFilter = ['example.com', 'other.com'];
    const state = computeDesiredState({ fleet: f, zones: ZONES, endpoints: [e, endpoint('ok.example.com', 'west')] });
    expect(state.records.map((r) => r.hostname)).toEqual(['ok.example.com']);
    expect(state.problems).toHaveLength(1);
    expect(state.problems[0]?.reason).toMatch(reason);
    expect(state.problems[0]?.subject).toBe(`${e.cluster}/Gateway/${e.gateway}`);
  });

  it('holds the records of a cluster whose entry point is unrecognised or missing', () => {
    const state = desired({ endpoints: [endpoint(SHOP, 'east', {}, 'ingress.example.net'), endpoint(SHOP, 'west', {}, null), endpoint(SHOP, 'alb')] });
    expect(routing(state)).toEqual({ 'shop.example.com.|A|alb': 100 });
    expect(state.held).toEqual([
      { name: 'shop.example.com.', setIdentifier: 'east', reason: 'unrecognised entry point' },
      { name: 'shop.example.com.', setIdentifier: 'west', reason: 'no entry point' },
    ]);
    expect(state.problems.map((p) => p.reason)).toEqual([
      expect.stringMatching(/"ingress.example.net" is not an Elastic Load Balancing DNS name/),
      expect.stringMatching(/on cluster west has no entry point/),
    ]);
    // Still weighted: the broken clusters count, so fixing them is an UPSERT-free CREATE.
    expect(state.apps[0]?.policy).toBe('weighted');
  });

  it('prefers the pinned cluster entry point over the discovered one', () => {
    const f = fleet();
    f.clusters[0]!.entryPoint = 'pinned-1.elb.us-east-2.amazonaws.com';
    const state = computeDesiredState({ fleet: f, zones: ZONES, endpoints: [endpoint(SHOP, 'east')] });
    expect(state.records[0]?.recordSet.aliasTarget).toMatchObject({ dnsName: 'pinned-1.elb.us-east-2.amazonaws.com.', hostedZoneId: 'ZLMOA37VPKANP' });
  });

  it('reports a hostname published twice in one cluster with different settings, using the first', () => {
    const first = endpoint(SHOP, 'east', { weight: 10 });
    const second = { ...endpoint(SHOP, 'east', { weight: 20 }), gateway: 'zzz/other' };
    const state = desired({ endpoints: [second, first] });
    expect(state.problems[0]?.reason).toMatch(/also published by east\/Gateway\/apps\/shop with other settings/);
    expect(state.records).toHaveLength(1);
  });
});

describe('health checks', () => {
  it('shares one check per identical (cluster, spec) and separates different specs', () => {
    const state = desired({
      endpoints: [
        endpoint(SHOP, 'east'),
        endpoint('cart.example.com', 'east'),
        endpoint('api.example.com', 'east', { healthPath: '/healthz' }),
        endpoint(SHOP, 'west'),
      ],
    });
    expect(state.healthChecks.map((h) => [h.cluster, h.spec.fqdn, h.spec.path])).toEqual(
      expect.arrayContaining([
        ['east', 'canary-east.example.com', '/status/200'],
        ['east', 'east.api.example.com', '/healthz'],
        ['west', 'canary-west.example.com', '/status/200'],
      ]),
    );
    expect(state.healthChecks).toHaveLength(3);
    const keys = new Set(state.healthChecks.map((h) => h.key));
    for (const r of state.records.filter((r) => r.hostname !== 'east.api.example.com')) expect(keys.has(r.healthCheckKey!)).toBe(true);
  });

  it('a per-app check probes the app through its cluster: <cluster>.<hostname>, a simple alias to that entry point only', () => {
    // Prepare: api asks for its own check (health-path) on both clusters; east is drained.
    const a = { routing: 'failover' as const, healthPath: '/healthz' };
    // Act
    const state = desired({ endpoints: [endpoint('api.example.com', 'east', a), endpoint('api.example.com', 'west', a)], intents: [drained('east')] });
    // Assess: one check per cluster for the app, each probing its own per-cluster name (Host and SNI = that name).
    expect(state.healthChecks.map((h) => [h.cluster, h.spec.fqdn, h.spec.path]).sort()).toEqual([
      ['east', 'east.api.example.com', '/healthz'],
      ['west', 'west.api.example.com', '/healthz'],
    ]);
    const east = state.records.find((r) => r.recordSet.name === 'east.api.example.com.')!;
    const west = state.records.find((r) => r.recordSet.name === 'west.api.example.com.')!;
    // The record the check resolves: simple, to that cluster's entry point, no check of its own, kept while drained.
    expect(east).toEqual({
      zoneId: ZONE.id,
      hostname: 'east.api.example.com',
      cluster: 'east',
      recordSet: { name: 'east.api.example.com.', type: 'A', aliasTarget: expect.objectContaining({ dnsName: `${LB.east}.` }) },
    });
    expect(west.recordSet).toMatchObject({ type: 'A', aliasTarget: expect.objectContaining({ dnsName: `${LB.west}.` }) });
    expect(west.recordSet.setIdentifier).toBeUndefined();
    // The app's own records carry the per-app checks.
    const apiWest = state.records.find((r) => r.recordSet.name === 'api.example.com.' && r.cluster === 'west')!;
    expect(apiWest.healthCheckKey).toBe(state.healthChecks.find((h) => h.cluster === 'west')!.key);
  });

  it("without health-* annotations the app keeps its cluster's canary check and gets no per-app record", () => {
    const state = desired({ endpoints: [endpoint(SHOP, 'east'), endpoint(SHOP, 'west')] });
    expect(state.healthChecks.map((h) => h.spec.fqdn).sort()).toEqual(['canary-east.example.com', 'canary-west.example.com']);
    expect(state.records.map((r) => r.recordSet.name)).toEqual([`${SHOP}.`, `${SHOP}.`]);
  });

  it("a Gateway publishing another cluster's per-app health name is refused; the owning cluster's is the health record", () => {
    const state = desired({
      endpoints: [
        endpoint('api.example.com', 'east', { healthPath: '/healthz' }),
        endpoint('east.api.example.com', 'west'),
        endpoint('east.api.example.com', 'east'),
      ],
    });
    expect(state.problems.map((p) => p.reason)).toContainEqual(
      expect.stringContaining('east.api.example.com is the per-app health name of api.example.com on cluster east; only east may publish it'),
    );
    expect(state.records.filter((r) => r.recordSet.name === 'east.api.example.com.').map((r) => r.recordSet)).toEqual([
      { name: 'east.api.example.com.', type: 'A', aliasTarget: expect.objectContaining({ dnsName: `${LB.east}.` }) },
    ]);
  });

  it('keeps the check of a drained failover cluster (for the restore health gate)', () => {
    const state = desired({
      endpoints: [endpoint(SHOP, 'east', { routing: 'failover' }), endpoint(SHOP, 'west', { routing: 'failover' })],
      intents: [drained('east')],
    });
    expect(state.healthChecks.map((h) => h.cluster).sort()).toEqual(['east', 'west']);
  });

  it('attaches health-check ids, and holds records whose check does not exist yet', () => {
    const state = desired({ endpoints: [endpoint(SHOP, 'east'), endpoint(SHOP, 'west')] });
    const east = state.healthChecks.find((h) => h.cluster === 'east')!;
    const attached = attachHealthCheckIds(state, new Map([[east.key, 'hc-east']]));
    expect(attached.records.map((r) => [r.cluster, r.recordSet.healthCheckId])).toEqual([['east', 'hc-east']]);
    expect(attached.held).toEqual([{ name: 'shop.example.com.', setIdentifier: 'west', reason: expect.stringMatching(/has no id yet/) }]);
    expect(attached.problems[0]?.reason).toMatch(/does not exist yet/);
    expect(state.records[0]?.recordSet.healthCheckId).toBeUndefined();
    expect(attachHealthCheckIds(state, { [east.key]: 'hc-east', [state.healthChecks.find((h) => h.cluster === 'west')!.key]: 'hc-west' }).held).toEqual([]);
  });
});

describe('canary hostnames', () => {
  it('ignore intents and health, and carry no health check (the check probes them)', () => {
    const canary = { ...endpoint('canary-east.example.com', 'east'), canary: true };
    const state = desired({ endpoints: [canary], intents: [drained('east')], health: { east: 'UNHEALTHY' } });
    expect(state.records).toHaveLength(1);
    expect(state.records[0]?.recordSet).toMatchObject({ name: 'canary-east.example.com.', type: 'A' });
    expect(state.records[0]?.healthCheckKey).toBeUndefined();
    expect(state.failOpen).toEqual([]);
    expect(state.healthChecks.map((h) => h.cluster)).toEqual(['east']);
  });

  it('are recognised from the fleet config, and refused from any other cluster', () => {
    const state = desired({
      endpoints: [endpoint('canary-east.example.com', 'east'), endpoint('canary-east.example.com', 'west')],
      intents: [drained('east')],
    });
    expect(state.records.map((r) => [r.cluster, r.recordSet.setIdentifier])).toEqual([['east', undefined]]);
    expect(state.problems[0]?.reason).toMatch(/canary hostname of cluster east; only east may publish it/);
  });
});

describe('determinism', () => {
  it('gives the same state for endpoints in any order', () => {
    const endpoints = [
      endpoint(SHOP, 'east'),
      endpoint(SHOP, 'west'),
      endpoint('b.example.com', 'alb'),
      endpoint('a.example.com', 'west', { routing: 'latency' }),
    ];
    const forward = desired({ endpoints });
    const backward = desired({ endpoints: [...endpoints].reverse() });
    expect(backward).toEqual(forward);
  });
});
