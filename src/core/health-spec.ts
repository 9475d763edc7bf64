// Health checks Switchyard owns: their spec, stable key, owner tags and caller reference. Pure.
//
// Each record carries a Route 53 health check of its own cluster's entry point: the check
// probes the cluster's canary hostname, which resolves to that entry point only (the
// "only use the next local hop" rule), so a check against cluster A fails when A is down
// even if A's gateway could forward to B. Identical specs of one cluster share one check.
// An app with health-* annotations gets a check of its own that probes the app through
// that cluster's entry point (`<cluster>.<hostname>`, see appHealthHostname).
import { createHash } from 'node:crypto';
import type { ClusterConfig, HealthCheckDefaults } from './config.ts';
import { InvalidInput } from './errors.ts';
import type { HealthCheckSpec, HealthProtocol, RoutingAnnotations } from './model.ts';

export const HEALTH_CHECK_TAG_OWNER = 'switchyard:owner';
export const HEALTH_CHECK_TAG_KEY = 'switchyard:key';
export const HEALTH_CHECK_TAG_CLUSTER = 'switchyard:cluster';
/**
 * `deploy` on a cluster's canary check that the deploy created (with the CloudWatch alarm
 * watching it, docs/deploy.md): the runtime uses it like its own, by key, but never
 * updates, re-purposes or deletes it. One check per cluster canary, one owner.
 */
export const HEALTH_CHECK_TAG_MANAGED_BY = 'switchyard:managed-by';
export const DEPLOY_MANAGER = 'deploy';
/** Route 53's limit on CallerReference. */
export const CALLER_REFERENCE_MAX = 64;

export interface Tag {
  Key: string;
  Value: string;
}

/** True when an endpoint asks for a health check of its own (any `health-*` annotation). */
export function hasAppHealth(annotations: RoutingAnnotations): boolean {
  return annotations.healthProtocol !== undefined || annotations.healthPort !== undefined || annotations.healthPath !== undefined;
}

/**
 * The name a per-app health check probes: `<cluster>.<hostname>`, which Switchyard publishes
 * as a simple alias to that cluster's entry point only. Route 53 resolves the check's
 * FullyQualifiedDomainName and sends it as Host (and SNI), so the check reaches the app
 * through that cluster's gateway alone; the app's own name would resolve through its
 * weighted/failover record to any cluster. Undefined for a wildcard hostname (nothing to
 * probe by name): such an app keeps the cluster's canary check.
 */
export function appHealthHostname(cluster: string, hostname: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host.includes('*')) return undefined;
  return `${cluster.toLowerCase()}.${host}`;
}

/**
 * fleet.healthCheck defaults, overridden by the endpoint's health-* annotations. With no
 * override the check probes the cluster's canary hostname (one check per cluster); with
 * one it probes the app itself through that cluster (appHealthHostname), when `hostname`
 * is given and can be probed by name.
 */
export function healthCheckSpecFor(
  defaults: HealthCheckDefaults,
  cluster: Pick<ClusterConfig, 'canaryHostname'> & { name?: string },
  annotations: RoutingAnnotations,
  hostname?: string,
): HealthCheckSpec & { protocol: HealthProtocol } {
  const protocol = annotations.healthProtocol ?? defaults.protocol;
  const appName = hostname !== undefined && cluster.name !== undefined && hasAppHealth(annotations) ? appHealthHostname(cluster.name, hostname) : undefined;
  const spec: HealthCheckSpec & { protocol: HealthProtocol } = {
    protocol,
    fqdn: appName ?? cluster.canaryHostname.toLowerCase().replace(/\.$/, ''),
    port: annotations.healthPort ?? defaults.port,
    intervalSeconds: defaults.intervalSeconds,
    failureThreshold: defaults.failureThreshold,
  };
  // TCP checks only open a connection: a path would be meaningless (and Route 53 rejects it).
  if (protocol !== 'TCP') spec.path = annotations.healthPath ?? defaults.path;
  return spec;
}

/** Canonical text of (cluster, spec): fixed field order, so equal specs hash equally. */
function canonical(cluster: string, spec: HealthCheckSpec): string {
  const fields = [cluster, spec.protocol, spec.fqdn.toLowerCase(), spec.port, spec.path ?? null, spec.intervalSeconds, spec.failureThreshold];
  // Only metric checks carry an alarm: the probes' keys stay what they were.
  return JSON.stringify(spec.alarm ? [...fields, spec.alarm.region, spec.alarm.name] : fields);
}

/** Stable short key (16 hex digits of SHA-256) of a cluster's health-check spec. */
export function healthCheckKey(cluster: string, spec: HealthCheckSpec): string {
  return createHash('sha256').update(canonical(cluster, spec)).digest('hex').slice(0, 16);
}

/** The tags that mark a health check as Switchyard's. */
export function healthCheckTags(ownerId: string, key: string, cluster: string, spec?: HealthCheckSpec): Tag[] {
  const tags: Tag[] = [
    { Key: HEALTH_CHECK_TAG_OWNER, Value: ownerId },
    { Key: HEALTH_CHECK_TAG_KEY, Value: key },
    { Key: HEALTH_CHECK_TAG_CLUSTER, Value: cluster },
  ];
  // A readable name in the console; never used to decide anything.
  if (spec) tags.push({ Key: 'Name', Value: `switchyard ${cluster} ${describeTarget(spec)}`.slice(0, 256) });
  return tags;
}

