// Operations on the edge fleet (examples/edge-fleet, docs/edge.md) on the real ASL: a drain
// or a failover changes only its cluster's tier's zone, and safety holds per tier.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEndpointsFile } from '../../src/aws/endpoints-file.ts';
import { parseFleetConfig, type FleetConfig } from '../../src/core/config.ts';
import type { HostedZone, PublishedEndpoint, RecordSet } from '../../src/core/model.ts';
import { startDynalite, type TestDynamo } from '../support/workflows/dynalite.ts';
import { alarmEvent, createHarness, type Harness } from './harness.ts';

const PUBLIC: HostedZone = { id: 'ZPUBLIC', name: 'example.com.' };
const UPSTREAM: HostedZone = { id: 'ZUPSTREAM', name: 'mesh.internal.', private: true };
const SHOP_UP = 'shop.example.com.mesh.internal';

const fleet: FleetConfig = parseFleetConfig(readFileSync('examples/edge-fleet/fleet.yaml', 'utf8'), 'examples/edge-fleet/fleet.yaml');
const endpoints: PublishedEndpoint[] = parseEndpointsFile(
  readFileSync('examples/edge-fleet/endpoints.yaml', 'utf8'),
  'examples/edge-fleet/endpoints.yaml',
  fleet,
).endpoints;

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

function edgeHarness(): Promise<Harness> {
  return createHarness(dynamo, { fleet, endpoints, zones: [PUBLIC, UPSTREAM] });
}

/** A zone's A records as "name setId weight". */
function zoneRecords(h: Harness, zone: HostedZone): string[] {
  return (h.route53.records.get(zone.id) ?? [])
    .filter((r: RecordSet) => r.type === 'A' && r.setIdentifier !== undefined)
    .map((r) => `${r.name} ${r.setIdentifier} ${r.weight}`)
    .sort();
}

describe('edge fleet operations', () => {
  it('starts with shop on the edges publicly and on the workload clusters upstream', async () => {
    const h = await edgeHarness();
    expect(zoneRecords(h, PUBLIC).filter((r) => r.startsWith('shop.'))).toEqual(['shop.example.com. edge-eu 100', 'shop.example.com. edge-us 100']);
    expect(zoneRecords(h, UPSTREAM)).toEqual([`${SHOP_UP}. east 100`, `${SHOP_UP}. eu 100`, `${SHOP_UP}. west 100`]);
  });

  it('draining a workload cluster changes the upstream zone (and its direct apps), never the public shop records', async () => {
    // Prepare
    const h = await edgeHarness();
    const publicShop = zoneRecords(h, PUBLIC).filter((r) => r.startsWith('shop.'));
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'east', reason: 'upgrade', steps: [0] });
    // Assess
    expect(outcome.status, `${outcome.error} ${outcome.cause}`).toBe('SUCCEEDED');
    expect(zoneRecords(h, UPSTREAM)).toEqual([`${SHOP_UP}. east 0`, `${SHOP_UP}. eu 100`, `${SHOP_UP}. west 100`]);
    expect(zoneRecords(h, PUBLIC).filter((r) => r.startsWith('shop.'))).toEqual(publicShop);
    expect(zoneRecords(h, PUBLIC)).toContain('api.example.com. east 0');
  });

  it('draining an edge changes only the public zone', async () => {
    // Prepare
    const h = await edgeHarness();
    const upstream = zoneRecords(h, UPSTREAM);
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'edge-us', reason: 'edge upgrade', steps: [0] });
    // Assess
    expect(outcome.status, `${outcome.error} ${outcome.cause}`).toBe('SUCCEEDED');
    expect(zoneRecords(h, PUBLIC).filter((r) => r.startsWith('shop.'))).toEqual(['shop.example.com. edge-eu 100', 'shop.example.com. edge-us 0']);
    expect(zoneRecords(h, UPSTREAM)).toEqual(upstream);
  });

  it('refuses to drain the last edge with DrainUnsafe naming the edge tier, and changes nothing', async () => {
    // Prepare
    const h = await edgeHarness();
    expect((await h.run('DrainCluster', { cluster: 'edge-us', reason: 'first', steps: [0] })).status).toBe('SUCCEEDED');
    const before = { public: zoneRecords(h, PUBLIC), upstream: zoneRecords(h, UPSTREAM) };
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'edge-eu', reason: 'second', steps: [0] });
    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('DrainUnsafe');
    expect(String(outcome.cause)).toContain('shop.example.com (edge tier) would keep 0 healthy active edge cluster(s)');
    expect({ public: zoneRecords(h, PUBLIC), upstream: zoneRecords(h, UPSTREAM) }).toEqual(before);
    const state = await h.table.readFleet();
    expect(state.intents['edge-eu']?.state ?? 'ACTIVE').toBe('ACTIVE');
  });

  it('refuses to drain the last healthy workload cluster behind the edges, naming the workload tier', async () => {
    // Prepare: west and eu are unhealthy; east is the only one left upstream.
    const h = await edgeHarness();
    h.health.clusters['west'] = 'UNHEALTHY';
    h.health.clusters['eu'] = 'UNHEALTHY';
    const before = zoneRecords(h, UPSTREAM);
    // Act
    const outcome = await h.run('DrainCluster', { cluster: 'east', reason: 'upgrade', steps: [0] });
    // Assess
    expect(outcome.error).toBe('DrainUnsafe');
    expect(String(outcome.cause)).toContain(`${SHOP_UP} (workload tier) would keep 0 healthy active workload cluster(s)`);
    expect(zoneRecords(h, UPSTREAM)).toEqual(before);
  });

  it('failover on a workload alarm takes the cluster out upstream; on an edge alarm, out of the public zone', async () => {
    // Prepare
    const h = await edgeHarness();
    const publicShop = zoneRecords(h, PUBLIC).filter((r) => r.startsWith('shop.'));
    // Act: east's canary alarm
    h.health.clusters['east'] = 'UNHEALTHY';
    const east = await h.run('Failover', alarmEvent('switchyard-dev-switchyard-edge-example-east-canary', 'ALARM', '2026-12-03T10:00:00.000Z'));
    // Assess
    expect(east.status, `${east.error} ${east.cause}`).toBe('SUCCEEDED');
    expect(zoneRecords(h, UPSTREAM)).toEqual([`${SHOP_UP}. east 0`, `${SHOP_UP}. eu 100`, `${SHOP_UP}. west 100`]);
    expect(zoneRecords(h, PUBLIC).filter((r) => r.startsWith('shop.'))).toEqual(publicShop);
    // Act: edge-eu's canary alarm
    const upstream = zoneRecords(h, UPSTREAM);
    h.health.clusters['edge-eu'] = 'UNHEALTHY';
    const edge = await h.run('Failover', alarmEvent('switchyard-dev-switchyard-edge-example-edge-eu-canary', 'ALARM', '2026-12-03T10:01:00.000Z'));
    // Assess
    expect(edge.status, `${edge.error} ${edge.cause}`).toBe('SUCCEEDED');
    expect(zoneRecords(h, PUBLIC).filter((r) => r.startsWith('shop.'))).toEqual(['shop.example.com. edge-eu 0', 'shop.example.com. edge-us 100']);
    expect(zoneRecords(h, UPSTREAM)).toEqual(upstream);
  });
});
