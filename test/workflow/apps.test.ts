import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishedEndpoint } from '../../src/core/model.ts';
import { exampleEndpoints } from '../unit/aws/helpers/example-fleet.ts';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { createHarness } from './harness.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

const shopOn = (cluster: string): PublishedEndpoint => ({
  hostname: 'shop.example.com',
  cluster,
  kind: 'Gateway',
  gateway: 'shop/shop-gateway',
  annotations: { routing: 'weighted' },
});

describe('OnboardApp', () => {
  it('adds the endpoints to the catalogue, creates records and health checks, waits INSYNC, emits App Onboarded', async () => {
    // Prepare
    const h = await createHarness(dynamo, { empty: true });
    // Act
    const first = await h.run('OnboardApp', { hostname: 'shop.example.com', endpoints: [shopOn('east')] });
    const second = await h.run('OnboardApp', { hostname: 'shop.example.com', endpoints: [shopOn('west')] });
    // Assess
    expect(first.status, `${first.error} ${first.cause}`).toBe('SUCCEEDED');
    expect(second.status).toBe('SUCCEEDED');
    expect((await h.table.getApp('shop.example.com'))?.endpoints.map((e) => e.cluster).sort()).toEqual(['east', 'west']);
    expect(
      h
        .records('shop.example.com')
        .map((r) => `${r.setIdentifier}:${r.weight}:${r.healthCheckId ? 'hc' : 'none'}`)
        .sort(),
    ).toEqual(['east:100:hc', 'west:100:hc']);
    expect(h.route53.calls.filter((c) => c.startsWith('GetChange')).length).toBeGreaterThan(0);
    expect(h.eventsOf('App Onboarded').map((e) => e['clusters'])).toEqual([['east'], ['east', 'west']]);
    expect((await h.table.listJournal()).map((e) => e.what)).toContainEqual(expect.stringContaining('app onboarded: shop.example.com from west'));
  });

  it('onboards a drained cluster at 0 %: intents apply to new apps too', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    await h.run('DrainCluster', { cluster: 'eu', reason: 'maintenance', steps: [0] });
    // Act
    const outcome = await h.run('OnboardApp', {
      hostname: 'new.example.com',
      endpoints: ['east', 'eu'].map((c) => ({ ...shopOn(c), hostname: 'new.example.com' })),
    });
    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(h.weight('new.example.com', 'east')).toBe(100);
    expect(h.weight('new.example.com', 'eu')).toBe(0);
  });

  it('reads only its app’s catalogue entry when its health checks exist, and every entry when one must be made', async () => {
    // Prepare: the state table, with its full listings counted.
    const table = await dynamo.newTable();
    let listings = 0;
    const counted = new Proxy(table, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (property === 'listApps') listings++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const h = await createHarness(dynamo, { table: counted });
    listings = 0;
    // Act: an app on the clusters' canary checks, which exist.
    const shared = await h.run('OnboardApp', {
      hostname: 'new.example.com',
      endpoints: ['east', 'west'].map((c) => ({ ...shopOn(c), hostname: 'new.example.com' })),
    });
    const listedForShared = listings;
    // Act: an app with a check of its own, to be created.
    const own = await h.run('OnboardApp', {
      hostname: 'own.example.com',
      endpoints: ['east'].map((c) => ({ ...shopOn(c), hostname: 'own.example.com', annotations: { routing: 'weighted', healthPath: '/ready' } })),
    });
    // Assess
    expect(shared.status, `${shared.error} ${shared.cause}`).toBe('SUCCEEDED');
    expect(own.status, `${own.error} ${own.cause}`).toBe('SUCCEEDED');
    expect(listedForShared).toBe(0);
    expect(listings).toBeGreaterThan(0);
    expect(
      h
        .records('new.example.com')
        .map((r) => `${r.setIdentifier}:${r.weight}:${r.healthCheckId ? 'hc' : 'none'}`)
        .sort(),
    ).toEqual(['east:100:hc', 'west:100:hc']);
    expect(h.records('own.example.com').map((r) => `${r.setIdentifier}:${r.healthCheckId ? 'hc' : 'none'}`)).toEqual(['east:hc']);
  });

  it('rejects an unknown cluster or a mismatched hostname and changes nothing', async () => {
    // Prepare
    const h = await createHarness(dynamo, { empty: true });
    // Act
    const unknown = await h.run('OnboardApp', { hostname: 'shop.example.com', endpoints: [shopOn('mars')] });
    const mismatch = await h.run('OnboardApp', { hostname: 'blog.example.com', endpoints: [shopOn('east')] });
    // Assess
    expect([unknown.error, mismatch.error]).toEqual(['UnknownCluster', 'InvalidInput']);
    expect(await h.table.listApps()).toEqual([]);
    expect(h.route53.batches).toEqual([]);
  });
});

