// All of one cluster's objects → its published endpoints and problems. Pure.
// Problems are per resource: every other resource goes on.
import { isWithin, type ClusterConfig } from '../../core/config.ts';
import { isEdge, type EdgeForward } from '../../core/edge-discovery.ts';
import { compareStrings } from '../../core/dns-names.ts';
import type { GatewayKind, Problem, PublishedEndpoint } from '../../core/model.ts';
import { nameOf, namespaceOf, objectRole, type KubeObject } from '../kube.ts';
import { edgeForwards } from './edge-routes.ts';
import { entryPointResolver } from './entry-point.ts';
import { parseGatewayApi } from './gateway-api.ts';
import { normalizeHostname } from './hostnames.ts';
import { parseIstioGateway } from './istio.ts';
import type { ParsedResources, Publication, ResourceKind, ResourceProblem } from './publication.ts';
import { parseTetrateGateway } from './tetrate.ts';
import { parseTier1Gateway } from './tier1.ts';

export interface ClusterContext {
  cluster: Pick<ClusterConfig, 'name' | 'domainFilter' | 'canaryHostname'> & { entryPoint?: string | undefined; role?: ClusterConfig['role'] | undefined };
  /** Every fleet cluster's canary hostname → that cluster's name. */
  canaries: ReadonlyMap<string, string>;
}

export interface Discovery {
  endpoints: PublishedEndpoint[];
  problems: Problem[];
  /**
   * Problems that hold the whole cluster: its picture is not to be trusted (a resource
   * far beyond any real one), so callers leave its records as they are. Absent when none.
   */
  held?: Problem[];
  /** An edge cluster's routes: where each host it publishes is forwarded. Absent for a workload cluster. */
  forwards?: EdgeForward[];
}

/**
 * A resource declaring more hostnames than this holds its cluster: no real Gateway comes
 * near it (Gateway API allows 64 listeners, an HTTPRoute 16 hostnames), and dropping the
 * resource alone would withdraw whatever it published before.
 */
export const MAX_HOSTNAMES_PER_RESOURCE = 1000;

/** The canary map for ClusterContext, from the fleet's clusters. */
export function canaryHostnames(clusters: readonly Pick<ClusterConfig, 'name' | 'canaryHostname'>[]): Map<string, string> {
  return new Map(clusters.map((c) => [c.canaryHostname, c.name]));
}

/** "cluster/Kind/namespace/name": the subject of a resource's problems. */
export function resourceSubject(cluster: string, kind: ResourceKind, ref: string): string {
  return `${cluster}/${kind}/${ref}`;
}

/** When two resources publish one hostname, the first in this order wins (a route is more specific than its Gateway). */
const KIND_ORDER: readonly GatewayKind[] = ['HTTPRoute', 'Gateway', 'IstioGateway', 'TetrateGateway', 'Tier1Gateway'];

