// The edge tier in desired state (docs/edge.md): public records on edge entry points only,
// upstream records for the workload clusters in the private upstream zone, direct apps as before.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHealthCheckConfig } from '../../../src/aws/route53.ts';
import { sameSpec } from '../../../src/core/health-check-plan.ts';
import { parseFleetConfig, type FleetConfig } from '../../../src/core/config.ts';
import { computeDesiredState, type DesiredState } from '../../../src/core/desired.ts';
import { ConfigError } from '../../../src/core/errors.ts';
import { healthCheckConfigFor } from '../../../src/core/health-spec.ts';
import type { ClusterIntent, HostedZone, PublishedEndpoint } from '../../../src/core/model.ts';
import { plan } from '../../../src/core/plan.ts';
import { upstreamName } from '../../../src/core/tiers.ts';
import { managedZoneConfigs, upstreamAlarmName } from '../../../src/core/upstream.ts';

const FLEET_YAML = readFileSync(new URL('../../../examples/edge-fleet/fleet.yaml', import.meta.url), 'utf8');
const PUBLIC: HostedZone = { id: 'ZPUBLIC', name: 'example.com.' };
const UPSTREAM: HostedZone = { id: 'ZUPSTREAM', name: 'mesh.internal.', private: true };
const SHOP = 'shop.example.com';
const SHOP_UP = 'shop.example.com.mesh.internal';

function edgeFleet(): FleetConfig {
  return parseFleetConfig(FLEET_YAML, 'examples/edge-fleet/fleet.yaml');
}

function ep(hostname: string, cluster: string): PublishedEndpoint {
  return { hostname, cluster, kind: 'IstioGateway', gateway: `${hostname.split('.')[0]}/gw`, annotations: { routing: 'weighted' } };
}

const ENDPOINTS: PublishedEndpoint[] = [
  ...['edge-us', 'edge-eu', 'east', 'west', 'eu'].map((c) => ep(SHOP, c)),
  ...['east', 'west', 'eu'].map((c) => ep('api.example.com', c)),
];

function desired(intents: ClusterIntent[] = []): DesiredState {
  return computeDesiredState({ fleet: edgeFleet(), zones: [PUBLIC, UPSTREAM], endpoints: ENDPOINTS, intents });
}

/** "zone name setId" → weight, for the A records. */
function weights(state: DesiredState): Record<string, number | undefined> {
  return Object.fromEntries(state.records.map((r) => [`${r.zoneId} ${r.recordSet.name} ${r.recordSet.setIdentifier}`, r.recordSet.weight]));
}

describe('fleet config: upstream', () => {
  it('requires upstream when a cluster has role: edge, naming the field and the clusters', () => {
    const text = FLEET_YAML.replace(/^upstream:\n  zone: mesh.internal\n/m, '');
    expect(text).not.toContain('upstream:\n');
    expect(() => parseFleetConfig(text, 'fleet.yaml')).toThrow(ConfigError);
    expect(() => parseFleetConfig(text, 'fleet.yaml')).toThrow(/upstream: required because clusters edge-us, edge-eu have role: edge/);
  });

  it('refuses an upstream zone that overlaps a public zone', () => {
    const text = FLEET_YAML.replace('zone: mesh.internal', 'zone: internal.example.com');
    expect(() => parseFleetConfig(text, 'fleet.yaml')).toThrow(/upstream\.zone: "internal\.example\.com" overlaps zones\[0\]/);
  });

  it('manages the upstream zone as a private zone after fleet.zones', () => {
    expect(managedZoneConfigs(edgeFleet())).toEqual([
      { name: 'example.com', path: 'zones[0]', private: false },
      { name: 'mesh.internal', path: 'upstream', private: true },
    ]);
  });
});

