// The edge tier as discovery sees it (docs/edge.md, "Discovery"): which workload apps each
// edge cluster forwards to, and the two problems of a tier that does not fit together. Pure.
import type { ClusterConfig, FleetConfig } from './config.ts';
import type { Problem, PublishedEndpoint } from './model.ts';
import { upstreamName } from './tiers.ts';

/**
 * Where an edge sends a host's requests: a DNS name (an Istio route destination, an
 * ExternalName Service, an Istio Hostname backend), or Tetrate clusters (a Tier1Gateway's
 * `clusters`; an empty list means every cluster that exposes the host).
 */
export type ForwardTarget = { host: string } | { clusters: Array<{ name: string; weight?: number }> };

/** One routing resource of an edge cluster forwarding one published host. */
export interface EdgeForward {
  cluster: string;
  /** The published host (lower-case, no trailing dot). */
  hostname: string;
  /** Kind of the routing resource: VirtualService, HTTPRoute, Tier1Gateway. */
  kind: string;
  /** "namespace/name" of the routing resource. */
  resource: string;
  targets: ForwardTarget[];
}

/**
 * The fleet's upstream zone (`upstream.zone` in fleet.yaml), or undefined when it names
 * none. Read defensively: the one place that knows where the setting lives.
 */
export function upstreamZoneOf(fleet: FleetConfig): string | undefined {
  const upstream = (fleet as { upstream?: unknown }).upstream;
  if (upstream === null || typeof upstream !== 'object') return undefined;
  const zone = (upstream as { zone?: unknown }).zone;
  return typeof zone === 'string' && zone !== '' ? zone.toLowerCase().replace(/\.$/, '') : undefined;
}

export function isEdge(cluster: { role?: ClusterConfig['role'] | undefined }): boolean {
  return cluster.role === 'edge';
}

export interface EdgeTierInput {
  fleet: FleetConfig;
  endpoints: readonly PublishedEndpoint[];
  forwards: readonly EdgeForward[];
  /** Clusters read completely; a rule needing a cluster that was not read is not judged. */
  read: readonly string[];
}

/** `cluster/Kind/namespace/name`, as every resource problem names its subject. */
const subjectOf = (cluster: string, kind: string, resource: string) => `${cluster}/${kind}/${resource}`;

/**
 * Problems of the edge tier:
 * - an edge publishes a host that no workload cluster serves (judged only when every
 *   workload cluster was read);
 * - an edge publishes a host that workload clusters serve, but does not forward it to the
 *   app's upstream name (or, for Tetrate, to workload clusters that serve it).
 */
export function edgeTierProblems(input: EdgeTierInput): Problem[] {
  const { fleet } = input;
  const edges = new Set(fleet.clusters.filter(isEdge).map((c) => c.name));
  if (edges.size === 0) return [];
  const workloads = fleet.clusters.filter((c) => !isEdge(c)).map((c) => c.name);
  const allWorkloadsRead = workloads.every((name) => input.read.includes(name));
  const servedBy = new Map<string, string[]>();
  for (const e of input.endpoints) {
    if (edges.has(e.cluster) || e.canary) continue;
    servedBy.set(e.hostname, [...(servedBy.get(e.hostname) ?? []), e.cluster]);
  }
  const zone = upstreamZoneOf(fleet);
  const problems: Problem[] = [];
  let reportedNoZone = false;

  for (const endpoint of input.endpoints) {
    if (!edges.has(endpoint.cluster) || endpoint.canary) continue;
    const { cluster, hostname } = endpoint;
    const serving = servedBy.get(hostname) ?? [];
    const base = { cluster, hostname };
    if (serving.length === 0) {
      if (allWorkloadsRead) {
        problems.push({
          ...base,
          subject: subjectOf(cluster, endpoint.kind, endpoint.gateway),
          reason: `edge cluster ${cluster} publishes "${hostname}", which no workload cluster serves (${workloads.join(', ') || 'the fleet has none'})`,
        });
      }
      continue;
    }
    const forwards = input.forwards.filter((f) => f.cluster === cluster && f.hostname === hostname && f.targets.length > 0);
    if (forwards.length === 0) {
      problems.push({
        ...base,
        subject: subjectOf(cluster, endpoint.kind, endpoint.gateway),
        reason: `edge cluster ${cluster} publishes "${hostname}" but no route forwards it (no VirtualService, HTTPRoute backend or Tier1Gateway clusters for it)${zone ? `; it should forward to ${upstreamName(hostname, zone)}` : ''}`,
      });
      continue;
    }
    for (const forward of forwards) {
      const subject = subjectOf(cluster, forward.kind, forward.resource);
      for (const target of forward.targets) {
        if ('host' in target) {
          if (zone === undefined) {
            if (!reportedNoZone) {
              problems.push({
                subject: 'upstream.zone',
                reason: `edge clusters forward apps by name (${subject} forwards "${hostname}"), but fleet.yaml names no upstream zone, so the forwarding cannot be checked`,
              });
            }
            reportedNoZone = true;
            continue;
          }
          const expected = upstreamName(hostname, zone);
          if (target.host !== expected) {
            problems.push({
              ...base,
              subject,
              reason: `forwards "${hostname}" to ${target.host}, not to its upstream name ${expected}: drains and failovers of the workload clusters would not reach this edge`,
            });
          }
          continue;
        }
        for (const { name } of target.clusters) {
          if (serving.includes(name)) continue;
          const why = edges.has(name)
            ? 'an edge cluster'
            : workloads.includes(name)
              ? `a workload cluster that does not serve it (served by ${serving.join(', ')})`
              : `not a cluster of the fleet (served by ${serving.join(', ')})`;
          problems.push({ ...base, subject, reason: `forwards "${hostname}" to cluster ${name}, ${why}` });
        }
      }
    }
  }
  return problems;
}
