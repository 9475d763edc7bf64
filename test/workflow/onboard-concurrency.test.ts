// Concurrent OnboardApp runs for one hostname: what every first start does (each cluster
// publishes shop.example.com at once, three Gateway Published events, three executions).
// Route 53 calls take a random few milliseconds, so the runs interleave between reading
// the catalogue or the zone and writing it, as they do on AWS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsTakenOut, effectiveIntents } from '../../src/core/fleet-document.ts';
import type { PublishedEndpoint } from '../../src/core/model.ts';
import { exampleEndpoints } from '../unit/aws/helpers/example-fleet.ts';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { createHarness, type Harness } from './harness.ts';

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

/** Route 53 changes a fresh apply of the whole catalogue would still make (none when converged). */
async function pendingChanges(h: Harness): Promise<string[]> {
  const [state, entries] = await Promise.all([h.table.readFleet(), h.table.listApps()]);
  const clusters = h.fleet.clusters.map((c) => c.name);
  const result = await h.deps.dns.apply({
    endpoints: entries.flatMap((e) => e.endpoints),
    intents: effectiveIntents(state, clusters),
    appsOut: appsTakenOut(state),
    dryRun: true,
    reason: 'test: converged?',
  });
  return result.changes.map((c) => `${c.action} ${c.name} ${c.type} ${c.setIdentifier ?? ''}`);
}

function byCluster(endpoints: readonly PublishedEndpoint[]): string[] {
  return endpoints.map((e) => `${e.hostname}@${e.cluster}`).sort();
}

describe('OnboardApp under concurrency', () => {
  it('three clusters publishing shop.example.com at once: every run succeeds, the catalogue holds every endpoint, Route 53 ends as desired', async () => {
    for (let round = 1; round <= 4; round++) {
      // Prepare
      const h = await createHarness(dynamo, { empty: true, route53LatencyMs: 4 });
      const shop = exampleEndpoints(h.fleet).filter((e) => e.hostname === 'shop.example.com');
      expect(shop.map((e) => e.cluster).sort()).toEqual(['east', 'eu', 'west']);
      // Act
      const outcomes = await Promise.all(shop.map((e) => h.run('OnboardApp', { hostname: e.hostname, endpoints: [e] }, `onboard-shop-${e.cluster}-${round}`)));
      // Assess
      expect(
        outcomes.map((o) => `${o.status} ${o.error ?? ''} ${o.cause ?? ''}`.trim()),
        `round ${round}`,
      ).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
      expect(byCluster((await h.table.getApp('shop.example.com'))?.endpoints ?? []), `round ${round}`).toEqual(byCluster(shop));
      expect(
        h
          .records('shop.example.com')
          .map((r) => `${r.setIdentifier}:${r.weight}:${r.healthCheckId ? 'hc' : 'none'}`)
          .sort(),
      ).toEqual(['east:100:hc', 'eu:100:hc', 'west:100:hc']);
      expect(h.records('_switchyard.shop.example.com')).toHaveLength(1);
      expect(await pendingChanges(h), `round ${round}`).toEqual([]);
    }
  });

  it('the whole example fleet published at once (one run per hostname and cluster): all succeed and Route 53 ends as desired', async () => {
    // Prepare
    const h = await createHarness(dynamo, { empty: true, route53LatencyMs: 3 });
    const all = exampleEndpoints(h.fleet);
    // Act
    const outcomes = await Promise.all(all.map((e, i) => h.run('OnboardApp', { hostname: e.hostname, endpoints: [e] }, `onboard-all-${i}`)));
    // Assess
    expect(outcomes.filter((o) => o.status !== 'SUCCEEDED').map((o) => `${o.error} ${o.cause}`)).toEqual([]);
    expect(byCluster((await h.table.listApps()).flatMap((e) => e.endpoints))).toEqual(byCluster(all));
    expect(await pendingChanges(h)).toEqual([]);
  });

  it('a publish and a withdrawal of other clusters racing on one hostname both land', async () => {
    // Prepare: shop is served by east and west; eu publishes it while west withdraws it.
    const h = await createHarness(dynamo, { empty: true, route53LatencyMs: 4 });
    const shop = exampleEndpoints(h.fleet).filter((e) => e.hostname === 'shop.example.com');
    const on = (cluster: string) => shop.find((e) => e.cluster === cluster)!;
    expect((await h.run('OnboardApp', { hostname: 'shop.example.com', endpoints: [on('east'), on('west')] })).status).toBe('SUCCEEDED');
    // Act
    const [published, withdrawn] = await Promise.all([
      h.run('OnboardApp', { hostname: 'shop.example.com', endpoints: [on('eu')] }),
      h.run('OffboardApp', { hostname: 'shop.example.com', cluster: 'west' }),
    ]);
    // Assess
    expect([published.status, withdrawn.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(byCluster((await h.table.getApp('shop.example.com'))?.endpoints ?? [])).toEqual(['shop.example.com@east', 'shop.example.com@eu']);
    expect(
      h
        .records('shop.example.com')
        .map((r) => r.setIdentifier)
        .sort(),
    ).toEqual(['east', 'eu']);
    expect(await pendingChanges(h)).toEqual([]);
  });

  it('a health check deleted between its creation and the record write (a concurrent cleanup) is created again, and the onboard succeeds', async () => {
    // Prepare: the first check made for api.example.com disappears right after it is
    // tagged as ours (from then on a cleanup sees it as owned), before any record uses it,
    // as when an OffboardApp's cleanup of unused checks runs at that moment.
    const h = await createHarness(dynamo, { empty: true });
    const api = exampleEndpoints(h.fleet).filter((e) => e.hostname === 'api.example.com');
    const tag = h.route53.tagHealthCheck.bind(h.route53);
    let deleted: string | undefined;
    h.route53.tagHealthCheck = async (id, tags) => {
      await tag(id, tags);
      if (deleted === undefined) {
        deleted = id;
        await h.route53.deleteHealthCheck(id);
      }
    };
    // Act
    const outcome = await h.run('OnboardApp', { hostname: 'api.example.com', endpoints: api });
    // Assess
    expect(`${outcome.status} ${outcome.error ?? ''} ${outcome.cause ?? ''}`.trim()).toBe('SUCCEEDED');
    expect(deleted).toBeDefined();
    const used = h.records('api.example.com').map((r) => r.healthCheckId);
    expect(used).toHaveLength(2);
    expect(used).not.toContain(deleted);
    for (const id of used) expect(h.route53.checks.has(id!)).toBe(true);
    expect(await pendingChanges(h)).toEqual([]);
  });

  it('a change Route 53 refuses for its own reasons (nobody changed the name) fails Route53Rejected without re-planning', async () => {
    // Prepare
    const h = await createHarness(dynamo, { empty: true });
    const shop = exampleEndpoints(h.fleet).filter((e) => e.hostname === 'shop.example.com');
    h.route53.rejectNames.add('shop.example.com.');
    // Act
    const outcome = await h.run('OnboardApp', { hostname: 'shop.example.com', endpoints: shop });
    // Assess: one read to plan, one to see that nothing changed meanwhile.
    expect(outcome.error).toBe('Route53Rejected');
    expect(outcome.cause).toContain('is not permitted');
    expect(h.route53.count('ListResourceRecordSets')).toBe(2);
  });
});
