// The edge tier's upstream side (docs/edge.md), pure: which zones the fleet manages, the
// CloudWatch alarm an upstream record's health check reads, and that check's spec.
import type { ClusterConfig, FleetConfig, ZoneConfig } from './config.ts';
import { healthCheckSpecFor } from './health-spec.ts';
import { UPSTREAM_METRIC } from './metric-names.ts';
import type { HealthCheckSpec, HealthProtocol } from './model.ts';
import { upstreamName, type Tier } from './tiers.ts';

/** A zone the fleet manages, with where it is configured (for error messages). */
export interface ManagedZoneConfig extends ZoneConfig {
  /** `zones[0]` or `upstream`. */
  path: string;
  /** The upstream zone is a private hosted zone. */
  private: boolean;
}

/** fleet.zones, then the upstream zone when the fleet has edge clusters' upstream configured. */
export function managedZoneConfigs(fleet: Pick<FleetConfig, 'zones' | 'upstream'>): ManagedZoneConfig[] {
  const zones: ManagedZoneConfig[] = fleet.zones.map((zone, index) => ({ ...zone, path: `zones[${index}]`, private: false }));
  if (fleet.upstream)
    zones.push({ name: fleet.upstream.zone, ...(fleet.upstream.id === undefined ? {} : { id: fleet.upstream.id }), path: 'upstream', private: true });
  return zones;
}

export function tierOf(cluster: Pick<ClusterConfig, 'role'>): Tier {
  return cluster.role === 'edge' ? 'edge' : 'workload';
}

/** The tier fields of an app served through edges (desired.ts AppSummary); none for an app published directly. */
export function tierOfApp(app: { tier: Tier; upstreamOf?: string }): { tier?: Tier; upstreamOf?: string } {
  if (app.upstreamOf !== undefined) return { tier: app.tier, upstreamOf: app.upstreamOf };
  return app.tier === 'edge' ? { tier: app.tier } : {};
}

/** Stage-independent, outside `switchyard-<stage>-<ownerId>-` so the alarm router never takes it for a canary alarm. */
export const UPSTREAM_ALARM_ROOT = 'switchyard-upstream-';

/**
 * The CloudWatch alarm that says whether `cluster` is reachable from the edges: fed by the
 * edges' canaries (metric UPSTREAM_METRIC), read by the cluster's upstream health check.
 */
export function upstreamAlarmName(ownerId: string, cluster: string): string {
  return `${UPSTREAM_ALARM_ROOT}${ownerId}-${cluster}`;
}

/**
 * Each workload cluster's upstream alarm on UPSTREAM_METRIC (dimension: the cluster), the
 * same on AWS (the deploy) and locally: the Maximum over every edge's datapoints of a
 * minute below 1, i.e. no edge reached the cluster, is ALARM. Missing data is breaching:
 * a canary that went silent (every edge down, its role or network broken) must not read
 * as reachable. Standard resolution and a plain statistic, as Route 53's
 * CLOUDWATCH_METRIC checks require.
 */
export const UPSTREAM_ALARM = {
  namespace: UPSTREAM_METRIC.namespace,
  metricName: UPSTREAM_METRIC.name,
  statistic: 'Maximum',
  periodSeconds: 60,
  evaluationPeriods: 1,
  threshold: 1,
  comparisonOperator: 'LessThanThreshold',
  treatMissingData: 'breaching',
} as const;

/** The workload clusters the edges reach through the upstream zone (none in a fleet without edges). */
export function upstreamClusters<C extends Pick<ClusterConfig, 'role'>>(fleet: { clusters: readonly C[] }): C[] {
  if (!fleet.clusters.some((c) => c.role === 'edge')) return [];
  return fleet.clusters.filter((c) => c.role !== 'edge');
}

/**
 * What an edge's canary requests to tell whether it reaches a workload cluster: the
 * cluster's own canary check (protocol, port, path, Host = its canary hostname), sent to
 * `address`, that cluster's ingress load balancer: the edge's next hop, never the upstream
 * name (which may answer with another cluster) nor another edge.
 */