describe('computeDesiredState: tiers', () => {
  it('names upstream records <host>.<upstream zone>', () => {
    expect(upstreamName('Shop.Example.com.', 'mesh.internal.')).toBe(SHOP_UP);
  });

  it('gives an edge-fronted app public records on the edges only and upstream records on the workload clusters', () => {
    const state = desired();
    expect(state.problems).toEqual([]);
    expect(weights(state)).toMatchObject({
      'ZPUBLIC shop.example.com. edge-us': 100,
      'ZPUBLIC shop.example.com. edge-eu': 100,
      [`ZUPSTREAM ${SHOP_UP}. east`]: 100,
      [`ZUPSTREAM ${SHOP_UP}. west`]: 100,
      [`ZUPSTREAM ${SHOP_UP}. eu`]: 100,
      'ZPUBLIC api.example.com. east': 100,
    });
    const shopPublic = state.records.filter((r) => r.recordSet.name === 'shop.example.com.').map((r) => r.cluster);
    expect(shopPublic.sort()).toEqual(['edge-eu', 'edge-us']);
    expect(state.records.filter((r) => r.zoneId === 'ZUPSTREAM').every((r) => r.recordSet.name === `${SHOP_UP}.`)).toBe(true);
    const apps = Object.fromEntries(
      state.apps.map((a) => [a.hostname, { tier: a.tier, upstreamOf: a.upstreamOf, clusters: a.clusters.map((c) => c.cluster) }]),
    );
    expect(apps[SHOP]).toEqual({ tier: 'edge', upstreamOf: undefined, clusters: ['edge-eu', 'edge-us'] });
    expect(apps[SHOP_UP]).toEqual({ tier: 'workload', upstreamOf: SHOP, clusters: ['east', 'eu', 'west'] });
    expect(apps['api.example.com']).toEqual({ tier: 'workload', upstreamOf: undefined, clusters: ['east', 'eu', 'west'] });
  });

  it('puts CloudWatch-metric checks of the upstream alarms on upstream records and probes of the edges on public ones', () => {
    const state = desired();
    const checkOf = (zoneId: string, cluster: string, name: string) => {
      const record = state.records.find((r) => r.zoneId === zoneId && r.cluster === cluster && r.recordSet.name === name);
      return state.healthChecks.find((h) => h.key === record?.healthCheckKey)?.spec;
    };
    expect(checkOf('ZUPSTREAM', 'east', `${SHOP_UP}.`)).toEqual({
      protocol: 'CLOUDWATCH_METRIC',
      fqdn: '',
      port: 0,
      intervalSeconds: 30,
      failureThreshold: 1,
      alarm: { region: 'us-east-1', name: upstreamAlarmName('switchyard-edge-example', 'east') },
    });
    expect(checkOf('ZPUBLIC', 'edge-eu', 'shop.example.com.')).toMatchObject({ protocol: 'HTTP', fqdn: 'canary-edge-eu.example.com' });
    expect(checkOf('ZPUBLIC', 'east', 'api.example.com.')).toMatchObject({ protocol: 'HTTP', fqdn: 'canary-east.example.com' });
  });

  it('drains a workload cluster in the upstream zone only (and in its direct apps), an edge in the public zone only', () => {
    const before = weights(desired());
    const diff = (after: Record<string, number | undefined>) =>
      Object.keys(after)
        .filter((k) => after[k] !== before[k])
        .sort();
    expect(diff(weights(desired([{ cluster: 'east', state: 'DRAINED', weightPercent: 0 }])))).toEqual([
      'ZPUBLIC api.example.com. east',
      `ZUPSTREAM ${SHOP_UP}. east`,
    ]);
    expect(diff(weights(desired([{ cluster: 'edge-us', state: 'DRAINED', weightPercent: 0 }])))).toEqual(['ZPUBLIC shop.example.com. edge-us']);
  });

  it('plans ownership markers in both zones', () => {
    const state = desired();
    const p = plan({
      desired: state.records,
      actual: [
        { zoneId: 'ZPUBLIC', records: [] },
        { zoneId: 'ZUPSTREAM', records: [] },
      ],
      policy: 'sync',
      ownerId: 'o',
      zones: [PUBLIC, UPSTREAM],
      markerTtl: 300,
    });
    const names = (zoneId: string) =>
      p.zones.find((z) => z.zoneId === zoneId)?.groups.flatMap((g) => g.changes.map((c) => `${c.recordSet.type} ${c.recordSet.name}`)) ?? [];
    expect(names('ZUPSTREAM')).toContain(`TXT _switchyard.${SHOP_UP}.`);
    expect(names('ZPUBLIC')).toContain('TXT _switchyard.shop.example.com.');
    expect(names('ZPUBLIC').some((n) => n.includes('mesh.internal'))).toBe(false);
  });

  it('reports upstream records it cannot place when the upstream zone is not managed', () => {
    const state = computeDesiredState({ fleet: edgeFleet(), zones: [PUBLIC], endpoints: ENDPOINTS });
    expect(state.records.some((r) => r.recordSet.name.includes('mesh.internal'))).toBe(false);
    expect(state.problems.map((p) => p.reason)).toContain(`${SHOP_UP} (upstream name of ${SHOP}) is in no managed zone (example.com.); not published upstream`);
  });
});

describe('CLOUDWATCH_METRIC health checks', () => {
  const spec = computeDesiredState({ fleet: edgeFleet(), zones: [PUBLIC, UPSTREAM], endpoints: ENDPOINTS }).healthChecks.find((h) => h.spec.alarm)!.spec;

  it('sends the alarm and Unhealthy without data, and reads the same spec back', () => {
    const config = healthCheckConfigFor(spec);
    expect(config).toEqual({
      Type: 'CLOUDWATCH_METRIC',
      AlarmIdentifier: { Region: 'us-east-1', Name: spec.alarm!.name },
      InsufficientDataHealthStatus: 'Unhealthy',
    });
    const back = fromHealthCheckConfig({ ...config, AlarmIdentifier: { Region: 'us-east-1', Name: spec.alarm!.name } });
    expect(sameSpec(back, spec)).toBe(true);
    expect(sameSpec(back, { ...spec, alarm: { region: 'us-east-1', name: 'other' } })).toBe(false);
  });

  it('does not take a metric check that says Healthy without data for one of ours', () => {
    expect(
      fromHealthCheckConfig({ Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Region: 'us-east-1', Name: 'x' }, InsufficientDataHealthStatus: 'Healthy' }),
    ).toBeUndefined();
  });
});
