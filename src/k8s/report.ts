// What `switchyard discover` shows: each discovered endpoint with the routing the
// desired-state code would give it (declared routing: every cluster active, health
// unknown), and every problem. Pure.
import type { FleetConfig } from '../core/config.ts';
import { isEdge, type ForwardTarget } from '../core/edge-discovery.ts';
import { computeDesiredState } from '../core/desired.ts';
import { normalizeName } from '../core/dns-names.ts';
import { healthCheckSpecFor } from '../core/health-spec.ts';
import { managedZoneConfigs } from '../core/upstream.ts';
import type { HealthProtocol, Problem, RoutingPolicy } from '../core/model.ts';
import type { EndpointList } from '../core/ports.ts';

export interface EndpointRow {
  cluster: string;
  hostname: string;
  kind: string;
  /** "namespace/name" */
  gateway: string;
  entryPoint: string | null;
  /** The app's routing policy; null when the endpoint is not published (disabled, outside every zone, ...). */
  routing: RoutingPolicy | null;
  /** Weighted apps: this cluster's normal weight. */
  weight: number | null;
  /** Failover apps: this cluster's role. */
  failover: 'primary' | 'secondary' | null;
  health: { protocol: HealthProtocol; fqdn: string; port: number; path?: string };
  /** The cluster's own canary hostname. */
  canary: boolean;
  enabled: boolean;
}

export interface ProblemRow {
  cluster: string | null;
  resource: string;
  reason: string;
}

/** A host an edge cluster publishes, and the routes that forward it (none: a problem). */
export interface EdgeRow {
  cluster: string;
  hostname: string;
  forwards: Array<{ kind: string; resource: string; targets: ForwardTarget[] }>;
}

export interface DiscoveryReport {
  endpoints: EndpointRow[];
  problems: ProblemRow[];
  unreachable: string[];
  /** Present when the fleet has edge clusters. */
  edges?: EdgeRow[];
}