export interface UpstreamProbeTarget {
  cluster: string;
  /** The load balancer's DNS name or address. */
  address: string;
  port: number;
  protocol: HealthProtocol;
  /** The Host header (and TLS server name): the cluster's canary hostname. */
  host: string;
  /** Unused for TCP. */
  path: string;
}

/**
 * The probe target of every workload cluster: at `addresses[cluster]` when given (an
 * override, e.g. an internal load balancer's name), else the cluster's pinned
 * `entryPoint`. The clusters with neither are returned in `missing`, for the caller to
 * refuse naming them.
 */
export function upstreamProbeTargets(
  fleet: Pick<FleetConfig, 'clusters' | 'healthCheck'>,
  addresses: Readonly<Record<string, string>> = {},
): { targets: UpstreamProbeTarget[]; missing: string[] } {
  const targets: UpstreamProbeTarget[] = [];
  const missing: string[] = [];
  for (const cluster of upstreamClusters(fleet)) {
    const address = addresses[cluster.name] ?? cluster.entryPoint;
    if (address === undefined) {
      missing.push(cluster.name);
      continue;
    }
    // The cluster's canary check as Route 53 would probe it (health-spec.ts canaryHealthCheck).
    const spec = healthCheckSpecFor(fleet.healthCheck, cluster, {});
    targets.push({
      cluster: cluster.name,
      address,
      port: spec.port,
      protocol: spec.protocol,
      host: spec.fqdn,
      path: spec.path ?? '/',
    });
  }
  return { targets, missing };
}

/** Where the upstream alarms live: `upstream.alarmRegion`, else the first edge cluster's region. */
export function upstreamAlarmRegion(fleet: Pick<FleetConfig, 'clusters' | 'upstream'>): string | undefined {
  return fleet.upstream?.alarmRegion ?? fleet.clusters.find((c) => c.role === 'edge')?.region;
}

/** What a CLOUDWATCH_METRIC spec holds for the fields Route 53 does not use with it. */
export const METRIC_CHECK_INTERVAL_SECONDS = 30;
export const METRIC_CHECK_FAILURE_THRESHOLD = 1;

/**
 * The health check of a workload cluster's upstream records: CLOUDWATCH_METRIC on its
 * upstream alarm (Route 53's checkers cannot reach private addresses). Undefined when the
 * fleet has no edge tier.
 */
export function upstreamHealthCheckSpec(fleet: Pick<FleetConfig, 'clusters' | 'upstream' | 'ownerId'>, cluster: string): HealthCheckSpec | undefined {
  const region = upstreamAlarmRegion(fleet);
  if (region === undefined) return undefined;
  return {
    protocol: 'CLOUDWATCH_METRIC',
    fqdn: '',
    port: 0,
    // Route 53 does not use these for a metric check; fixed, so a read-back compares equal.
    intervalSeconds: METRIC_CHECK_INTERVAL_SECONDS,
    failureThreshold: METRIC_CHECK_FAILURE_THRESHOLD,
    alarm: { region, name: upstreamAlarmName(fleet.ownerId, cluster) },
  };
}

/**
 * The names with their other tier's name: a public hostname with its upstream name, an
 * upstream name with its public hostname (sorted, no duplicates). Without an upstream zone,
 * the names as given.
 */
export function withTierNames(fleet: Pick<FleetConfig, 'upstream'>, names: readonly string[]): string[] {
  const zone = fleet.upstream?.zone;
  if (zone === undefined) return [...names];
  const suffix = `.${zone.toLowerCase().replace(/\.$/, '')}`;
  const out = new Set<string>();
  for (const raw of names) {
    const name = raw.toLowerCase().replace(/\.$/, '');
    out.add(name);
    if (name.endsWith(suffix)) out.add(name.slice(0, -suffix.length));
    else out.add(upstreamName(name, zone));
  }
  return [...out].sort();
}
