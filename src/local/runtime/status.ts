// The fleet as an operator wants to see it: each cluster's intent and health, and for
// each app which clusters Route 53 holds records for, with what weight, and which of them
// Route 53 would answer with now. Read through the ports (state table, Route 53, health
// source), so the same function serves the local status view and a status command
// against AWS; the local runtime adds its canaries, executions and recent events.
import { selectZones } from '../../core/zone-state.ts';
import type { Route53Port } from '../../core/ports.ts';
import type { StateTable } from '../../core/ports.ts';
import type { FleetConfig } from '../../core/config.ts';
import { MARKER_LABEL, normalizeName } from '../../core/dns-names.ts';
import { catalogueApps } from '../../core/catalogue.ts';
import { unservedApps, type UnservedApp } from '../../core/failover.ts';
import { failoverKey, intentOf, liveLocks } from '../../core/fleet-document.ts';
import type { ClusterIntentState, HealthState, RecordSet, RoutingPolicy } from '../../core/model.ts';
import type { HealthSource } from '../../core/ports.ts';
import type { Tier } from '../../core/tiers.ts';
import { tierOf } from '../../core/upstream.ts';

export interface ClusterStatus {
  name: string;
  region: string;
  intent: ClusterIntentState;
  weightPercent: number;
  health: HealthState;
  /** "drain by <holder>" while an operation holds the cluster's lock. */
  lock?: string;
  /** True when alarm-driven failover took the whole cluster out. */
  failedOver: boolean;
  /** Only in a fleet with edge clusters (docs/edge.md). */
  tier?: Tier;
}

export interface AppMemberStatus {
  cluster: string;
  /** Route 53 weight (weighted routing). */
  weight?: number;
  /** PRIMARY / SECONDARY (failover routing). */
  role?: string;
  /** What the record's health check reports (the cluster's health when unknown). */
  healthy: boolean;
  /** Route 53 would answer with this cluster's record now. */
  serving: boolean;
}

export interface AppStatus {
  hostname: string;
  routing: RoutingPolicy;
  /**
   * Only in a fleet with edge clusters: `edge` for an app's public records on the edges,
   * `workload` for its upstream records (upstreamOf set) and for an app published directly.
   */
  tier?: Tier;
  upstreamOf?: string;
  clusters: AppMemberStatus[];
}

export interface FleetStatus {
  clusters: ClusterStatus[];
  apps: AppStatus[];
  /**
   * Apps no healthy, active cluster serves now, with their DRAINED clusters (which stay
   * drained until an operator restores one) and their unhealthy ones.
   */
  unserved: UnservedApp[];
}

export interface FleetStatusPorts {
  fleet: FleetConfig;
  table: Pick<StateTable, 'readFleet' | 'listApps'>;
  route53: Pick<Route53Port, 'listHostedZones' | 'listRecordSets'>;
  health: HealthSource;
  /** A health check's current status, when the caller can see it (the local emulator can). */
  healthCheckStatus?: (id: string) => boolean | undefined;
}

function routingOf(record: RecordSet): RoutingPolicy {
  if (record.weight !== undefined) return 'weighted';
  if (record.failover !== undefined) return 'failover';
  if (record.region !== undefined) return 'latency';
  return 'simple';
}

/** Which members Route 53 answers with, by its rules for each routing policy (health checks included). */
export function servingMembers(routing: RoutingPolicy, members: ReadonlyArray<Omit<AppMemberStatus, 'serving'>>): Set<string> {
  const healthy = members.filter((m) => m.healthy);
  switch (routing) {
    case 'weighted': {
      const weighted = members.filter((m) => (m.weight ?? 0) > 0);
      const live = weighted.filter((m) => m.healthy);
      // All weighted records unhealthy: Route 53 answers as if they were all healthy.
      return new Set((live.length > 0 ? live : weighted).map((m) => m.cluster));
    }
    case 'failover': {
      const primary = members.find((m) => m.role === 'PRIMARY');
      const secondary = members.find((m) => m.role === 'SECONDARY');
      if (primary?.healthy) return new Set([primary.cluster]);
      if (secondary?.healthy) return new Set([secondary.cluster]);
      const fallback = primary ?? secondary;
      return new Set(fallback ? [fallback.cluster] : []);
    }
    case 'latency':
      return new Set((healthy.length > 0 ? healthy : members).map((m) => m.cluster));
    case 'simple':
      return new Set(members.map((m) => m.cluster));
  }
}

