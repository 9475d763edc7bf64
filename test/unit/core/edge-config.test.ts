// edge-config's resources, checked against the resources' schemas: Istio's CRD schemas
// (@kubernetes-models/istio, generated from Istio's CRDs) and, for Tetrate's Tier1Gateway,
// a JSON schema written from Tetrate's API reference (test/fixtures/tetrate). Then read back
// by discovery on an edge cluster: what edge-config writes is what the checks accept.
import { readFileSync } from 'node:fs';
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1/DestinationRule';
import { Gateway } from '@kubernetes-models/istio/networking.istio.io/v1/Gateway';
import { ServiceEntry } from '@kubernetes-models/istio/networking.istio.io/v1/ServiceEntry';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1/VirtualService';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseFleetConfig, type FleetConfig } from '../../../src/core/config.ts';
import { edgeConfig, type EdgeConfigInput } from '../../../src/core/edge-config.ts';
import { edgeTierProblems } from '../../../src/core/edge-discovery.ts';
import type { PublishedEndpoint } from '../../../src/core/model.ts';
import type { KubeObject } from '../../../src/k8s/kube.ts';
import { parseManifests } from '../../../src/k8s/manifests.ts';
import { canaryHostnames, discoverCluster } from '../../../src/k8s/parse/cluster.ts';

const ISTIO_MODELS: Record<string, new (data: never) => { validate(): void }> = { Gateway, VirtualService, ServiceEntry, DestinationRule };
const tier1Schema = JSON.parse(readFileSync(new URL('../../fixtures/tetrate/tier1gateway.schema.json', import.meta.url), 'utf8')) as object;
const validateTier1 = new Ajv({ allErrors: true, strict: false }).compile(tier1Schema);

function validateIstio(object: Record<string, unknown>): void {
  const Model = ISTIO_MODELS[object['kind'] as string];
  if (!Model || object['apiVersion'] !== 'networking.istio.io/v1')
    throw new Error(`${String(object['apiVersion'])} ${String(object['kind'])}: no schema known`);
  new Model(object as never).validate();
}

const EDGES = [
  { name: 'edge-us', domainFilter: ['example.com'] },
  { name: 'edge-eu', domainFilter: ['example.eu', 'shop.example.com'] },
];
const SHOP = { hostname: 'shop.example.com', workloads: ['east', 'west', 'eu'] };
const BLOG = { hostname: 'blog.example.com', workloads: ['east'] };
const BASE: EdgeConfigInput = {
  mesh: 'istio',
  edges: EDGES,
  apps: [SHOP, BLOG],
  upstreamZone: 'mesh.internal',
  namespace: 'istio-system',
  selector: { istio: 'ingressgateway' },
};
const TSB = { organization: 'myorg', tenant: 'platform', workspace: 'edge', group: 'tier1' };

describe('edgeConfig, Istio', () => {
  it("writes per edge a Gateway, VirtualService, ServiceEntry (DNS) and DestinationRule per app it may publish, each valid against Istio's CRD schema", () => {
    // Act
    const manifests = edgeConfig({ ...BASE, credential: 'shop-tls' });
    // Assess: edge-eu's domainFilter lets it publish shop only
    expect(manifests.map((m) => [m.cluster, m.objects.map((o) => `${o['kind']} ${(o['metadata'] as { name: string }).name}`)])).toEqual([
      [
        'edge-us',
        [
          'Gateway shop-example-com-edge',
          'VirtualService shop-example-com',
          'ServiceEntry shop-example-com-upstream',
          'DestinationRule shop-example-com-upstream',
          'Gateway blog-example-com-edge',
          'VirtualService blog-example-com',
          'ServiceEntry blog-example-com-upstream',
          'DestinationRule blog-example-com-upstream',
        ],
      ],
      [
        'edge-eu',
        [
          'Gateway shop-example-com-edge',
          'VirtualService shop-example-com',
          'ServiceEntry shop-example-com-upstream',
          'DestinationRule shop-example-com-upstream',
        ],
      ],
    ]);
    for (const object of manifests.flatMap((m) => m.objects)) expect(() => validateIstio(object), JSON.stringify(object)).not.toThrow();
    const [gateway, virtualService, serviceEntry, destinationRule] = manifests[1]!.objects;
    expect(gateway!['spec']).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] },
        { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-tls' } },
      ],
    });
    expect(virtualService!['spec']).toEqual({
      hosts: ['shop.example.com'],
      gateways: ['istio-system/shop-example-com-edge'],
      http: [{ route: [{ destination: { host: 'shop.example.com.mesh.internal', port: { number: 80 } } }] }],
    });
    expect(serviceEntry!['spec']).toEqual({
      hosts: ['shop.example.com.mesh.internal'],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
    });
    expect(destinationRule!['spec']).toMatchObject({
      host: 'shop.example.com.mesh.internal',
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' } },
    });
  });

  it('the schema check bites: a misspelt resolution or a route without host is refused', () => {
    const [, virtualService, serviceEntry] = edgeConfig(BASE)[0]!.objects;
    const spec = (o: Record<string, unknown>) => o['spec'] as Record<string, unknown>;
    expect(() => validateIstio({ ...serviceEntry!, spec: { ...spec(serviceEntry!), resolution: 'DNZ' } })).toThrow(/resolution/);
    expect(() =>
      validateIstio({ ...virtualService!, spec: { ...spec(virtualService!), http: [{ route: [{ destination: { port: { number: 80 } } }] }] } }),
    ).toThrow(/host/);
  });
});

