import { describe, expect, it } from 'vitest';
import { parseFleetConfig } from '../../../../src/core/config.ts';
import { emptyFleetState } from '../../../../src/core/fleet-document.ts';
import type { RecordSet } from '../../../../src/core/model.ts';
import { fleetStatus, servingMembers } from '../../../../src/local/runtime/status.ts';
import { renderStatus, StatusView, summarizeDetail, summaryLine, type LocalStatus } from '../../../../src/local/runtime/status-view.ts';
import { readFileSync } from 'node:fs';

const member = (cluster: string, healthy: boolean, extra: { weight?: number; role?: string } = {}) => ({ cluster, healthy, ...extra });

describe('servingMembers (which records Route 53 answers with)', () => {
  it.each([
    [
      'weighted: every healthy record with weight',
      'weighted',
      [member('a', true, { weight: 100 }), member('b', false, { weight: 100 }), member('c', true, { weight: 0 })],
      ['a'],
    ],
    [
      'weighted: all unhealthy answers as if all were healthy',
      'weighted',
      [member('a', false, { weight: 100 }), member('b', false, { weight: 50 }), member('c', false, { weight: 0 })],
      ['a', 'b'],
    ],
    ['failover: the healthy primary', 'failover', [member('a', true, { role: 'PRIMARY' }), member('b', true, { role: 'SECONDARY' })], ['a']],
    ['failover: the secondary when the primary fails', 'failover', [member('a', false, { role: 'PRIMARY' }), member('b', true, { role: 'SECONDARY' })], ['b']],
    ['failover: the primary when both fail', 'failover', [member('a', false, { role: 'PRIMARY' }), member('b', false, { role: 'SECONDARY' })], ['a']],
    ['failover: the secondary alone', 'failover', [member('b', true, { role: 'SECONDARY' })], ['b']],
    ['latency: the healthy ones', 'latency', [member('a', true), member('b', false)], ['a']],
    ['simple: the record', 'simple', [member('a', false)], ['a']],
  ] as const)('%s', (_what, routing, members, expected) => {
    expect([...servingMembers(routing, members)].sort()).toEqual(expected);
  });
});

