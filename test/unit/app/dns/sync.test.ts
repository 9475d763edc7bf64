import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planDns, syncDns, type DnsPorts } from '../../../../src/app/dns/sync.ts';
import { healthCheckIdsAfter, heldForUnreachable, recordsAfter, selectZones } from '../../../../src/core/zone-state.ts';
import { NEW_HEALTH_CHECK_PREFIX } from '../../../../src/core/health-check-plan.ts';
import { ConfigError } from '../../../../src/core/errors.ts';
import type { PublishedEndpoint, RecordSet } from '../../../../src/core/model.ts';
import { exampleEndpoints, exampleFleet, staticSource } from '../../aws/helpers/example-fleet.ts';
import { FakeRoute53 } from '../../aws/helpers/fake-route53.ts';
import { VirtualClock } from '../../aws/helpers/virtual-clock.ts';

const ZONE = { id: 'Z1', name: 'example.com.' };

function setup(endpoints: PublishedEndpoint[] = exampleEndpoints(), records: RecordSet[] = []) {
  const r53 = new FakeRoute53([ZONE], { Z1: records });
  const clock = new VirtualClock();
  const lines: string[] = [];
  const ports: DnsPorts = { route53: r53, endpoints: staticSource(endpoints), clock, onProgress: (line) => lines.push(line) };
  return { r53, clock, lines, ports };
}

const names = (records: readonly RecordSet[]) => records.map((r) => `${r.name} ${r.type}${r.setIdentifier ? ` ${r.setIdentifier}` : ''}`).sort();

describe('planDns', () => {
  it('plans health checks to create and the records that will carry them, and changes nothing', async () => {
    // Prepare
    const { r53, ports } = setup();

    // Act
    const report = await planDns({ fleet: exampleFleet }, ports);

    // Assess
    expect(report.healthCheckSteps.map((s) => [s.kind, s.want.cluster]).sort()).toEqual([
      ['create', 'east'],
      ['create', 'east'],
      ['create', 'eu'],
      ['create', 'west'],
      ['create', 'west'],
    ]);
    const creates = report.plan.zones.flatMap((z) => z.groups.flatMap((g) => g.changes)).filter((c) => c.recordSet.type === 'A');
    expect(creates).toHaveLength(12); // shop ×3, api ×2, docs ×2, three canaries, api's per-app health names on east and west
    expect(creates.every((c) => c.action === 'CREATE')).toBe(true);
    // App records carry their cluster's (new) check; canary and per-app health records carry none: they are what the checks probe.
    const probed = (name: string) => name.startsWith('canary-') || name === 'east.api.example.com.' || name === 'west.api.example.com.';
    const apps = creates.filter((c) => !probed(c.recordSet.name));
    expect(apps).toHaveLength(7);
    expect(apps.every((c) => c.recordSet.healthCheckId?.startsWith(NEW_HEALTH_CHECK_PREFIX))).toBe(true);
    expect(creates.filter((c) => probed(c.recordSet.name)).every((c) => c.recordSet.healthCheckId === undefined)).toBe(true);
    expect(report.healthCheckSteps.map((s) => s.want.spec.fqdn).sort()).toEqual([
      'canary-east.example.com',
      'canary-eu.example.com',
      'canary-west.example.com',
      'east.api.example.com',
      'west.api.example.com',
    ]);
    expect(report.requests).toHaveLength(1);
    expect(report.problems).toEqual([]);
    expect(r53.calls.filter((c) => !c.startsWith('List'))).toEqual([]);
  });
});