describe('edgeConfig, Tetrate', () => {
  it("writes one Tier1Gateway per app and edge, forwarding to the app's workload clusters, valid against the Tier1Gateway schema", () => {
    const manifests = edgeConfig({
      ...BASE,
      mesh: 'tetrate',
      upstreamZone: undefined,
      tsb: TSB,
      selector: { app: 'tier1-gateway' },
      namespace: 'tier1',
    } as EdgeConfigInput);
    const objects = manifests.flatMap((m) => m.objects);
    expect(objects).toHaveLength(3);
    for (const object of objects) expect(validateTier1(object), JSON.stringify(validateTier1.errors)).toBe(true);
    expect(manifests[1]!.objects[0]).toEqual({
      apiVersion: 'gateway.tsb.tetrate.io/v2',
      kind: 'Tier1Gateway',
      metadata: {
        name: 'shop-example-com-edge',
        namespace: 'tier1',
        labels: { 'app.kubernetes.io/managed-by': 'switchyard' },
        annotations: {
          'tsb.tetrate.io/organization': 'myorg',
          'tsb.tetrate.io/tenant': 'platform',
          'tsb.tetrate.io/workspace': 'edge',
          'tsb.tetrate.io/gatewayGroup': 'tier1',
        },
      },
      spec: {
        workloadSelector: { namespace: 'tier1', labels: { app: 'tier1-gateway' } },
        externalServers: [{ name: 'shop-example-com', hostname: 'shop.example.com', port: 80, clusters: [{ name: 'east' }, { name: 'west' }, { name: 'eu' }] }],
      },
    });
  });

  it('the schema check bites: TLS without a secret, or a server without port, is refused', () => {
    const tier1 = edgeConfig({ ...BASE, mesh: 'tetrate', tsb: TSB })[0]!.objects[0]!;
    const server = (tier1['spec'] as { externalServers: Array<Record<string, unknown>> }).externalServers[0]!;
    const withServer = (s: Record<string, unknown>) => ({ ...tier1, spec: { ...(tier1['spec'] as object), externalServers: [s] } });
    expect(validateTier1(withServer({ ...server, tls: { mode: 'SIMPLE' } }))).toBe(false);
    const { port: _port, ...noPort } = server;
    expect(validateTier1(withServer(noPort))).toBe(false);
  });
});

describe('edge-config read back by discovery', () => {
  const cluster = (name: string, role: string) => `
  - { name: ${name}, role: ${role}, region: us-east-1, eksClusterName: ${name}, canaryHostname: canary-${name}.example.com, domainFilter: [example.com] }`;
  const fleet = {
    ...parseFleetConfig(
      `ownerId: t\nzones: [{ name: example.com }]\nupstream: { zone: mesh.internal }\nclusters:${cluster('edge-us', 'edge')}${cluster('east', 'workload')}${cluster('west', 'workload')}${cluster('eu', 'workload')}`,
      'fleet.yaml',
    ),
    upstream: { zone: 'mesh.internal' },
  } as FleetConfig;
  const edge = fleet.clusters[0]!;
  const workloadEndpoints: PublishedEndpoint[] = ['east', 'west', 'eu'].map((c) => ({
    cluster: c,
    hostname: 'shop.example.com',
    kind: 'IstioGateway',
    gateway: 'shop/shop',
    annotations: {},
  }));
  const SERVICE = parseManifests(
    `apiVersion: v1
kind: Service
metadata: { name: gw, namespace: edge, labels: { istio: ingressgateway, app: tier1-gateway } }
spec: { type: LoadBalancer, selector: { istio: ingressgateway, app: tier1-gateway } }
status: { loadBalancer: { ingress: [{ hostname: edge-us.elb.us-east-1.amazonaws.com }] } }
`,
    'svc.yaml',
  );

  it.each([
    ['istio', { mesh: 'istio' as const, selector: { istio: 'ingressgateway' } }],
    ['tetrate', { mesh: 'tetrate' as const, tsb: TSB, selector: { app: 'tier1-gateway' } }],
  ])('%s: the edge publishes the app and forwards it where the edge-tier checks want it', (_mesh, options) => {
    // Prepare
    const [manifests] = edgeConfig({ ...BASE, ...options, edges: [edge], apps: [SHOP], namespace: 'edge' });
    // Act
    const found = discoverCluster([...SERVICE, ...(manifests!.objects as KubeObject[])], { cluster: edge, canaries: canaryHostnames(fleet.clusters) });
    // Assess
    expect(found.problems).toEqual([]);
    expect(found.endpoints.map((e) => [e.hostname, e.entryPoint])).toEqual([['shop.example.com', 'edge-us.elb.us-east-1.amazonaws.com']]);
    expect(found.forwards).toHaveLength(1);
    expect(
      edgeTierProblems({ fleet, endpoints: [...workloadEndpoints, ...found.endpoints], forwards: found.forwards!, read: ['edge-us', 'east', 'west', 'eu'] }),
    ).toEqual([]);
  });
});
