import { describe, expect, it } from 'vitest';
import { parseFleetConfig, type FleetConfig } from '../../../src/core/config.ts';
import { edgeTierProblems, upstreamZoneOf, type EdgeForward } from '../../../src/core/edge-discovery.ts';
import type { PublishedEndpoint } from '../../../src/core/model.ts';

const cluster = (name: string, role: string, region = 'us-east-1') => `
  - { name: ${name}, role: ${role}, region: ${region}, eksClusterName: ${name}, canaryHostname: canary-${name}.example.com, domainFilter: [example.com] }`;

const { upstream: _upstream, ...WITHOUT_ZONE } = parseFleetConfig(
  `ownerId: t\nzones: [{ name: example.com }]\nupstream: { zone: mesh.internal }\nclusters:${cluster('edge-us', 'edge')}${cluster('edge-eu', 'edge', 'eu-west-1')}${cluster('east', 'workload')}${cluster('west', 'workload', 'us-west-2')}`,
  'fleet.yaml',
);
/** The fleet without its upstream zone: parseFleetConfig refuses that, but a hand-built config may lack it and the rules must cope. */
const FLEET = WITHOUT_ZONE as FleetConfig;
const WITH_ZONE = { ...FLEET, upstream: { zone: 'Mesh.Internal.' } } as FleetConfig;
const ALL = ['edge-us', 'edge-eu', 'east', 'west'];

const endpoint = (cluster: string, hostname: string, kind: PublishedEndpoint['kind'] = 'IstioGateway'): PublishedEndpoint => ({
  cluster,
  hostname,
  kind,
  gateway: `edge/${hostname.split('.')[0]}`,
  annotations: {},
});
const forward = (cluster: string, hostname: string, targets: EdgeForward['targets'], kind = 'VirtualService'): EdgeForward => ({
  cluster,
  hostname,
  kind,
  resource: `edge/${hostname.split('.')[0]}`,
  targets,
});

const SHOP_SERVED = [endpoint('east', 'shop.example.com'), endpoint('west', 'shop.example.com')];

describe('upstreamZoneOf', () => {
  it('reads upstream.zone lower-case without the trailing dot, and nothing when absent or not a name', () => {
    expect(upstreamZoneOf(WITH_ZONE)).toBe('mesh.internal');
    expect(upstreamZoneOf(FLEET)).toBeUndefined();
    expect(upstreamZoneOf({ ...FLEET, upstream: { zone: 7 } } as unknown as FleetConfig)).toBeUndefined();
  });
});

describe('edgeTierProblems', () => {
  it('finds nothing when every edge forwards each app to its upstream name, or (Tetrate) to clusters that serve it', () => {
    const problems = edgeTierProblems({
      fleet: WITH_ZONE,
      endpoints: [
        ...SHOP_SERVED,
        endpoint('edge-us', 'shop.example.com'),
        endpoint('edge-eu', 'shop.example.com', 'Tier1Gateway'),
        { ...endpoint('edge-us', 'canary-edge-us.example.com'), canary: true },
      ],
      forwards: [
        forward('edge-us', 'shop.example.com', [{ host: 'shop.example.com.mesh.internal' }]),
        forward('edge-eu', 'shop.example.com', [{ clusters: [{ name: 'east', weight: 50 }, { name: 'west' }] }], 'Tier1Gateway'),
      ],
      read: ALL,
    });
    expect(problems).toEqual([]);
  });

  it('reports an edge publishing a host no workload cluster serves, naming the resource', () => {
    const problems = edgeTierProblems({ fleet: WITH_ZONE, endpoints: [...SHOP_SERVED, endpoint('edge-us', 'blog.example.com')], forwards: [], read: ALL });
    expect(problems).toEqual([
      {
        subject: 'edge-us/IstioGateway/edge/blog',
        cluster: 'edge-us',
        hostname: 'blog.example.com',
        reason: 'edge cluster edge-us publishes "blog.example.com", which no workload cluster serves (east, west)',
      },
    ]);
  });

  it('does not judge "no workload serves it" while a workload cluster could not be read', () => {
    const problems = edgeTierProblems({
      fleet: WITH_ZONE,
      endpoints: [endpoint('edge-us', 'blog.example.com')],
      forwards: [],
      read: ['edge-us', 'edge-eu', 'east'],
    });
    expect(problems).toEqual([]);
  });

  it('reports an edge-fronted app whose edge forwards nowhere, elsewhere, or to clusters that do not serve it', () => {
    const problems = edgeTierProblems({
      fleet: WITH_ZONE,
      endpoints: [
        ...SHOP_SERVED,
        endpoint('edge-us', 'shop.example.com'),
        endpoint('edge-eu', 'shop.example.com', 'Tier1Gateway'),
        endpoint('east', 'api.example.com'),
        endpoint('edge-eu', 'api.example.com'),
      ],
      forwards: [
        forward('edge-us', 'shop.example.com', [{ host: 'shop.example.com.mesh.internal' }, { host: 'shop.shop.svc.cluster.local' }]),
        forward('edge-eu', 'shop.example.com', [{ clusters: [{ name: 'east' }, { name: 'edge-us' }, { name: 'nowhere' }] }], 'Tier1Gateway'),
        forward('edge-eu', 'api.example.com', []),
      ],
      read: ALL,
    });
    expect(problems.map((p) => `${p.subject}: ${p.reason}`)).toEqual([
      'edge-us/VirtualService/edge/shop: forwards "shop.example.com" to shop.shop.svc.cluster.local, not to its upstream name shop.example.com.mesh.internal: drains and failovers of the workload clusters would not reach this edge',
      'edge-eu/Tier1Gateway/edge/shop: forwards "shop.example.com" to cluster edge-us, an edge cluster',
      'edge-eu/Tier1Gateway/edge/shop: forwards "shop.example.com" to cluster nowhere, not a cluster of the fleet (served by east, west)',
      'edge-eu/IstioGateway/edge/api: edge cluster edge-eu publishes "api.example.com" but no route forwards it (no VirtualService, HTTPRoute backend or Tier1Gateway clusters for it); it should forward to api.example.com.mesh.internal',
    ]);
  });

  it('reports once that forwarding by name cannot be checked without an upstream zone', () => {
    const problems = edgeTierProblems({
      fleet: FLEET,
      endpoints: [...SHOP_SERVED, endpoint('edge-us', 'shop.example.com'), endpoint('edge-eu', 'shop.example.com')],
      forwards: [
        forward('edge-us', 'shop.example.com', [{ host: 'shop.example.com.mesh.internal' }]),
        forward('edge-eu', 'shop.example.com', [{ host: 'x.example.net' }]),
      ],
      read: ALL,
    });
    expect(problems).toEqual([
      {
        subject: 'upstream.zone',
        reason:
          'edge clusters forward apps by name (edge-us/VirtualService/edge/shop forwards "shop.example.com"), but fleet.yaml names no upstream zone, so the forwarding cannot be checked',
      },
    ]);
  });

  it('has nothing to say about a fleet without edge clusters', () => {
    const plain = { ...FLEET, clusters: FLEET.clusters.filter((c) => c.role !== 'edge') };
    expect(edgeTierProblems({ fleet: plain, endpoints: SHOP_SERVED, forwards: [], read: ['east', 'west'] })).toEqual([]);
  });
});