describe('syncDns', () => {
  it('creates health checks, applies the records, waits for INSYNC, and a second run changes nothing', async () => {
    // Prepare
    const { r53, clock, ports, lines } = setup();
    r53.pollsUntilInsync = 2;

    // Act
    const first = await syncDns({ fleet: exampleFleet }, ports);
    const second = await syncDns({ fleet: exampleFleet }, ports);

    // Assess
    expect(first.failed).toBe(false);
    // One check per cluster and spec: api asks for /healthz on east and west.
    expect(first.healthCheckActions.map((a) => a.kind)).toEqual(Array(5).fill('create'));
    expect(first.groups.every((g) => g.status === 'applied')).toBe(true);
    expect(first.insync).toMatchObject({ insync: ['C6'], pending: [] });
    expect(clock.sleeps.filter((ms) => ms === 2000)).toHaveLength(2);
    const records = r53.records.get('Z1')!;
    expect(names(records)).toContain('shop.example.com. A east');
    expect(records.find((r) => r.name === 'api.example.com.' && r.setIdentifier === 'east')?.failover).toBe('PRIMARY');
    const probed = (name: string) => name.startsWith('canary-') || name === 'east.api.example.com.' || name === 'west.api.example.com.';
    expect(records.filter((r) => r.type === 'A' && !probed(r.name)).every((r) => r.healthCheckId && r53.checks.has(r.healthCheckId))).toBe(true);
    // api's per-app checks probe the app through each cluster's own record.
    const apiEast = records.find((r) => r.name === 'api.example.com.' && r.setIdentifier === 'east')!;
    expect(r53.checks.get(apiEast.healthCheckId!)?.spec).toMatchObject({ fqdn: 'east.api.example.com', path: '/healthz' });
    expect(records.find((r) => r.name === 'east.api.example.com.')?.aliasTarget?.dnsName).toBe(apiEast.aliasTarget?.dnsName);
    expect(second.requests).toEqual([]);
    expect(second.healthCheckActions).toEqual([]);
    expect(second.failed).toBe(false);
    expect(lines).toContain('plan: 0 change(s) in 0 request(s)');
  });

  it('leaves records it does not own alone', async () => {
    const foreign: RecordSet = { name: 'mail.example.com.', type: 'MX', ttl: 300, values: ['10 mx.example.com.'] };
    const { r53, ports } = setup(exampleEndpoints(), [foreign]);

    await syncDns({ fleet: exampleFleet }, ports);
    // Every cluster withdrawn from the fleet (a new one that never published takes their place): all owned sets go.
    const north = { ...exampleFleet.clusters[0]!, name: 'north', canaryHostname: 'canary-north.example.com' };
    await syncDns({ fleet: { ...exampleFleet, policy: 'sync', clusters: [north] } }, { ...ports, endpoints: staticSource([]) });

    expect(r53.records.get('Z1')).toEqual([foreign]);
  });

  it('applies the good names of a rejected batch and reports the bad one with Route 53’s message (exit 1)', async () => {
    // Prepare
    const { r53, ports } = setup();
    r53.rejectNames.add('api.example.com.');

    // Act
    const report = await syncDns({ fleet: exampleFleet }, ports);

    // Assess
    expect(report.failed).toBe(true);
    const failed = report.groups.filter((g) => g.status === 'failed');
    expect(failed.map((g) => g.group.name)).toEqual(['api.example.com.']);
    expect(failed[0]!.messages).toEqual([
      'RRSet of type A with DNS name api.example.com. is not permitted in zone Z1',
      'RRSet of type A with DNS name api.example.com. is not permitted in zone Z1',
    ]);
    const applied = names(r53.records.get('Z1')!);
    expect(applied).toContain('shop.example.com. A west');
    expect(applied.some((n) => n.startsWith('api.'))).toBe(false);
    expect(report.requestsSent).toBe(1 + report.groups.length);
  });

  it('drains a cluster: weighted records of that cluster go to weight 0 in one batched request', async () => {
    const { r53, ports } = setup();
    await syncDns({ fleet: exampleFleet }, ports);
    r53.calls = [];

    const report = await syncDns({ fleet: exampleFleet }, { ...ports, intents: async () => [{ cluster: 'east', state: 'DRAINED', weightPercent: 0 }] });

    expect(report.failed).toBe(false);
    expect(r53.records.get('Z1')!.find((r) => r.name === 'shop.example.com.' && r.setIdentifier === 'east')?.weight).toBe(0);
    expect(r53.count('ChangeResourceRecordSets')).toBe(1);
  });

  it('updates a health check in place when the config changes, keeping the records as they are', async () => {
    // Prepare
    const { r53, ports } = setup();
    await syncDns({ fleet: exampleFleet }, ports);
    const before = structuredClone(r53.records.get('Z1'));
    const ids = [...r53.checks.keys()].sort();
    r53.calls = [];

    // Act
    const fleet = { ...exampleFleet, healthCheck: { ...exampleFleet.healthCheck, path: '/ready', failureThreshold: 2 } };
    const report = await syncDns({ fleet }, ports);

    // Assess
    expect(report.healthCheckActions.map((a) => a.kind)).toEqual(Array(5).fill('update'));
    expect([...r53.checks.keys()].sort()).toEqual(ids);
    expect([...r53.checks.values()].map((c) => c.spec.path).sort()).toEqual(['/healthz', '/healthz', '/ready', '/ready', '/ready']); // api asks for /healthz itself
    expect([...r53.checks.values()].every((c) => c.spec.failureThreshold === 2)).toBe(true);
    expect(r53.records.get('Z1')).toEqual(before);
    expect(r53.count('ChangeResourceRecordSets')).toBe(0);
  });

  it('replaces a health check whose type changes, moves the records to it, then deletes the old one', async () => {
    // Prepare
    const { r53, ports } = setup();
    await syncDns({ fleet: exampleFleet }, ports);
    const oldIds = new Set(r53.checks.keys());

    // Act
    const fleet = { ...exampleFleet, healthCheck: { ...exampleFleet.healthCheck, protocol: 'HTTPS' as const, port: 443 } };
    const report = await syncDns({ fleet }, ports);

    // Assess
    expect(report.failed).toBe(false);
    expect(report.healthCheckActions.map((a) => a.kind)).toEqual([...Array(5).fill('create'), ...Array(5).fill('delete')]);
    expect([...r53.checks.keys()].some((id) => oldIds.has(id))).toBe(false);
    const used = new Set(
      r53.records
        .get('Z1')!
        .map((r) => r.healthCheckId)
        .filter(Boolean),
    );
    expect([...used].every((id) => r53.checks.get(id!)?.spec.protocol === 'HTTPS')).toBe(true);
    const lastWait = r53.calls.lastIndexOf(r53.calls.filter((c) => c.startsWith('GetChange')).at(-1)!);
    const lastChange = r53.calls
      .map((c, i) => (c.startsWith('ChangeResourceRecordSets') ? i : -1))
      .filter((i) => i >= 0)
      .at(-1)!;
    const firstDelete = r53.calls.findIndex((c) => c.startsWith('DeleteHealthCheck'));
    expect(lastChange).toBeLessThan(lastWait);
    expect(lastWait).toBeLessThan(firstDelete);
  });

  it('keeps unused health checks under upsert-only', async () => {
    const { r53, ports } = setup();
    await syncDns({ fleet: exampleFleet }, ports);
    const fleet = { ...exampleFleet, policy: 'upsert-only' as const, healthCheck: { ...exampleFleet.healthCheck, protocol: 'TCP' as const } };

    const report = await syncDns({ fleet }, ports);

    expect(report.healthCheckActions.filter((a) => a.kind === 'delete')).toEqual([]);
    expect(r53.checks.size).toBe(10); // 5 HTTP kept + 5 TCP (api's per-app checks probe east.api / west.api, not the canaries)
  });

  it('names the config when a managed zone does not exist', async () => {
    const { ports } = setup();
    const fleet = { ...exampleFleet, zones: [{ name: 'example.net' }] };
    await expect(syncDns({ fleet, fleetFile: '/f/fleet.yaml' }, ports)).rejects.toThrow(
      '/f/fleet.yaml: invalid configuration\n  zones[0].name: no hosted zone named example.net. in this account',
    );
  });
});

