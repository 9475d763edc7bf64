// The record model shared by every layer: plain data, no AWS SDK types.
// Route 53 specifics are plain fields so the core stays pure and testable.

export const ROUTING_POLICIES = ['simple', 'weighted', 'failover', 'latency'] as const;
export type RoutingPolicy = (typeof ROUTING_POLICIES)[number];

export const FAILOVER_ROLES = ['PRIMARY', 'SECONDARY'] as const;
export type FailoverRole = (typeof FAILOVER_ROLES)[number];

export const HEALTH_PROTOCOLS = ['HTTP', 'HTTPS', 'TCP'] as const;
export type HealthProtocol = (typeof HEALTH_PROTOCOLS)[number];

export const SYNC_POLICIES = ['sync', 'upsert-only', 'create-only'] as const;
export type SyncPolicy = (typeof SYNC_POLICIES)[number];

export const CLUSTER_INTENTS = ['ACTIVE', 'DRAINING', 'DRAINED', 'RESTORING'] as const;
export type ClusterIntentState = (typeof CLUSTER_INTENTS)[number];

/** Record types Switchyard writes. It reads every type, but only manages these. */
export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'TXT' | (string & {});

export interface AliasTarget {
  /** The alias hosted-zone id of the target (per region and load-balancer kind). */
  hostedZoneId: string;
  /** Lower-case, with a trailing dot. */
  dnsName: string;
  evaluateTargetHealth: boolean;
}

/**
 * One Route 53 resource record set. Names are lower-case FQDNs with a trailing dot,
 * as Route 53 returns them. Exactly one of `aliasTarget` or (`ttl` + `values`).
 */
export interface RecordSet {
  name: string;
  type: RecordType;
  setIdentifier?: string;
  weight?: number;
  failover?: FailoverRole;
  /** Latency routing: the AWS region. */
  region?: string;
  ttl?: number;
  values?: string[];
  aliasTarget?: AliasTarget;
  healthCheckId?: string;
}

export type ChangeAction = 'CREATE' | 'UPSERT' | 'DELETE';

export interface Change {
  action: ChangeAction;
  recordSet: RecordSet;
}

/** A hosted zone Switchyard manages. */
export interface HostedZone {
  id: string; // e.g. "Z0123456789ABC" (no "/hostedzone/" prefix)
  name: string; // lower-case, trailing dot
  private?: boolean;
  /** How many record sets the zone holds, as ListHostedZones last counted them (absent when not told). */
  recordSets?: number;
}

/** Health-check types Switchyard creates: probes, and CloudWatch-metric checks (upstream records, docs/edge.md). */
export type HealthCheckType = HealthProtocol | 'CLOUDWATCH_METRIC';

/** The CloudWatch alarm a CLOUDWATCH_METRIC check reads: OK is healthy, ALARM unhealthy. */
export interface HealthCheckAlarm {
  region: string;
  name: string;
}

/**
 * The health check an endpoint's record carries: one cluster's own entry point. A
 * CLOUDWATCH_METRIC check (`alarm` set) probes nothing itself: `fqdn` is '' and `port` 0.
 */
export interface HealthCheckSpec {
  protocol: HealthCheckType;
  /** The name Route 53 probes; resolves to this cluster's entry point only. */
  fqdn: string;
  port: number;
  /** Not used for TCP. Starts with "/". */
  path?: string;
  /** RequestInterval, 10 or 30 seconds in Route 53. */
  intervalSeconds: number;
  failureThreshold: number;
  /** CLOUDWATCH_METRIC only; with no data from the alarm the check is unhealthy. */
  alarm?: HealthCheckAlarm;
}

/** Routing choices read from `switchyard.io/` annotations (all optional). */
export interface RoutingAnnotations {
  routing?: RoutingPolicy;
  failover?: 'primary' | 'secondary';
  weight?: number;
  healthPath?: string;
  healthPort?: number;
  healthProtocol?: HealthProtocol;
  ttl?: number;
  enabled?: boolean;
}

export type GatewayKind = 'IstioGateway' | 'Gateway' | 'HTTPRoute' | 'TetrateGateway' | 'Tier1Gateway';

/** One hostname published by one cluster (one Gateway hostname per cluster). */
export interface PublishedEndpoint {
  hostname: string; // lower-case, no trailing dot
  cluster: string;
  kind: GatewayKind;
  /** "namespace/name" of the resource that published the hostname. */
  gateway: string;
  /** Load-balancer DNS name this cluster serves the hostname from, if discovered. */
  entryPoint?: string;
  annotations: RoutingAnnotations;
  /**
   * True when `hostname` is this cluster's own `canaryHostname` (fleet config): it
   * resolves to this cluster only and is never part of a multi-cluster app.
   */
  canary?: boolean;
}

/** What operators asked for a cluster, kept in the state table. */
export interface ClusterIntent {
  cluster: string;
  state: ClusterIntentState;
  /** Share of the normal weight while draining/restoring, 0–100. ACTIVE = 100, DRAINED = 0. */
  weightPercent: number;
  by?: string;
  reason?: string;
  at?: string; // ISO 8601
  expiresAt?: string;
}

/** A problem with one input item; never blocks the others. */
export interface Problem {
  /** Which input: a cluster, a resource ("cluster/Kind/ns/name"), a hostname, a file path. */
  subject: string;
  reason: string;
  cluster?: string;
  hostname?: string;
}

/** Observed health of a cluster entry point (from Route 53 health checks or alarms). */
export type HealthState = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';

/** All changes of one name (and its ownership marker): always sent in the same request. */
export interface ChangeGroup {
  name: string;
  changes: Change[];
}

/** One ChangeResourceRecordSets request: a zone and the groups it carries, in order. */
export interface ChangeRequest {
  zoneId: string;
  groups: ChangeGroup[];
}