describe('fleetStatus', () => {
  it("reads intents, locks, failover marks, health and each app's records through the ports", async () => {
    // Prepare
    const fleet = parseFleetConfig(readFileSync('examples/fleet/fleet.yaml', 'utf8'), 'fleet.yaml');
    const state = emptyFleetState();
    state.intents['east'] = { cluster: 'east', state: 'DRAINING', weightPercent: 50 };
    state.locks['east'] = {
      cluster: 'east',
      holder: 'drain-1',
      operation: 'drain',
      token: 1,
      acquiredAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    };
    state.failovers['west'] = { cluster: 'west', alarmName: 'a', at: new Date().toISOString() };
    const alias = (c: string) => ({ hostedZoneId: 'Z', dnsName: `${c}.elb.amazonaws.com.`, evaluateTargetHealth: true });
    const records: RecordSet[] = [
      { name: 'shop.example.com.', type: 'A', setIdentifier: 'east', weight: 50, aliasTarget: alias('east'), healthCheckId: 'hc-east' },
      { name: 'shop.example.com.', type: 'A', setIdentifier: 'west', weight: 0, aliasTarget: alias('west'), healthCheckId: 'hc-west' },
      { name: 'shop.example.com.', type: 'A', setIdentifier: 'eu', weight: 100, aliasTarget: alias('eu'), healthCheckId: 'hc-eu' },
      { name: '_switchyard.shop.example.com.', type: 'TXT', ttl: 300, values: ['"heritage=switchyard"'] },
      { name: 'solo.example.com.', type: 'A', aliasTarget: alias('eu') },
      { name: 'canary-east.example.com.', type: 'A', aliasTarget: alias('east') },
    ];
    // Act
    const status = await fleetStatus({
      fleet,
      table: {
        readFleet: async () => state,
        listApps: async () => [
          {
            hostname: 'solo.example.com',
            endpoints: [{ hostname: 'solo.example.com', cluster: 'eu', kind: 'Gateway', gateway: 'a/b', annotations: {} }],
            updatedAt: '',
          },
        ],
      },
      route53: { listHostedZones: async () => [{ id: 'Z1', name: 'example.com.' }], listRecordSets: async () => records },
      health: { snapshot: async () => ({ clusters: { east: 'HEALTHY', west: 'UNHEALTHY', eu: 'HEALTHY' } }) },
      healthCheckStatus: (id) => id !== 'hc-eu',
    });
    // Assess
    expect(status.clusters).toEqual([
      { name: 'east', region: 'us-east-1', intent: 'DRAINING', weightPercent: 50, health: 'HEALTHY', lock: 'drain by drain-1', failedOver: false },
      { name: 'west', region: 'us-west-2', intent: 'ACTIVE', weightPercent: 100, health: 'UNHEALTHY', failedOver: true },
      { name: 'eu', region: 'eu-west-1', intent: 'ACTIVE', weightPercent: 100, health: 'HEALTHY', failedOver: false },
    ]);
    expect(status.apps).toEqual([
      {
        hostname: 'shop.example.com',
        routing: 'weighted',
        clusters: [
          { cluster: 'east', weight: 50, healthy: true, serving: true },
          { cluster: 'west', weight: 0, healthy: true, serving: false },
          { cluster: 'eu', weight: 100, healthy: false, serving: false },
        ],
      },
      { hostname: 'solo.example.com', routing: 'simple', clusters: [{ cluster: 'eu', healthy: true, serving: true }] },
    ]);
    expect(status.unserved).toEqual([]);
  });

  it('lists the apps no healthy, active cluster serves, with their drained clusters', async () => {
    // Prepare: shop on east (DRAINED) and west (UNHEALTHY); solo on eu (healthy).
    const fleet = parseFleetConfig(readFileSync('examples/fleet/fleet.yaml', 'utf8'), 'fleet.yaml');
    const state = emptyFleetState();
    state.intents['east'] = { cluster: 'east', state: 'DRAINED', weightPercent: 0 };
    const endpoint = (hostname: string, cluster: string) => ({ hostname, cluster, kind: 'Gateway' as const, gateway: 'a/b', annotations: {} });
    // Act
    const status = await fleetStatus({
      fleet,
      table: {
        readFleet: async () => state,
        listApps: async () => [
          { hostname: 'shop.example.com', endpoints: [endpoint('shop.example.com', 'east'), endpoint('shop.example.com', 'west')], updatedAt: '' },
          { hostname: 'solo.example.com', endpoints: [endpoint('solo.example.com', 'eu')], updatedAt: '' },
        ],
      },
      route53: { listHostedZones: async () => [{ id: 'Z1', name: 'example.com.' }], listRecordSets: async () => [] },
      health: { snapshot: async () => ({ clusters: { east: 'HEALTHY', west: 'UNHEALTHY', eu: 'HEALTHY' } }) },
    });
    // Assess
    expect(status.unserved).toEqual([{ hostname: 'shop.example.com', drained: ['east'], unhealthy: ['west'] }]);
    expect(renderStatus({ ...STATUS, unserved: status.unserved }).join('\n')).toContain(
      '! shop.example.com has no healthy cluster (drained, stays drained: east) (unhealthy: west)',
    );
  });
});

const STATUS: LocalStatus = {
  endpoint: 'http://127.0.0.1:4566',
  fleet: '/fleet',
  ready: true,
  clusters: [
    { name: 'east', region: 'us-east-1', intent: 'ACTIVE', weightPercent: 100, health: 'UNHEALTHY', failedOver: true },
    { name: 'west', region: 'us-west-2', intent: 'DRAINING', weightPercent: 50, health: 'HEALTHY', failedOver: false, lock: 'drain by d-1' },
  ],
  apps: [
    {
      hostname: 'shop.example.com',
      routing: 'weighted',
      clusters: [
        { cluster: 'east', weight: 0, healthy: false, serving: false },
        { cluster: 'west', weight: 50, healthy: true, serving: true },
      ],
    },
  ],
  unserved: [],
  canaries: [{ cluster: 'east', hostname: 'canary-east.example.com', mode: 'failing', failingApps: [], address: '127.0.1.1', port: 1, requests: 3 }],
  alarms: [],
  executions: [{ workflow: 'DrainCluster', name: 'd-1', executionArn: 'arn', status: 'RUNNING', startDate: '2030-01-01T10:00:00.000Z' }],
  events: [
    {
      time: '2030-01-01T10:00:01Z',
      bus: 'b',
      source: 'aws.cloudwatch',
      detailType: 'CloudWatch Alarm State Change',
      summary: 'alarmName=x state=ALARM',
      deliveries: ['r → router: delivered'],
    },
  ],
  problems: [],
};