describe('selectZones', () => {
  const listed = [
    { id: 'ZPUB', name: 'example.com.', private: false },
    { id: 'ZPRIV', name: 'example.com.', private: true },
    { id: 'ZORG', name: 'example.org.', private: false },
  ];

  it('picks by pinned id or by a unique name', () => {
    const fleet = { ...exampleFleet, zones: [{ name: 'example.com', id: 'ZPRIV' }, { name: 'Example.org.' }] };
    expect(selectZones(fleet, listed).map((z) => z.id)).toEqual(['ZORG', 'ZPRIV']);
  });

  it('refuses a name several zones share without a pinned id, and a pinned id with another name', () => {
    const fleet = { ...exampleFleet, zones: [{ name: 'example.com' }, { name: 'example.net', id: 'ZORG' }] };
    let error: unknown;
    try {
      selectZones(fleet, listed);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      'zones[0].name: 2 hosted zones are named example.com. (ZPUB, ZPRIV private); pin zones[0].id',
      'zones[1].id: hosted zone ZORG is example.org., not example.net.',
    ]);
  });
});

describe('recordsAfter', () => {
  it('applies groups by record key on top of what was read', () => {
    const a: RecordSet = { name: 'a.example.com.', type: 'A', ttl: 60, values: ['1.1.1.1'] };
    const b: RecordSet = { name: 'b.example.com.', type: 'A', ttl: 60, values: ['2.2.2.2'] };
    const a2 = { ...a, values: ['9.9.9.9'] };
    const after = recordsAfter(
      [{ zoneId: 'Z1', records: [a, b] }],
      [
        { zoneId: 'Z1', group: { name: a.name, changes: [{ action: 'UPSERT', recordSet: a2 }] } },
        { zoneId: 'Z1', group: { name: b.name, changes: [{ action: 'DELETE', recordSet: b }] } },
      ],
    );
    expect(after.get('Z1')).toEqual([a2]);
  });
});