/** The cluster's canary check: the fleet's health-check defaults on its canary hostname, and its key. */
export function canaryHealthCheck(
  defaults: HealthCheckDefaults,
  cluster: Pick<ClusterConfig, 'canaryHostname' | 'name'>,
): { key: string; spec: HealthCheckSpec } {
  const spec = healthCheckSpecFor(defaults, cluster, {});
  return { key: healthCheckKey(cluster.name, spec), spec };
}

/** The tags of a canary check the deploy creates: the runtime's own tags, marked as the deploy's. */
export function deployCanaryTags(ownerId: string, cluster: string, check: { key: string; spec: HealthCheckSpec }): Tag[] {
  return [...healthCheckTags(ownerId, check.key, cluster, check.spec), { Key: HEALTH_CHECK_TAG_MANAGED_BY, Value: DEPLOY_MANAGER }];
}

/** True when the deploy owns the check: the runtime reads it and never changes it. */
export function isDeployManaged(tags: readonly Tag[] | undefined): boolean {
  return tagValue(tags, HEALTH_CHECK_TAG_MANAGED_BY) === DEPLOY_MANAGER;
}

function tagValue(tags: readonly Tag[] | undefined, key: string): string | undefined {
  return tags?.find((tag) => tag.Key === key)?.Value;
}

/** True only when the owner tag names this owner: anything else is never updated or deleted. */
export function isOwnedHealthCheck(tags: readonly Tag[] | undefined, ownerId: string): boolean {
  return tagValue(tags, HEALTH_CHECK_TAG_OWNER) === ownerId;
}

/** The spec key a health check was created for, from its tags. */
export function healthCheckKeyFromTags(tags: readonly Tag[] | undefined): string | undefined {
  return tagValue(tags, HEALTH_CHECK_TAG_KEY);
}

/**
 * CallerReference for CreateHealthCheck: `<ownerId>-<key>[-<generation>]`, at most 64
 * characters (a long owner id is replaced by a hash of it). Route 53 refuses a reference
 * that a deleted check used, so a re-create after a delete needs a new `generation`.
 */
export function healthCheckCallerReference(ownerId: string, key: string, generation?: string): string {
  if (ownerId === '' || key === '') throw new InvalidInput('health-check caller reference needs an owner id and a key', { ownerId, key });
  const tail = generation === undefined || generation === '' ? key : `${key}-${generation}`;
  const full = `${ownerId}-${tail}`;
  if (full.length <= CALLER_REFERENCE_MAX) return full;
  const short = `${createHash('sha256').update(ownerId).digest('hex').slice(0, 12)}-${tail}`;
  if (short.length > CALLER_REFERENCE_MAX) {
    throw new InvalidInput(`health-check caller reference "${short}" is longer than ${CALLER_REFERENCE_MAX} characters (generation too long)`, {
      ownerId,
      key,
      generation,
    });
  }
  return short;
}

/** What a check watches, for names and logs: `http://name:80/path`, or `alarm <name> in <region>`. */
export function describeTarget(spec: HealthCheckSpec): string {
  if (spec.alarm) return `alarm ${spec.alarm.name} in ${spec.alarm.region}`;
  return `${spec.protocol.toLowerCase()}://${spec.fqdn}:${spec.port}${spec.path ?? ''}`;
}

/** Route 53 HealthCheckConfig fields for a spec (plain data; the adapter passes it to the SDK). */
export interface HealthCheckConfigFields {
  Type: 'HTTP' | 'HTTPS' | 'TCP' | 'CLOUDWATCH_METRIC';
  FullyQualifiedDomainName?: string;
  Port?: number;
  ResourcePath?: string;
  RequestInterval?: number;
  FailureThreshold?: number;
  EnableSNI?: boolean;
  AlarmIdentifier?: { Region: string; Name: string };
  InsufficientDataHealthStatus?: 'Healthy' | 'Unhealthy' | 'LastKnownStatus';
}

export function healthCheckConfigFor(spec: HealthCheckSpec): HealthCheckConfigFields {
  if (spec.protocol === 'CLOUDWATCH_METRIC') {
    if (!spec.alarm) throw new InvalidInput('a CLOUDWATCH_METRIC health check needs an alarm', { spec });
    // No data means the edges' canaries are not reporting: nothing says the cluster is reachable.
    return { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Region: spec.alarm.region, Name: spec.alarm.name }, InsufficientDataHealthStatus: 'Unhealthy' };
  }
  const config: HealthCheckConfigFields = {
    Type: spec.protocol,
    FullyQualifiedDomainName: spec.fqdn,
    Port: spec.port,
    RequestInterval: spec.intervalSeconds,
    FailureThreshold: spec.failureThreshold,
  };
  if (spec.protocol !== 'TCP' && spec.path !== undefined) config.ResourcePath = spec.path;
  // HTTPS to a canary name behind a shared gateway needs SNI to reach the right certificate.
  if (spec.protocol === 'HTTPS') config.EnableSNI = true;
  return config;
}