/** Which tier an app's records point at, from their name and clusters. */
function appTier(fleet: FleetConfig, hostname: string, members: ReadonlyArray<{ cluster: string }>): Pick<AppStatus, 'tier' | 'upstreamOf'> {
  const upstream = fleet.upstream?.zone;
  if (upstream !== undefined && hostname.endsWith(`.${upstream}`)) return { tier: 'workload', upstreamOf: hostname.slice(0, -(upstream.length + 1)) };
  const edges = new Set(fleet.clusters.filter((c) => c.role === 'edge').map((c) => c.name));
  return { tier: members.some((m) => edges.has(m.cluster)) ? 'edge' : 'workload' };
}

export async function fleetStatus(ports: FleetStatusPorts): Promise<FleetStatus> {
  const { fleet } = ports;
  const names = fleet.clusters.map((c) => c.name);
  const [state, health, zones, catalogue] = await Promise.all([
    ports.table.readFleet(),
    ports.health.snapshot(names),
    ports.route53.listHostedZones(),
    ports.table.listApps(),
  ]);
  const now = new Date();
  const locks = new Map(liveLocks(state, now).map((l) => [l.cluster, l]));
  const tiered = fleet.clusters.some((c) => c.role === 'edge');
  const clusters: ClusterStatus[] = fleet.clusters.map((c) => {
    const intent = intentOf(state, c.name);
    const lock = locks.get(c.name);
    return {
      name: c.name,
      region: c.region,
      intent: intent.state,
      weightPercent: intent.weightPercent,
      health: health.clusters[c.name] ?? 'UNKNOWN',
      ...(lock ? { lock: `${lock.operation} by ${lock.holder}` } : {}),
      failedOver: state.failovers[failoverKey(c.name)] !== undefined,
      ...(tiered ? { tier: tierOf(c) } : {}),
    };
  });

  let managed: { id: string }[];
  try {
    managed = selectZones(fleet, zones);
  } catch {
    managed = [];
  }
  const records = (await Promise.all(managed.map((z) => ports.route53.listRecordSets(z.id)))).flat();
  const canaries = new Set(fleet.clusters.map((c) => normalizeName(c.canaryHostname)));
  const known = new Set(names);
  const byName = new Map<string, RecordSet[]>();
  // A simple record has no SetIdentifier: its cluster is the app's only publisher.
  const soleCluster = new Map(
    catalogue.filter((a) => new Set(a.endpoints.map((e) => e.cluster)).size === 1).map((a) => [normalizeName(a.hostname), a.endpoints[0]!.cluster]),
  );
  for (const record of records) {
    const name = normalizeName(record.name);
    if (record.type !== 'A' || canaries.has(name) || name.startsWith(`${MARKER_LABEL}.`)) continue;
    const cluster = record.setIdentifier ?? soleCluster.get(name);
    if (cluster === undefined || !known.has(cluster)) continue;
    byName.set(name, [...(byName.get(name) ?? []), { ...record, setIdentifier: cluster }]);
  }
  const apps: AppStatus[] = [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, sets]) => {
      const routing = routingOf(sets[0]!);
      const members = sets
        .map((r) => {
          const checked = r.healthCheckId === undefined ? undefined : ports.healthCheckStatus?.(r.healthCheckId);
          return {
            cluster: r.setIdentifier!,
            ...(r.weight === undefined ? {} : { weight: r.weight }),
            ...(r.failover === undefined ? {} : { role: r.failover }),
            healthy: checked ?? health.clusters[r.setIdentifier!] !== 'UNHEALTHY',
          };
        })
        .sort((a, b) => names.indexOf(a.cluster) - names.indexOf(b.cluster));
      const serving = servingMembers(routing, members);
      const hostname = name.replace(/\.$/, '');
      return {
        hostname,
        routing,
        ...(tiered ? appTier(fleet, hostname, members) : {}),
        clusters: members.map((m) => ({ ...m, serving: serving.has(m.cluster) })),
      };
    });
  const unserved = unservedApps(
    state,
    catalogueApps(
      fleet,
      catalogue.flatMap((a) => a.endpoints),
    ),
    health,
  );
  return { clusters, apps, unserved };
}