describe('healthCheckIdsAfter', () => {
  it('equals the ids carried by recordsAfter, whatever the changes', () => {
    const hc = fc.option(fc.constantFrom('h1', 'h2', 'h3'), { nil: undefined });
    const record = fc
      .record({ name: fc.constantFrom('a.example.com.', 'b.example.com.'), set: fc.constantFrom('east', 'west'), hc })
      .map(({ name, set, hc: id }): RecordSet => ({
        name,
        type: 'A',
        setIdentifier: set,
        weight: 1,
        ttl: 60,
        values: ['1.1.1.1'],
        ...(id ? { healthCheckId: id } : {}),
      }));
    fc.assert(
      fc.property(
        fc.uniqueArray(record, { selector: (r) => `${r.name}|${r.setIdentifier}` }),
        fc.array(fc.tuple(fc.constantFrom('CREATE', 'UPSERT', 'DELETE'), record)),
        (actual, changes) => {
          const applied = changes.map(([action, recordSet]) => ({ zoneId: 'Z1', group: { name: recordSet.name, changes: [{ action, recordSet }] } }));
          // DELETE carries the exact existing set in a real plan: make it so.
          const current = new Map(actual.map((r) => [`${r.name}|${r.setIdentifier}`, r]));
          for (const a of applied) {
            const change = a.group.changes[0]!;
            const key = `${change.recordSet.name}|${change.recordSet.setIdentifier}`;
            if (change.action === 'DELETE') {
              const existing = current.get(key);
              if (existing) change.recordSet = existing;
              else change.action = 'CREATE';
            }
            if (change.action === 'CREATE' && current.has(key)) change.action = 'UPSERT';
            if (change.action === 'DELETE') current.delete(key);
            else current.set(key, change.recordSet);
          }
          const expected = new Set(
            [...recordsAfter([{ zoneId: 'Z1', records: actual }], applied).values()]
              .flat()
              .map((r) => r.healthCheckId)
              .filter((id): id is string => id !== undefined),
          );
          expect(healthCheckIdsAfter([{ zoneId: 'Z1', records: actual }], applied)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('heldForUnreachable', () => {
  it('holds the sets of clusters not read, and whole names with a simple set', () => {
    const alias = { hostedZoneId: 'Z26RNL4JYFTOTI', dnsName: 'lb.elb.us-east-1.amazonaws.com.', evaluateTargetHealth: true };
    const records: RecordSet[] = [
      { name: 'shop.example.com.', type: 'A', setIdentifier: 'eu', weight: 100, aliasTarget: alias },
      { name: 'shop.example.com.', type: 'A', setIdentifier: 'east', weight: 100, aliasTarget: alias },
      { name: 'solo.example.com.', type: 'A', aliasTarget: alias },
      { name: 'mail.example.com.', type: 'MX', ttl: 300, values: ['10 mx.example.com.'] },
    ];
    expect(heldForUnreachable([{ zoneId: 'Z1', records }], ['eu'])).toEqual([
      { name: 'shop.example.com.', setIdentifier: 'eu', reason: 'cluster eu could not be read' },
      { name: 'solo.example.com.', reason: 'clusters eu could not be read' },
    ]);
    expect(heldForUnreachable([{ zoneId: 'Z1', records }], [])).toEqual([]);
  });

  it('makes sync leave an unread cluster’s records and report failure', async () => {
    const { r53, ports } = setup();
    await syncDns({ fleet: exampleFleet }, ports);
    const before = structuredClone(r53.records.get('Z1'));
    const withoutEu = exampleEndpoints().filter((e) => e.cluster !== 'eu');

    const report = await syncDns(
      { fleet: exampleFleet },
      { ...ports, endpoints: { description: 'test', list: async () => ({ endpoints: withoutEu, problems: [], unreachable: ['eu'] }) } },
    );

    expect(report.failed).toBe(true);
    expect(report.unreachable).toEqual(['eu']);
    expect(r53.records.get('Z1')).toEqual(before);
  });

  it('holds a cluster that published nothing while Route 53 holds its records, and says so (exit 1)', async () => {
    // Prepare: the example fleet in Route 53, then a source that reads nothing for eu (an empty mount).
    const { r53, ports, lines } = setup();
    await syncDns({ fleet: exampleFleet }, ports);
    const before = structuredClone(r53.records.get('Z1'));
    const checks = [...r53.checks.keys()].sort();

    // Act
    const report = await syncDns({ fleet: exampleFleet }, { ...ports, endpoints: staticSource(exampleEndpoints().filter((e) => e.cluster !== 'eu')) });

    // Assess
    expect(report.failed).toBe(true);
    expect(report.unreachable).toEqual(['eu']);
    expect(report.problems).toContainEqual({
      subject: 'eu',
      cluster: 'eu',
      reason: expect.stringMatching(
        /^the source published nothing for it \(not even its canary\), but Route 53 holds 3 record set\(s\) of it: the cluster is held/,
      ),
    });
    expect(lines).toContain('clusters that published nothing, their records are left as they are: eu');
    expect(r53.records.get('Z1')).toEqual(before);
    expect([...r53.checks.keys()].sort()).toEqual(checks);
  });

  it('does not hold a silent cluster that has no records, nor one removed from the fleet', async () => {
    const { r53, ports } = setup(exampleEndpoints().filter((e) => e.cluster !== 'eu'));
    const first = await syncDns({ fleet: exampleFleet }, ports);
    expect(first.unreachable).toEqual([]);
    expect(first.failed).toBe(false);

    await syncDns({ fleet: exampleFleet }, { ...ports, endpoints: staticSource(exampleEndpoints()) });
    const withoutEu = { ...exampleFleet, clusters: exampleFleet.clusters.filter((c) => c.name !== 'eu') };
    const removed = await syncDns({ fleet: withoutEu }, { ...ports, endpoints: staticSource(exampleEndpoints().filter((e) => e.cluster !== 'eu')) });
    expect(removed.unreachable).toEqual([]);
    expect(r53.records.get('Z1')!.some((r) => r.setIdentifier === 'eu' || r.name.startsWith('canary-eu'))).toBe(false);
  });
});