export function discoverCluster(objects: readonly KubeObject[], context: ClusterContext): Discovery {
  const byRole = (role: string) => objects.filter((o) => objectRole(o) === role);
  const entryPoints = entryPointResolver(byRole('Service'), context.cluster.entryPoint);
  const edge = isEdge(context.cluster);

  const parsed = [
    ...byRole('IstioGateway').map((o) => parseIstioGateway(o, entryPoints)),
    ...byRole('TetrateGateway').map((o) => parseTetrateGateway(o, entryPoints)),
    ...byRole('Tier1Gateway').map((o) => (edge ? parseTier1Gateway(o, entryPoints) : tier1OnWorkload(o))),
    parseGatewayApi({ gateways: byRole('Gateway'), routes: byRole('HTTPRoute'), namespaces: byRole('Namespace') }, entryPoints),
  ];
  const publications = parsed
    .flatMap((p) => p.publications)
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || compareStrings(a.ref, b.ref) || compareStrings(a.parent ?? '', b.parent ?? ''));

  const name = context.cluster.name;
  const held = publications
    .filter((p) => p.hosts.length > MAX_HOSTNAMES_PER_RESOURCE)
    .map((p): Problem => ({
      subject: resourceSubject(name, p.kind, p.ref),
      cluster: name,
      reason: `declares ${p.hosts.length} hostnames, more than the ${MAX_HOSTNAMES_PER_RESOURCE} a resource may; the cluster is held: its records are left as they are`,
    }));
  if (held.length > 0) return { endpoints: [], problems: [], held };
  const problems: Problem[] = [];
  const report = (p: ResourceProblem, hostname?: string) =>
    problems.push({ subject: resourceSubject(name, p.kind, p.ref), reason: p.reason, cluster: name, ...(hostname ? { hostname } : {}) });
  for (const p of parsed.flatMap((r) => r.problems)) report(p);
  const routes = edge
    ? edgeForwards({ publications, virtualServices: byRole('VirtualService'), routes: byRole('HTTPRoute'), services: byRole('Service') })
    : undefined;
  for (const p of routes?.problems ?? []) report(p);

  const reportedEntryPoints = new Set<string>();
  const chosen = new Map<string, { endpoint: PublishedEndpoint; publication: Publication }>();
  for (const publication of publications) {
    const { kind, ref } = publication;
    if ('reason' in publication.entryPoint) {
      // A route shares its Gateway's entry point: report a missing Service once, on the Gateway.
      const owner: ResourceProblem = publication.parent
        ? { kind: 'Gateway', ref: publication.parent, reason: publication.entryPoint.reason }
        : { kind, ref, reason: publication.entryPoint.reason };
      const key = `${owner.kind}/${owner.ref}/${owner.reason}`;
      if (!reportedEntryPoints.has(key)) report(owner);
      reportedEntryPoints.add(key);
    }
    for (const host of publication.hosts) {
      const checked = checkHostname(host, context);
      if ('reason' in checked) {
        report({ kind, ref, reason: checked.reason }, checked.hostname);
        continue;
      }
      const endpoint: PublishedEndpoint = {
        hostname: checked.hostname,
        cluster: name,
        kind,
        gateway: ref,
        ...('entryPoint' in publication.entryPoint ? { entryPoint: publication.entryPoint.entryPoint } : {}),
        annotations: publication.annotations,
        ...(checked.hostname === context.cluster.canaryHostname ? { canary: true } : {}),
      };
      const first = chosen.get(checked.hostname);
      if (!first) {
        chosen.set(checked.hostname, { endpoint, publication });
        continue;
      }
      // A route overriding its own Gateway's listener hostname, or the same choices twice, is expected.
      const overridden = first.publication.parent === ref && kind === 'Gateway';
      if (!overridden && !sameChoices(first.endpoint, endpoint)) {
        report(
          {
            kind,
            ref,
            reason: `"${checked.hostname}" is also published by ${first.endpoint.kind} ${first.endpoint.gateway} with a different ${differences(first.endpoint, endpoint)}; using that one`,
          },
          checked.hostname,
        );
      }
    }
  }
  const endpoints = [...chosen.values()].map((c) => c.endpoint).sort((a, b) => compareStrings(a.hostname, b.hostname));
  if (!routes) return { endpoints, problems };
  const forwards = routes.forwards.flatMap((f): EdgeForward[] => {
    const host = normalizeHostname(f.host);
    return 'reason' in host ? [] : [{ cluster: name, hostname: host.hostname, kind: f.kind, resource: f.resource, targets: f.targets }];
  });
  return { endpoints, problems, forwards };
}

/** A Tier1Gateway forwards to other clusters: it publishes only from a cluster the fleet calls an edge. */
function tier1OnWorkload(object: KubeObject): ParsedResources {
  const ref = `${namespaceOf(object)}/${nameOf(object)}`;
  return {
    publications: [],
    problems: [
      {
        kind: 'Tier1Gateway',
        ref,
        reason:
          'a Tier1Gateway forwards to other clusters, so it is published only from an edge cluster (clusters[].role: edge in fleet.yaml); this cluster is a workload cluster',
      },
    ],
  };
}

type Checked = { hostname: string } | { reason: string; hostname?: string };

function checkHostname(host: string, context: ClusterContext): Checked {
  const normalized = normalizeHostname(host);
  if ('reason' in normalized) return normalized;
  const { hostname } = normalized;
  const { domainFilter, name } = context.cluster;
  if (!domainFilter.some((suffix) => isWithin(hostname, suffix))) {
    return { hostname, reason: `"${hostname}" is outside the cluster's domainFilter (${domainFilter.join(', ')})` };
  }
  const owner = context.canaries.get(hostname);
  if (owner !== undefined && owner !== name) {
    return { hostname, reason: `"${hostname}" is cluster ${owner}'s canary hostname; only ${owner} may publish it` };
  }
  return { hostname };
}

function sameChoices(a: PublishedEndpoint, b: PublishedEndpoint): boolean {
  return a.entryPoint === b.entryPoint && canonical(a.annotations) === canonical(b.annotations);
}

function differences(a: PublishedEndpoint, b: PublishedEndpoint): string {
  return a.entryPoint !== b.entryPoint ? 'entry point' : 'switchyard.io/ annotations';
}

function canonical(value: object): string {
  return JSON.stringify(Object.entries(value).sort(([x], [y]) => compareStrings(x, y)));
}