describe('the status view', () => {
  it('renders clusters, apps × clusters, executions and events', () => {
    // Act
    const text = renderStatus(STATUS).join('\n');
    // Assess
    expect(text).toContain('switchyard local — http://127.0.0.1:4566');
    expect(text).toMatch(/east +us-east-1 +ACTIVE \(failed over\) +100 +UNHEALTHY +failing/);
    expect(text).toMatch(/west +us-west-2 +DRAINING +50 +HEALTHY +- +drain by d-1/);
    expect(text).toMatch(/shop\.example\.com +weighted +w=0 DOWN +w=50 ok \*/);
    expect(text).toContain('EXECUTIONS (1 running)');
    expect(text).toMatch(/10:00:00 +DrainCluster +RUNNING +d-1/);
    expect(text).toContain('10:00:01  CloudWatch Alarm State Change [aws.cloudwatch] alarmName=x state=ALARM  → r → router: delivered');
  });

  it('prints a plain line when the summary changes, and one a minute anyway (not a TTY)', async () => {
    // Prepare
    const written: string[] = [];
    let current = STATUS;
    let now = Date.parse('2030-01-01T10:00:00Z');
    const view = new StatusView({ collect: async () => current, write: (t) => written.push(t), tty: false, intervalMs: 60_000, now: () => now });
    // Act
    await view.refresh();
    now += 1000;
    await view.refresh();
    current = { ...STATUS, clusters: STATUS.clusters.map((c) => ({ ...c, health: 'HEALTHY' as const })) };
    now += 1000;
    await view.refresh();
    now += 60_000;
    await view.refresh();
    view.stop();
    // Assess
    expect(written).toHaveLength(3);
    expect(written[0]).toBe(`2030-01-01T10:00:00.000Z ${summaryLine(STATUS)}\n`);
    expect(written[1]).toContain('east=ACTIVE/100%/HEALTHY/out');
    expect(written[2]).toMatch(/^2030-01-01T10:01:02\.000Z clusters east=ACTIVE\/100%\/HEALTHY\/out/);
  });

  it('redraws in place on a TTY, within the terminal height', async () => {
    // Prepare
    const written: string[] = [];
    const view = new StatusView({ collect: async () => STATUS, write: (t) => written.push(t), tty: true, intervalMs: 60_000, rows: () => 10 });
    // Act
    await view.refresh();
    view.stop();
    // Assess
    const frame = written.find((t) => t.startsWith('\x1b[H'))!;
    expect(frame.split('\n').length).toBeLessThanOrEqual(10);
    expect(frame.endsWith('\x1b[J')).toBe(true);
    expect(written.at(-1)).toBe('\x1b[?25h');
  });
});

describe('summarizeDetail (the status view and dashboard line of an event)', () => {
  it('counts the apps and hostnames an event lists and the ones it only counts', () => {
    // Prepare: events list 100 and count the rest (docs/workflows.md, Events)
    const apps = Array.from({ length: 100 }, (_, i) => ({ hostname: `app-${i}.example.com` }));

    // Act
    const drained = summarizeDetail({ cluster: 'west', apps, appsNotListed: 9_900 });
    const changed = summarizeDetail({ trigger: 'reconcile', hostnames: ['a.example.com', 'b.example.com'], hostnamesNotListed: 3 });
    const small = summarizeDetail({ cluster: 'west', apps: apps.slice(0, 2) });

    // Assess
    expect(drained).toBe('cluster=west apps=10000');
    expect(changed).toBe('hostnames=a.example.com,b.example.com (+3 more)');
    expect(small).toBe('cluster=west apps=2');
  });
});