export function discoveryReport(fleet: FleetConfig, result: EndpointList): DiscoveryReport {
  // Zone ids only name where records go; routing does not depend on them.
  const zones = managedZoneConfigs(fleet).map((z) => ({ id: z.id ?? z.name, name: normalizeName(z.name) }));
  const desired = computeDesiredState({ fleet, zones, endpoints: result.endpoints });
  const apps = new Map(desired.apps.map((app) => [app.hostname, app]));
  const clusters = new Map(fleet.clusters.map((c) => [c.name, c]));
  const order = (name: string) => fleet.clusters.findIndex((c) => c.name === name);

  const endpoints = [...result.endpoints]
    .sort((a, b) => order(a.cluster) - order(b.cluster) || a.hostname.localeCompare(b.hostname))
    .map((e): EndpointRow => {
      const cluster = clusters.get(e.cluster);
      const app = apps.get(e.hostname);
      const routing = app?.clusters.find((c) => c.cluster === e.cluster);
      const spec = cluster ? healthCheckSpecFor(fleet.healthCheck, cluster, e.annotations, e.hostname) : undefined;
      return {
        cluster: e.cluster,
        hostname: e.hostname,
        kind: e.kind,
        gateway: e.gateway,
        entryPoint: cluster?.entryPoint ?? e.entryPoint ?? null,
        routing: app && routing ? app.policy : null,
        weight: app?.policy === 'weighted' ? (routing?.weight ?? null) : null,
        failover: app?.policy === 'failover' && routing?.role ? (routing.role === 'PRIMARY' ? 'primary' : 'secondary') : null,
        health: spec
          ? { protocol: spec.protocol, fqdn: spec.fqdn, port: spec.port, ...(spec.path === undefined ? {} : { path: spec.path }) }
          : { protocol: fleet.healthCheck.protocol, fqdn: '', port: fleet.healthCheck.port },
        canary: e.canary === true,
        enabled: e.annotations.enabled !== false,
      };
    });

  // A cluster read completely that published nothing, not even its canary: plan and sync
  // hold it when Route 53 holds records of it (src/core/zone-state.ts, silentClusters).
  const publishing = new Set(result.endpoints.map((e) => e.cluster));
  const silent: Problem[] = fleet.clusters
    .filter((c) => !publishing.has(c.name) && !result.unreachable.includes(c.name))
    .map((c) => ({
      subject: c.name,
      cluster: c.name,
      reason: `published nothing, not even its canary ${c.canaryHostname}: plan and sync hold the cluster (leave its records as they are) while Route 53 holds records of it`,
    }));

  const seen = new Set<string>();
  const problems: ProblemRow[] = [];
  for (const p of [...result.problems, ...silent, ...desired.problems] as Problem[]) {
    const key = `${p.subject}\u0000${p.reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ cluster: p.cluster ?? null, resource: p.subject, reason: p.reason });
  }
  const report: DiscoveryReport = { endpoints, problems, unreachable: [...result.unreachable] };
  const edges = new Set(fleet.clusters.filter(isEdge).map((c) => c.name));
  if (edges.size === 0) return report;
  report.edges = endpoints
    .filter((e) => edges.has(e.cluster) && !e.canary)
    .map((e) => ({
      cluster: e.cluster,
      hostname: e.hostname,
      forwards: (result.forwards ?? [])
        .filter((f) => f.cluster === e.cluster && f.hostname === e.hostname)
        .map((f) => ({ kind: f.kind, resource: f.resource, targets: f.targets })),
    }));
  return report;
}

/** A forward's targets as text: names, or Tetrate clusters with their weights. */
export function formatTargets(targets: readonly ForwardTarget[]): string {
  if (targets.length === 0) return '(nowhere)';
  return targets
    .map((t) =>
      'host' in t
        ? t.host
        : t.clusters.length === 0
          ? 'every cluster exposing it'
          : `clusters ${t.clusters.map((c) => (c.weight === undefined ? c.name : `${c.name} (${c.weight})`)).join(', ')}`,
    )
    .join(', ');
}

/** The report as aligned text, one section per cluster. */
export function formatReport(report: DiscoveryReport, clusters: readonly string[]): string {
  const lines: string[] = [];
  const unreachable = new Set(report.unreachable);
  for (const name of clusters) {
    const rows = report.endpoints.filter((e) => e.cluster === name);
    if (unreachable.has(name)) {
      lines.push(`${name}: UNREACHABLE — held: its records are left as they are (see the problems below)`, '');
      continue;
    }
    lines.push(`${name}: ${rows.length} endpoint${rows.length === 1 ? '' : 's'}`);
    if (rows.length > 0) {
      const table = [
        ['HOSTNAME', 'KIND', 'GATEWAY', 'ENTRY POINT', 'ROUTING', 'WEIGHT', 'FAILOVER', 'HEALTH'],
        ...rows.map((r) => [
          r.hostname,
          r.kind,
          r.gateway,
          r.entryPoint ?? '(none)',
          !r.enabled ? 'disabled' : r.canary ? `canary (${r.routing ?? '-'})` : (r.routing ?? '-'),
          r.weight === null ? '-' : String(r.weight),
          r.failover ?? '-',
          `${r.health.protocol} ${r.health.fqdn}:${r.health.port}${r.health.path ?? ''}`,
        ]),
      ];
      const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
      for (const row of table) lines.push(`  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`);
    }
    const forwards = (report.edges ?? []).filter((e) => e.cluster === name);
    if (forwards.length > 0) lines.push('  edge forwarding:');
    for (const edge of forwards) {
      if (edge.forwards.length === 0) lines.push(`    ${edge.hostname} → (no route)`);
      for (const f of edge.forwards) lines.push(`    ${edge.hostname} → ${formatTargets(f.targets)}  (${f.kind} ${f.resource})`);
    }
    lines.push('');
  }
  if (report.problems.length === 0) lines.push('No problems.');
  else {
    lines.push(`Problems (${report.problems.length}):`);
    for (const p of report.problems) lines.push(`  ${p.resource}: ${p.reason}`);
  }
  return lines.join('\n');
}