describe('OffboardApp', () => {
  it("removes the withdrawn cluster's records and keeps the others", async () => {
    // Prepare
    const h = await createHarness(dynamo);
    // Act
    const outcome = await h.run('OffboardApp', { hostname: 'docs.example.com', cluster: 'eu' });
    // Assess
    expect(outcome.status, `${outcome.error} ${outcome.cause}`).toBe('SUCCEEDED');
    expect(h.records('docs.example.com').map((r) => `${r.setIdentifier}:${r.region}`)).toEqual(['east:us-east-1']);
    expect((await h.table.getApp('docs.example.com'))?.endpoints.map((e) => e.cluster)).toEqual(['east']);
    expect(h.eventsOf('App Offboarded')).toEqual([expect.objectContaining({ hostname: 'docs.example.com', cluster: 'eu', remainingClusters: ['east'] })]);
  });

  it('deletes the health check no record uses any more', async () => {
    // Prepare: an app with its own health path has a check of its own.
    const h = await createHarness(dynamo);
    const custom = { ...shopOn('west'), hostname: 'custom.example.com', annotations: { routing: 'weighted' as const, healthPath: '/custom' } };
    await h.run('OnboardApp', { hostname: 'custom.example.com', endpoints: [custom, { ...custom, cluster: 'east' }] });
    const paths = () => [...h.route53.checks.values()].map((c) => `${c.spec.fqdn}${c.spec.path}`).sort();
    expect(paths()).toContain('west.custom.example.com/custom');
    expect(h.records('west.custom.example.com').map((r) => r.aliasTarget?.dnsName)).toEqual([
      h.records('custom.example.com').find((r) => r.setIdentifier === 'west')?.aliasTarget?.dnsName,
    ]);
    const eastShopCheck = h.records('shop.example.com').find((r) => r.setIdentifier === 'east')?.healthCheckId;
    expect(h.route53.checks.get(eastShopCheck!)?.spec.path, 'other apps keep their own checks').not.toBe('/custom');
    // Act
    const outcome = await h.run('OffboardApp', { hostname: 'custom.example.com', cluster: 'west' });
    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(paths()).not.toContain('west.custom.example.com/custom');
    expect(paths()).toContain('east.custom.example.com/custom');
    expect(h.records('west.custom.example.com'), "west's per-app health record goes with it").toEqual([]);
    expect(h.records('east.custom.example.com')).toHaveLength(1);
  });

  it('removes the app entirely when its last cluster withdraws it', async () => {
    // Prepare
    const h = await createHarness(dynamo);
    await h.run('OffboardApp', { hostname: 'api.example.com', cluster: 'east' });
    // Act
    const outcome = await h.run('OffboardApp', { hostname: 'api.example.com', cluster: 'west' });
    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(h.records('api.example.com')).toEqual([]);
    expect(h.records('_switchyard.api.example.com')).toEqual([]);
    expect(await h.table.getApp('api.example.com')).toBeUndefined();
  });
});

describe('Reconcile', () => {
  it("takes discovery's endpoints, keeps an unreachable cluster's entries, converges Route 53 and emits Records Changed", async () => {
    // Prepare: discovery no longer sees docs on eu; west cannot be read.
    const all = exampleEndpoints();
    const h = await createHarness(dynamo, {
      discovery: {
        description: 'test discovery',
        list: async () => ({
          endpoints: all.filter((e) => e.cluster !== 'west' && !(e.hostname === 'docs.example.com' && e.cluster === 'eu')),
          problems: [{ subject: 'west', cluster: 'west', reason: 'cannot read the cluster' }],
          unreachable: ['west'],
        }),
      },
    });
    // Act
    const outcome = await h.run('Reconcile', {});
    // Assess
    expect(outcome.status, `${outcome.error} ${outcome.cause}`).toBe('SUCCEEDED');
    expect(h.records('docs.example.com').map((r) => `${r.setIdentifier}:${r.region}`)).toEqual(['east:us-east-1']);
    expect(h.weight('shop.example.com', 'west')).toBe(100);
    expect(outcome.output).toMatchObject({ unreachable: ['west'], added: [], removed: [] });
    expect(h.eventsOf('Records Changed')).toEqual([expect.objectContaining({ trigger: 'reconcile', hostnames: ['docs.example.com'] })]);
  });

  it('holds a cluster whose source now publishes nothing at all: its entries and records stay', async () => {
    // Prepare: eu is read completely but publishes nothing (an emptied manifests folder).
    const h = await createHarness(dynamo, {
      discovery: {
        description: 'test discovery',
        list: async () => ({ endpoints: exampleEndpoints().filter((e) => e.cluster !== 'eu'), problems: [], unreachable: [] }),
      },
    });
    const before = structuredClone(h.route53.records.get('ZEXAMPLE'));
    // Act
    const outcome = await h.run('Reconcile', {});
    // Assess
    expect(outcome.status, `${outcome.error} ${outcome.cause}`).toBe('SUCCEEDED');
    expect(outcome.output).toMatchObject({ unreachable: ['eu'], added: [], removed: [], changeCount: 0 });
    expect((outcome.output as { problems: Array<{ subject: string; reason: string }> }).problems).toContainEqual(
      expect.objectContaining({
        subject: 'eu',
        reason: expect.stringMatching(
          /^the source published nothing for it \(not even its canary\), but the catalogue holds \d+ endpoint\(s\) of it: the cluster is held/,
        ),
      }),
    );
    expect(h.route53.records.get('ZEXAMPLE')).toEqual(before);
    expect((await h.table.getApp('shop.example.com'))?.endpoints.some((e) => e.cluster === 'eu')).toBe(true);
  });

  it('repairs drift in Route 53 and is quiet when nothing changed', async () => {
    // Prepare: someone set east's shop weight by hand.
    const h = await createHarness(dynamo);
    const records = h.route53.records.get('ZEXAMPLE')!;
    const east = records.find((r) => r.name === 'shop.example.com.' && r.setIdentifier === 'east')!;
    east.weight = 7;
    // Act
    const repaired = await h.run('Reconcile', {});
    const quiet = await h.run('Reconcile', {});
    // Assess
    expect(repaired.status).toBe('SUCCEEDED');
    expect(h.weight('shop.example.com', 'east')).toBe(100);
    expect(quiet.output).toMatchObject({ changeCount: 0, event: null });
    expect(h.eventsOf('Records Changed')).toHaveLength(1);
  });
});
