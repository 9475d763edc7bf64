// Touchpoint 2 of docs/edge.md ("edge-config"): the resources that publish an app from an
// edge cluster and forward it to the app's workload clusters. Pure: data in, Kubernetes
// objects out; the CLI prints them as YAML for `kubectl apply`.
//
// - Istio: a Gateway (the public server), a VirtualService routing the host to the app's
//   upstream name, a ServiceEntry that makes the upstream name a DNS-resolved mesh-external
//   service (every address Route 53 answers is an endpoint), and a DestinationRule whose
//   outlier detection ejects an address that keeps failing until Route 53 stops answering it.
// - Tetrate: a Tier1Gateway whose external server forwards to the workload clusters serving the app.
import type { ClusterConfig } from './config.ts';
import { isWithin } from './config.ts';
import { upstreamName } from './tiers.ts';

export const MESHES = ['istio', 'tetrate'] as const;
export type Mesh = (typeof MESHES)[number];

/** An app to put behind the edges: its host and the workload clusters serving it. */
export interface EdgeApp {
  hostname: string;
  workloads: string[];
}

export interface EdgeConfigInput {
  mesh: Mesh;
  /** The fleet's edge clusters. */
  edges: readonly Pick<ClusterConfig, 'name' | 'domainFilter'>[];
  apps: readonly EdgeApp[];
  /** The fleet's upstream zone (Istio forwards to `<host>.<zone>`). */
  upstreamZone?: string;
  /** Namespace of the generated resources. */
  namespace: string;
  /** Labels of the edge gateway's pods (Istio Gateway selector, Tier1Gateway workloadSelector). */
  selector: Record<string, string>;
  /** A TLS secret on the edge: adds an HTTPS server on 443 terminating with it. */
  credential?: string;
  /** Tetrate: the TSB hierarchy the Tier1Gateway belongs to. */
  tsb?: { organization: string; tenant: string; workspace: string; group: string };
}

export interface EdgeManifests {
  cluster: string;
  objects: Array<Record<string, unknown>>;
}

/** The port the edges forward to on the workload clusters' ingress gateways. */
export const UPSTREAM_PORT = 80;

/** Outlier detection of the upstream name's addresses (Istio DestinationRule). */
export const OUTLIER_DETECTION = {
  consecutive5xxErrors: 5,
  consecutiveGatewayErrors: 3,
  interval: '10s',
  baseEjectionTime: '30s',
  maxEjectionPercent: 100,
} as const;

const LABELS = { 'app.kubernetes.io/managed-by': 'switchyard' } as const;

/** A resource name for a host: `shop.example.com` → `shop-example-com`. */
export function resourceName(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '').replaceAll('.', '-').slice(0, 200);
}

/** The edge clusters whose domainFilter lets them publish `hostname`. */
export function edgesFor(hostname: string, edges: EdgeConfigInput['edges']): string[] {
  return edges.filter((e) => e.domainFilter.some((suffix) => isWithin(hostname, suffix))).map((e) => e.name);
}

/** Every edge's manifests, in fleet order; an edge no app may be published from is left out. */
export function edgeConfig(input: EdgeConfigInput): EdgeManifests[] {
  return input.edges
    .map((edge) => ({
      cluster: edge.name,
      objects: input.apps
        .filter((app) => edgesFor(app.hostname, [edge]).length > 0)
        .flatMap((app) => (input.mesh === 'istio' ? istioObjects(app, input) : [tier1Object(app, input)])),
    }))
    .filter((m) => m.objects.length > 0);
}

function metadata(name: string, namespace: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, namespace, labels: { ...LABELS }, ...extra };
}

function istioObjects(app: EdgeApp, input: EdgeConfigInput): Array<Record<string, unknown>> {
  if (input.upstreamZone === undefined) throw new Error('edgeConfig: the Istio resources need the upstream zone');
  const name = resourceName(app.hostname);
  const upstream = upstreamName(app.hostname, input.upstreamZone);
  const { namespace } = input;
  const servers: Array<Record<string, unknown>> = [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [app.hostname] }];
  if (input.credential !== undefined) {
    servers.push({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: [app.hostname], tls: { mode: 'SIMPLE', credentialName: input.credential } });
  }
  return [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: metadata(`${name}-edge`, namespace),
      spec: { selector: { ...input.selector }, servers },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: metadata(name, namespace),
      spec: {
        hosts: [app.hostname],
        gateways: [`${namespace}/${name}-edge`],
        http: [{ route: [{ destination: { host: upstream, port: { number: UPSTREAM_PORT } } }] }],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: metadata(`${name}-upstream`, namespace),
      spec: { hosts: [upstream], location: 'MESH_EXTERNAL', resolution: 'DNS', ports: [{ number: UPSTREAM_PORT, name: 'http', protocol: 'HTTP' }] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: metadata(`${name}-upstream`, namespace),
      spec: { host: upstream, trafficPolicy: { outlierDetection: { ...OUTLIER_DETECTION } } },
    },
  ];
}

function tier1Object(app: EdgeApp, input: EdgeConfigInput): Record<string, unknown> {
  if (input.tsb === undefined) throw new Error('edgeConfig: a Tier1Gateway needs its TSB organization, tenant, workspace and group');
  const name = resourceName(app.hostname);
  const { organization, tenant, workspace, group } = input.tsb;
  const tls = input.credential === undefined ? {} : { tls: { mode: 'SIMPLE', secretName: input.credential } };
  return {
    apiVersion: 'gateway.tsb.tetrate.io/v2',
    kind: 'Tier1Gateway',
    metadata: metadata(`${name}-edge`, input.namespace, {
      annotations: {
        'tsb.tetrate.io/organization': organization,
        'tsb.tetrate.io/tenant': tenant,
        'tsb.tetrate.io/workspace': workspace,
        'tsb.tetrate.io/gatewayGroup': group,
      },
    }),
    spec: {
      workloadSelector: { namespace: input.namespace, labels: { ...input.selector } },
      externalServers: [
        {
          name,
          hostname: app.hostname,
          port: input.credential === undefined ? 80 : 443,
          ...tls,
          clusters: app.workloads.map((cluster) => ({ name: cluster })),
        },
      ],
    },
  };
}
