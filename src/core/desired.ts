// Desired DNS state: published endpoints × cluster intents × health → record sets. Pure.
//
// One record set per app (hostname) per cluster and zone: an alias A (and AAAA for a
// dual-stack load balancer) to the cluster's entry point, SetIdentifier = cluster, the
// app's routing policy, and the health check of that cluster's own entry point. A drained
// or unhealthy cluster receives no traffic under every policy; an app whose clusters are
// all drained or unhealthy fails open (its records stay) and is reported.
import { aliasTargetFor } from './alias-zones.ts';
import { withinAnyOf, type ClusterConfig, type FleetConfig } from './config.ts';
import { canonicalHostname, compareStrings, normalizeName, zoneFinder, zonesForName } from './dns-names.ts';
import { OrderedGroups } from './grouping.ts';
import { sortInPlace } from './sort.ts';
import { appHealthHostname, hasAppHealth, healthCheckKey, healthCheckSpecFor } from './health-spec.ts';
import type { Tier } from './tiers.ts';
import { upstreamName } from './tiers.ts';
import { upstreamHealthCheckSpec } from './upstream.ts';
import type {
  AliasTarget,
  ClusterIntent,
  ClusterIntentState,
  FailoverRole,
  HealthCheckSpec,
  HealthState,
  HostedZone,
  Problem,
  PublishedEndpoint,
  RecordSet,
  RoutingAnnotations,
  RoutingPolicy,
} from './model.ts';

/** TTL resolvers see on an alias to a load balancer: the load balancer's own (60 s). */
export const ELB_ALIAS_TTL_SECONDS = 60;
/** Alias records also follow the load balancer's own health (it has healthy targets). */
export const EVALUATE_TARGET_HEALTH = true;

export interface DesiredInput {
  fleet: FleetConfig;
  /** Managed hosted zones (ids resolved). */
  zones: readonly HostedZone[];
  endpoints: readonly PublishedEndpoint[];
  /** Missing cluster = ACTIVE at 100 %. */
  intents?: readonly ClusterIntent[];
  /** Missing cluster = UNKNOWN, treated as healthy. */
  health?: Readonly<Record<string, HealthState>>;
  /**
   * Per-app overrides on top of the cluster intents (e.g. an alarm-driven failover of one
   * app): the app's cluster gets at most this share of its normal weight.
   */
  appIntents?: ReadonlyArray<{ hostname: string; cluster: string; weightPercent: number }>;
  /**
   * Health-check ids by key, when they are known: each record set is built carrying its
   * check's id, and one whose check has no id is held, exactly as attachHealthCheckIds
   * would do afterwards, without copying every record set.
   */
  healthCheckIds?: ReadonlyMap<string, string>;
}

/** One record set Switchyard wants, in one zone. */
export interface DesiredRecord {
  zoneId: string;
  /** The app: hostname without trailing dot. */
  hostname: string;
  cluster: string;
  /** `healthCheckId` is filled in by attachHealthCheckIds once the check exists. */
  recordSet: RecordSet;
  /** Key of the health check this set must carry (see DesiredState.healthChecks). */
  healthCheckKey?: string;
}

export interface DesiredHealthCheck {
  key: string;
  cluster: string;
  spec: HealthCheckSpec;
}

/**
 * Record sets that must stay exactly as they are this round, because their desired form
 * could not be computed (no usable entry point, health check not created yet). No
 * `setIdentifier` holds every set at the name.
 */
export interface HeldRecords {
  name: string;
  setIdentifier?: string;
  reason: string;
}

/** How one cluster of an app is routed, and why. */
export interface ClusterRouting {
  cluster: string;
  region: string;
  intent: ClusterIntentState;
  /** Share of normal weight the intent asks for, 0–100. */
  weightPercent: number;
  health: HealthState;
  /** Receives traffic (weight > 0 for weighted; its record is published otherwise). */
  inTraffic: boolean;
  /** A record set is desired for this cluster. */
  published: boolean;
  why: string;
  /** Weighted: the weight written (0 when out). */
  weight?: number;
  /** Failover: the role assigned. */
  role?: FailoverRole;
  healthCheckKey?: string;
  aliasTarget?: AliasTarget;
}

export interface AppSummary {
  /** The name the records have: the app's hostname, or its upstream name (upstreamOf set). */
  hostname: string;
  /**
   * Which tier's clusters the records point at (docs/edge.md): `edge` for an app's public
   * records on edge entry points; `workload` for an app's upstream records and for an app
   * no edge publishes (published directly).
   */
  tier: Tier;
  /** Upstream records only: the public hostname the edges serve them under. */
  upstreamOf?: string;
  policy: RoutingPolicy;
  failOpen: boolean;
  /** Zones the app's records go into. */
  zoneIds: string[];
  /** TTL resolvers cache an answer for: the alias target's (60 s for load balancers). */
  recordTtlSeconds: number;
  clusters: ClusterRouting[];
}

export interface DesiredState {
  records: DesiredRecord[];
  healthChecks: DesiredHealthCheck[];
  apps: AppSummary[];
  held: HeldRecords[];
  problems: Problem[];
  /** Hostnames that failed open (every cluster drained or unhealthy). */
  failOpen: string[];
}

/** A total order on endpoints (content breaks ties), so the input order never changes the result. */
function compareEndpoints(a: PublishedEndpoint, b: PublishedEndpoint): number {
  return (
    compareStrings(a.hostname, b.hostname) ||
    compareStrings(a.cluster, b.cluster) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.gateway, b.gateway) ||
    compareStrings(a.entryPoint ?? '', b.entryPoint ?? '') ||
    compareStrings(JSON.stringify(a.annotations), JSON.stringify(b.annotations))
  );
}

/**
 * The endpoints grouped by hostname as given, in compareEndpoints order (hostname comes
 * first in it): the groups are sorted by hostname and only the few endpoints sharing one
 * go through compareEndpoints, much cheaper than sorting them all. Every group has at
 * least one endpoint.
 */
function endpointsByHostname(endpoints: readonly PublishedEndpoint[]): PublishedEndpoint[][] {
  const byHostname = new OrderedGroups<PublishedEndpoint[]>();
  // Indexed loops over the large inputs: a cold for-of allocates an iterator result per element.
  for (let i = 0; i < endpoints.length; i++) {
    const endpoint = endpoints[i] as PublishedEndpoint;
    const list = byHostname.find(endpoint.hostname);
    if (list) list.push(endpoint);
    else byHostname.add(endpoint.hostname, [endpoint]);
  }
  const { groups } = byHostname;
  for (const group of groups) sortInPlace(group, compareEndpoints);
  return byHostname.sorted ? groups : sortInPlace(groups, (a, b) => compareStrings((a[0] as PublishedEndpoint).hostname, (b[0] as PublishedEndpoint).hostname));
}

/** True when sorting `list` by `compare` would leave it as it is. */
function inOrder<T>(list: readonly T[], compare: (a: T, b: T) => number): boolean {
  for (let i = 1; i < list.length; i++) if (compare(list[i - 1] as T, list[i] as T) > 0) return false;
  return true;
}

function subjectOf(endpoint: PublishedEndpoint): string {
  return `${endpoint.cluster}/${endpoint.kind}/${endpoint.gateway}`;
}

function byString<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => compareStrings(key(a), key(b));
}

type AliasResult = ReturnType<typeof aliasTargetFor>;

/** The publishable endpoints of one app (hostname) and the zones its records go into. */
interface AppEndpoints {
  /** The key it has in the apps map: the name its records get. */
  hostname: string;
  /** Shared by the apps of one parent name: never changed. */
  zones: readonly HostedZone[];
  endpoints: PublishedEndpoint[];
  tier: Tier;
  /** Upstream records: the public hostname. */
  upstreamOf?: string;
}

/** One cluster's part in an app, before routing is decided. */
interface Member {
  cluster: ClusterConfig;
  endpoint: PublishedEndpoint;
  aliasTarget?: AliasTarget;
  /** The cluster's own canary hostname. */
  canary: boolean;
  dualStack: boolean;
  healthCheck?: DesiredHealthCheck;
  intent: ClusterIntentState;
  weightPercent: number;
  health: HealthState;
}

/** Lookups and caches every app of one computation shares. */
interface Fleetwide {
  input: DesiredInput;
  clusters: Map<string, ClusterConfig>;
  intents: Map<string, ClusterIntent>;
  health: Readonly<Record<string, HealthState>>;
  /** weightPercent by "hostname|cluster". */
  appIntents: Map<string, number>;
  /** Cluster name by its canary hostname. */
  canaryOwners: Map<string, string>;
  /** Canary hostname (lower case, no trailing dot) by cluster name. */
  canaryHostnames: Map<string, string>;
  aliasOf(entryPoint: string, dualStack: boolean): AliasResult;
  healthCheckOf(cluster: ClusterConfig, annotations: RoutingAnnotations, hostname: string): DesiredHealthCheck;
  /** A workload cluster's upstream check (CLOUDWATCH_METRIC), undefined without an edge tier. */
  upstreamCheckOf(cluster: ClusterConfig): DesiredHealthCheck | undefined;
  /** Per-app health names (`<cluster>.<hostname>`) of the endpoints that ask for one: cluster by name. */
  appHealthNames: Map<string, string>;
  /** zonesForName(hostname, input.zones), the lists shared (zoneFinder). */
  zonesOf(hostname: string): readonly HostedZone[];
  /** By cluster name: whether a canonical hostname is within the cluster's domainFilter. */
  inDomainFilter: Map<string, (hostname: string) => boolean>;
}

/** What computeDesiredState collects, app by app. */
interface Collected {
  records: DesiredRecord[];
  healthChecks: Map<string, DesiredHealthCheck>;
  held: HeldRecords[];
  summaries: AppSummary[];
  problems: Problem[];
  failOpen: string[];
  /** With DesiredInput.healthCheckIds: the sets held for want of a check id, reported once per name and SetIdentifier (after every other hold and problem, as attachHealthCheckIds adds them). */
  missingIds?: MissingIds;
}

interface MissingIds {
  ids: ReadonlyMap<string, string>;
  held: HeldRecords[];
  problems: Problem[];
  reported: Set<string>;
}

// Small functions rather than one long one: V8 then optimises each once, with type
// feedback from real calls, instead of recompiling one big function part by part.

/** Computes the desired record sets, health checks and app summaries. */
export function computeDesiredState(input: DesiredInput): DesiredState {
  const fleetwide = fleetwideOf(input);
  const out: Collected = { records: [], healthChecks: new Map(), held: [], summaries: [], problems: [], failOpen: [] };
  if (input.healthCheckIds) out.missingIds = { ids: input.healthCheckIds, held: [], problems: [], reported: new Set() };
  if (!desireAppsInOrder(fleetwide, out)) for (const app of publishableApps(fleetwide, out.problems)) desireApp(fleetwide, app.hostname, app, out);
  const { missingIds } = out;
  return {
    records: out.records,
    healthChecks: [...out.healthChecks.values()].sort(byString((h) => `${h.cluster}\u0000${h.key}`)),
    apps: out.summaries,
    held: missingIds && missingIds.held.length > 0 ? [...out.held, ...missingIds.held] : out.held,
    problems: missingIds && missingIds.problems.length > 0 ? [...out.problems, ...missingIds.problems] : out.problems,
    failOpen: out.failOpen,
  };
}

function fleetwideOf(input: DesiredInput): Fleetwide {
  const { fleet } = input;
  // Caches: thousands of endpoints share a few entry points and health-check specs.
  const aliasCaches = { single: new Map<string, AliasResult>(), dual: new Map<string, AliasResult>() };
  const checkCache = new Map<string, DesiredHealthCheck>();
  return {
    input,
    clusters: new Map(fleet.clusters.map((c) => [c.name, c])),
    intents: new Map((input.intents ?? []).map((i) => [i.cluster, i])),
    health: input.health ?? {},
    appIntents: new Map((input.appIntents ?? []).map((a) => [`${a.hostname.toLowerCase().replace(/\.$/, '')}|${a.cluster}`, a.weightPercent])),
    canaryOwners: new Map(fleet.clusters.map((c) => [c.canaryHostname.toLowerCase().replace(/\.$/, ''), c.name])),
    canaryHostnames: new Map(fleet.clusters.map((c) => [c.name, c.canaryHostname.toLowerCase().replace(/\.$/, '')])),
    aliasOf(entryPoint, dualStack) {
      const cache = dualStack ? aliasCaches.dual : aliasCaches.single;
      let result = cache.get(entryPoint);
      if (!result) cache.set(entryPoint, (result = aliasTargetFor(entryPoint, { dualStack, evaluateTargetHealth: EVALUATE_TARGET_HEALTH })));
      return result;
    },
    healthCheckOf(cluster, a, hostname) {
      // Most endpoints override nothing: then the cluster name is the key (no string to build).
      // An override probes the app itself (`<cluster>.<hostname>`): one check per app and cluster.
      const overrides = hasAppHealth(a);
      const key = overrides ? `${cluster.name}|${hostname}|${a.healthProtocol ?? ''}|${a.healthPort ?? ''}|${a.healthPath ?? ''}` : cluster.name;
      let check = checkCache.get(key);
      if (!check) {
        const spec = healthCheckSpecFor(fleet.healthCheck, cluster, a, hostname);
        checkCache.set(key, (check = { key: healthCheckKey(cluster.name, spec), cluster: cluster.name, spec }));
      }
      return check;
    },
    appHealthNames: appHealthNamesOf(input.endpoints),
    zonesOf: zoneFinder(input.zones),
    inDomainFilter: new Map(fleet.clusters.map((c) => [c.name, withinAnyOf(c.domainFilter)])),
    upstreamCheckOf(cluster) {
      const key = `upstream|${cluster.name}`;
      let check = checkCache.get(key);
      if (!check) {
        const spec = upstreamHealthCheckSpec(fleet, cluster.name);
        if (spec === undefined) return undefined;
        checkCache.set(key, (check = { key: healthCheckKey(cluster.name, spec), cluster: cluster.name, spec }));
      }
      return check;
    },
  };
}

/** `<cluster>.<hostname>` of every endpoint with health-* annotations, with its cluster. */
function appHealthNamesOf(endpoints: readonly PublishedEndpoint[]): Map<string, string> {
  const names = new Map<string, string>();
  for (let i = 0; i < endpoints.length; i++) {
    const endpoint = endpoints[i] as PublishedEndpoint;
    if (endpoint.annotations.enabled === false || !hasAppHealth(endpoint.annotations)) continue;
    const name = appHealthHostname(endpoint.cluster, endpoint.hostname.trim().toLowerCase().replace(/\.$/, ''));
    if (name !== undefined) names.set(name, endpoint.cluster);
  }
  return names;
}

/** 1. The endpoints that may be published, grouped by app (hostname), in hostname order. */
function publishableApps(fleetwide: Fleetwide, problems: Problem[]): AppEndpoints[] {
  const apps = new OrderedGroups<AppEndpoints>();
  const groups = endpointsByHostname(fleetwide.input.endpoints);
  for (let g = 0; g < groups.length; g++) {
    const sameHostname = groups[g] as PublishedEndpoint[];
    const hostname = canonicalHostname((sameHostname[0] as PublishedEndpoint).hostname);
    // Looked up once per hostname: another spelling of it (upper case, trailing dot) may have made the app.
    const app = apps.find(hostname);
    const made = acceptEndpoints(fleetwide, hostname, sameHostname, app, problems);
    if (!app && made) apps.add(hostname, made);
  }
  return splitByTier(fleetwide, apps, problems);
}

/**
 * Steps 1–6 app by app, without grouping every endpoint first: each app is desired as
 * soon as its endpoints are read. Only for endpoints listed by hostname, each hostname's
 * endpoints together and the hostnames (as given and canonical) increasing, in a fleet
 * without edge clusters, where each run of one hostname is a whole app (publishableApps
 * would make the same apps, in the same order). The problems of step 1 come before the
 * others, as they do when publishableApps runs first. False (nothing done) otherwise.
 */
function desireAppsInOrder(fleetwide: Fleetwide, out: Collected): boolean {
  const { endpoints } = fleetwide.input;
  if (fleetwide.input.fleet.clusters.some((c) => c.role === 'edge') || !inHostnameRuns(endpoints)) return false;
  const later: Problem[] = [];
  const rest: Collected = { ...out, problems: later };
  for (let i = 0; i < endpoints.length;) {
    const raw = (endpoints[i] as PublishedEndpoint).hostname;
    let j = i + 1;
    while (j < endpoints.length && (endpoints[j] as PublishedEndpoint).hostname === raw) j++;
    const sameHostname = sortInPlace(endpoints.slice(i, j), compareEndpoints);
    i = j;
    const hostname = canonicalHostname(raw);
    const app = acceptEndpoints(fleetwide, hostname, sameHostname, undefined, out.problems);
    if (app) desireApp(fleetwide, hostname, app, rest);
  }
  out.problems.push(...later);
  return true;
}

/** True when each hostname's endpoints come together and the hostnames, as given and canonical, increase from run to run. */
function inHostnameRuns(endpoints: readonly PublishedEndpoint[]): boolean {
  let previous: string | undefined;
  let previousCanonical: string | undefined;
  for (let i = 0; i < endpoints.length; i++) {
    const raw = (endpoints[i] as PublishedEndpoint).hostname;
    if (raw === previous) continue;
    if (previous !== undefined && !(raw > previous)) return false;
    const canonical = canonicalHostname(raw);
    if (previousCanonical !== undefined && !(canonical > previousCanonical)) return false;
    previous = raw;
    previousCanonical = canonical;
  }
  return true;
}

/**
 * The endpoints of one hostname (`sameHostname`, as given, in compareEndpoints order) that
 * may be published, added to `app` (the app another spelling of the hostname made) or to
 * a new app; each left out is reported. Returns the app, undefined when there is none.
 * A new app's list is `sameHostname` itself while every endpoint is kept as it is.
 */
function acceptEndpoints(
  fleetwide: Fleetwide,
  hostname: string,
  sameHostname: PublishedEndpoint[],
  existing: AppEndpoints | undefined,
  problems: Problem[],
): AppEndpoints | undefined {
  const { input, clusters, canaryOwners, appHealthNames } = fleetwide;
  const canaryOf = canaryOwners.get(hostname);
  const healthOf = appHealthNames.size === 0 ? undefined : appHealthNames.get(hostname);
  let zones: readonly HostedZone[] | undefined;
  // Kept so far: sameHostname[0 .. kept), each as it is; `list` once one is left out or rewritten.
  let kept = 0;
  let list: PublishedEndpoint[] | undefined;
  for (let k = 0; k < sameHostname.length; k++) {
    const raw = sameHostname[k] as PublishedEndpoint;
    const endpoint = hostname === raw.hostname ? raw : { ...raw, hostname };
    const cluster = clusters.get(endpoint.cluster);
    if (!cluster) {
      problems.push({
        subject: subjectOf(endpoint),
        hostname,
        cluster: endpoint.cluster,
        reason: `unknown cluster "${endpoint.cluster}" (known: ${[...clusters.keys()].join(', ')})`,
      });
      continue;
    }
    if (endpoint.annotations.enabled === false) continue;
    if (canaryOf !== undefined && canaryOf !== cluster.name) {
      problems.push({
        subject: subjectOf(endpoint),
        hostname,
        cluster: cluster.name,
        reason: `${hostname} is the canary hostname of cluster ${canaryOf}; only ${canaryOf} may publish it (its health check must reach that cluster alone); not published`,
      });
      continue;
    }
    if (healthOf !== undefined) {
      // The name is already published, as the per-app health record of that cluster.
      if (healthOf !== cluster.name) {
        problems.push({
          subject: subjectOf(endpoint),
          hostname,
          cluster: cluster.name,
          reason: `${hostname} is the per-app health name of ${hostname.slice(healthOf.length + 1)} on cluster ${healthOf}; only ${healthOf} may publish it (its health check must reach that cluster alone); not published`,
        });
      }
      continue;
    }
    if (!(fleetwide.inDomainFilter.get(cluster.name) as (hostname: string) => boolean)(hostname)) {
      problems.push({
        subject: subjectOf(endpoint),
        hostname,
        cluster: cluster.name,
        reason: `${hostname} is outside the domainFilter of cluster ${cluster.name} (${cluster.domainFilter.join(', ')}); not published`,
      });
      continue;
    }
    if (existing) {
      existing.endpoints.push(endpoint);
      continue;
    }
    zones ??= fleetwide.zonesOf(hostname);
    if (zones.length === 0) {
      problems.push({
        subject: subjectOf(endpoint),
        hostname,
        cluster: cluster.name,
        reason: `${hostname} is in no managed zone (${input.zones.map((z) => z.name).join(', ')}); not published`,
      });
      continue;
    }
    if (list === undefined && kept === k && endpoint === raw) kept++;
    else (list ??= sameHostname.slice(0, kept)).push(endpoint);
  }
  if (existing) return existing;
  const endpoints = list ?? (kept === sameHostname.length ? sameHostname : sameHostname.slice(0, kept));
  return endpoints.length === 0 ? undefined : { hostname, zones: zones as readonly HostedZone[], endpoints, tier: 'workload' };
}

/**
 * 1b. An app some edge cluster publishes is served through the edges (docs/edge.md): its
 * public records point at the edges only, and its workload clusters get records named
 * upstreamName(hostname, upstream zone) in the upstream zone. An app no edge publishes
 * stays as it is (published directly).
 */
function splitByTier(fleetwide: Fleetwide, grouped: OrderedGroups<AppEndpoints>, problems: Problem[]): AppEndpoints[] {
  const { clusters, input } = fleetwide;
  const byHostname = (a: AppEndpoints, b: AppEndpoints) => compareStrings(a.hostname, b.hostname);
  // Most fleets have no edge tier: then there is nothing to split (and no copy of every app to make).
  if (!input.fleet.clusters.some((c) => c.role === 'edge')) return grouped.sorted ? grouped.groups : sortInPlace(grouped.groups, byHostname);
  const apps = new Map(grouped.index());
  const upstreamZone = input.fleet.upstream?.zone;
  const isEdge = (e: PublishedEndpoint) => clusters.get(e.cluster)?.role === 'edge';
  for (const [hostname, app] of [...apps]) {
    if (!app.endpoints.some(isEdge)) continue;
    const workload = app.endpoints.filter((e) => !isEdge(e));
    apps.set(hostname, { ...app, endpoints: app.endpoints.filter(isEdge), tier: 'edge' });
    if (workload.length === 0) continue;
    if (upstreamZone === undefined) {
      // parseFleetConfig refuses edge clusters without `upstream`; a hand-built config may not.
      for (const e of workload)
        problems.push({
          subject: subjectOf(e),
          hostname,
          cluster: e.cluster,
          reason: `${hostname} is served through edge clusters but the fleet has no upstream zone; not published upstream`,
        });
      continue;
    }
    const name = upstreamName(hostname, upstreamZone);
    const zones = zonesForName(name, input.zones);
    if (zones.length === 0) {
      for (const e of workload)
        problems.push({
          subject: subjectOf(e),
          hostname,
          cluster: e.cluster,
          reason: `${name} (upstream name of ${hostname}) is in no managed zone (${input.zones.map((z) => z.name).join(', ')}); not published upstream`,
        });
      continue;
    }
    apps.set(name, { hostname: name, zones, endpoints: workload.map((e) => ({ ...e, hostname: name })), tier: 'workload', upstreamOf: hostname });
  }
  return sortInPlace([...apps.values()], byHostname);
}

/** Steps 2–6 for one app: its members, policy, entry points, routing and record sets. */
function desireApp(fleetwide: Fleetwide, hostname: string, app: AppEndpoints, out: Collected): void {
  const { problems } = out;
  const name = normalizeName(hostname);
  const members = membersOf(fleetwide, hostname, app.endpoints, problems);

  // 3. The app's routing policy.
  const policy = routingPolicyFor(hostname, members, problems);

  // 4. Entry point → alias target; health check per cluster.
  // Indexed loops and no callbacks: this runs once per app, cold at first.
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as Member;
    const entryPoint = m.cluster.entryPoint ?? m.endpoint.entryPoint;
    if (!entryPoint) {
      problems.push({
        subject: subjectOf(m.endpoint),
        hostname,
        cluster: m.cluster.name,
        reason: `${hostname} on cluster ${m.cluster.name} has no entry point (clusters[].entryPoint is not set and none was discovered from its gateway Service); its ${hostname} records are left as they are`,
      });
      out.held.push({ name, setIdentifier: policy === 'simple' ? undefined : m.cluster.name, reason: 'no entry point' });
      continue;
    }
    const alias = fleetwide.aliasOf(entryPoint, m.cluster.dualStack);
    if (!alias.ok) {
      problems.push({
        subject: subjectOf(m.endpoint),
        hostname,
        cluster: m.cluster.name,
        reason: `${alias.reason}; its ${hostname} records are left as they are`,
      });
      out.held.push({ name, setIdentifier: policy === 'simple' ? undefined : m.cluster.name, reason: 'unrecognised entry point' });
      continue;
    }
    m.aliasTarget = alias.aliasTarget;
    m.dualStack = alias.dualStack;
    if (app.upstreamOf !== undefined) {
      // Route 53 cannot probe private addresses: the edges' canaries feed an alarm per cluster.
      m.healthCheck = fleetwide.upstreamCheckOf(m.cluster);
      if (m.healthCheck) out.healthChecks.set(m.healthCheck.key, m.healthCheck);
      continue;
    }
    m.healthCheck = fleetwide.healthCheckOf(m.cluster, m.endpoint.annotations, hostname);
    out.healthChecks.set(m.healthCheck.key, m.healthCheck);
    if (!m.canary && m.healthCheck.spec.fqdn !== fleetwide.canaryHostnames.get(m.cluster.name))
      out.records.push(...appHealthRecords(fleetwide, m, m.healthCheck.spec.fqdn, problems));
  }

  // 5. Routing per cluster; fail open when nothing would receive traffic.
  let routing = routeMembers(hostname, policy, members, false, problems);
  let publishable = false;
  let anyIn = false;
  let anyOut = false;
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as Member;
    if (m.aliasTarget === undefined) continue;
    publishable = true;
    if ((routing[i] as ClusterRouting).inTraffic) anyIn = true;
    if (m.weightPercent === 0 || m.health === 'UNHEALTHY' || (policy === 'weighted' && m.weightPercent < 100)) anyOut = true;
  }
  const failedOpen = publishable && !anyIn && anyOut;
  if (failedOpen) {
    routing = routeMembers(hostname, policy, members, true, []);
    out.failOpen.push(hostname);
    problems.push({
      subject: hostname,
      hostname,
      reason: `every cluster of ${hostname} is drained or unhealthy; failing open: all its clusters keep their records as if active`,
    });
  }

  // 6. Record sets.
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as Member;
    const r = routing[i] as ClusterRouting;
    if (!m.aliasTarget) {
      r.published = false;
      r.inTraffic = false;
      r.why = 'no usable entry point; records left as they are';
      continue;
    }
    r.aliasTarget = m.aliasTarget;
    r.healthCheckKey = m.healthCheck?.key;
    if (r.published) pushRecords(out, hostname, name, app.zones, policy, m, r);
  }

  const zoneIds = app.zones.map((z) => z.id);
  out.summaries.push(
    app.upstreamOf === undefined
      ? { hostname, tier: app.tier, policy, failOpen: failedOpen, zoneIds, recordTtlSeconds: ELB_ALIAS_TTL_SECONDS, clusters: routing }
      : {
          hostname,
          tier: app.tier,
          upstreamOf: app.upstreamOf,
          policy,
          failOpen: failedOpen,
          zoneIds,
          recordTtlSeconds: ELB_ALIAS_TTL_SECONDS,
          clusters: routing,
        },
  );
}

/** 2. One member per cluster; several resources publishing the same hostname must agree. */
function membersOf(fleetwide: Fleetwide, hostname: string, endpoints: readonly PublishedEndpoint[], problems: Problem[]): Member[] {
  const { clusters, intents, appIntents, canaryOwners, health } = fleetwide;
  // Usually already in order: endpointsByHostname sorted them, and an app rarely spans two spellings of its hostname.
  const byCluster = inOrder(endpoints, compareEndpoints) ? endpoints : [...endpoints].sort(compareEndpoints);
  // One member per run of one cluster: the list made at its size (a list grown from empty reserves 17 places).
  const members: Member[] = new Array<Member>(clusterRuns(byCluster));
  let count = 0;
  const canaryOwner = canaryOwners.get(hostname);
  for (let i = 0; i < byCluster.length;) {
    const clusterName = (byCluster[i] as PublishedEndpoint).cluster;
    let j = i + 1;
    while (j < byCluster.length && (byCluster[j] as PublishedEndpoint).cluster === clusterName) j++;
    const cluster = clusters.get(clusterName) as ClusterConfig;
    const endpoint = byCluster[i] as PublishedEndpoint;
    for (let k = i + 1; k < j; k++) {
      const other = byCluster[k] as PublishedEndpoint;
      if (other.entryPoint !== endpoint.entryPoint || JSON.stringify(other.annotations) !== JSON.stringify(endpoint.annotations)) {
        problems.push({
          subject: subjectOf(other),
          hostname,
          cluster: clusterName,
          reason: `${hostname} is also published by ${subjectOf(endpoint)} with other settings; using ${subjectOf(endpoint)}`,
        });
      }
    }
    i = j;
    // A cluster's canary name ignores intents and health: a drained or failing cluster keeps
    // it, so its health check can still probe it (and a restore's health gate can pass).
    const canary = endpoint.canary === true || canaryOwner === clusterName;
    const intent = canary ? undefined : intents.get(clusterName);
    const state = intent?.state ?? 'ACTIVE';
    const appPercent = canary || appIntents.size === 0 ? undefined : appIntents.get(`${hostname}|${clusterName}`);
    const weightPercent = state === 'DRAINED' ? 0 : Math.max(0, Math.min(100, intent?.weightPercent ?? 100, appPercent ?? 100));
    // Every field in the literal (aliasTarget and healthCheck are set later): one object, no property store added.
    members[count++] = {
      cluster,
      endpoint,
      aliasTarget: undefined,
      canary,
      dualStack: cluster.dualStack,
      healthCheck: undefined,
      intent: state,
      weightPercent,
      health: canary ? 'UNKNOWN' : (health[clusterName] ?? 'UNKNOWN'),
    };
  }
  return members;
}

/** How many runs of one cluster a list has. */
function clusterRuns(endpoints: readonly PublishedEndpoint[]): number {
  let runs = 0;
  for (let i = 0; i < endpoints.length; i++)
    if (i === 0 || (endpoints[i] as PublishedEndpoint).cluster !== (endpoints[i - 1] as PublishedEndpoint).cluster) runs++;
  return runs;
}

const A_ONLY: readonly string[] = ['A'];
const A_AND_AAAA: readonly string[] = ['A', 'AAAA'];

/**
 * The record a per-app health check probes: `<cluster>.<hostname>`, a simple alias to that
 * cluster's entry point, in every managed zone the name falls in. Like a canary record it
 * ignores intents and health (a drained or failing cluster keeps it, so its check can still
 * see the app come back) and carries no health check (the check probes that very name).
 */
function appHealthRecords(fleetwide: Fleetwide, m: Member, healthName: string, problems: Problem[]): DesiredRecord[] {
  const zones = zonesForName(healthName, fleetwide.input.zones);
  if (zones.length === 0) {
    problems.push({
      subject: subjectOf(m.endpoint),
      hostname: m.endpoint.hostname,
      cluster: m.cluster.name,
      reason: `per-app health name ${healthName} is in no managed zone; its health check cannot resolve it`,
    });
    return [];
  }
  const name = normalizeName(healthName);
  const records: DesiredRecord[] = [];
  for (const type of m.dualStack ? A_AND_AAAA : A_ONLY) {
    for (const zone of zones)
      records.push({ zoneId: zone.id, hostname: healthName, cluster: m.cluster.name, recordSet: { name, type, aliasTarget: m.aliasTarget } });
  }
  return records;
}

/**
 * Adds the record sets of one published member to `out.records`: per type (A, and AAAA
 * when dual-stack) and zone, each with its check's id when the ids are known (a set whose
 * check has none is held instead).
 */
function pushRecords(out: Collected, hostname: string, name: string, zones: readonly HostedZone[], policy: RoutingPolicy, m: Member, r: ClusterRouting): void {
  const cluster = m.cluster.name;
  // The canary record is what the cluster's health check probes: it must not depend on that check.
  const key = !m.canary && m.healthCheck ? m.healthCheck.key : undefined;
  const { missingIds } = out;
  const id = key !== undefined && missingIds ? missingIds.ids.get(key) : undefined;
  if (key !== undefined && missingIds && !id) {
    holdForMissingId(missingIds, hostname, name, cluster, policy === 'simple' ? undefined : cluster, key);
    return;
  }
  for (const type of m.dualStack ? A_AND_AAAA : A_ONLY) {
    for (const zone of zones) {
      const recordSet = recordSetFor(name, type, policy, m, r, id);
      out.records.push(
        key !== undefined ? { zoneId: zone.id, hostname, cluster, recordSet, healthCheckKey: key } : { zoneId: zone.id, hostname, cluster, recordSet },
      );
    }
  }
}

/** The hold and the problem attachHealthCheckIds reports for a set whose check has no id, once per name and SetIdentifier. */
function holdForMissingId(missing: MissingIds, hostname: string, name: string, cluster: string, setIdentifier: string | undefined, key: string): void {
  const holdKey = `${name}|${setIdentifier ?? ''}`;
  if (missing.reported.has(holdKey)) return;
  missing.reported.add(holdKey);
  missing.held.push(holdFor(name, setIdentifier, key));
  missing.problems.push(missingIdProblem(hostname, cluster, key));
}

function holdFor(name: string, setIdentifier: string | undefined, key: string): HeldRecords {
  return { name, setIdentifier, reason: `health check ${key} has no id yet` };
}

function missingIdProblem(hostname: string, cluster: string, key: string): Problem {
  return {
    subject: hostname,
    hostname,
    cluster,
    reason: `health check ${key} of cluster ${cluster} does not exist yet; ${hostname} records of ${cluster} are left as they are`,
  };
}

/** The record set of one member: `healthCheckId` last when given (as attachHealthCheckIds adds it). */
function recordSetFor(name: string, type: string, policy: RoutingPolicy, m: Member, r: ClusterRouting, healthCheckId: string | undefined): RecordSet {
  const { aliasTarget } = m;
  const setIdentifier = m.cluster.name;
  if (healthCheckId !== undefined) {
    switch (policy) {
      case 'simple':
        return { name, type, aliasTarget, healthCheckId };
      case 'weighted':
        return { name, type, aliasTarget, setIdentifier, weight: r.weight, healthCheckId };
      case 'failover':
        return { name, type, aliasTarget, setIdentifier, failover: r.role, healthCheckId };
      case 'latency':
        return { name, type, aliasTarget, setIdentifier, region: m.cluster.region, healthCheckId };
    }
  }
  switch (policy) {
    case 'simple':
      return { name, type, aliasTarget };
    case 'weighted':
      return { name, type, aliasTarget, setIdentifier, weight: r.weight };
    case 'failover':
      return { name, type, aliasTarget, setIdentifier, failover: r.role };
    case 'latency':
      return { name, type, aliasTarget, setIdentifier, region: m.cluster.region };
  }
}

function anyAsksRouting(members: readonly Member[]): boolean {
  for (let i = 0; i < members.length; i++) if ((members[i] as Member).endpoint.annotations.routing) return true;
  return false;
}

/** Policy from `switchyard.io/routing`; default simple for one cluster, weighted for more. */
function routingPolicyFor(hostname: string, members: readonly Member[], problems: Problem[]): RoutingPolicy {
  const fallback: RoutingPolicy = members.length === 1 ? 'simple' : 'weighted';
  // The usual case: no cluster asks for a policy.
  if (!anyAsksRouting(members)) return fallback;
  const asked = new Map<RoutingPolicy, string[]>();
  for (const m of members) {
    const routing = m.endpoint.annotations.routing;
    if (routing) asked.set(routing, [...(asked.get(routing) ?? []), m.cluster.name]);
  }
  if (asked.size > 1) {
    const detail = [...asked].map(([policy, names]) => `${names.join(', ')}: ${policy}`).join('; ');
    problems.push({ subject: hostname, hostname, reason: `clusters disagree on switchyard.io/routing for ${hostname} (${detail}); using ${fallback}` });
    return fallback;
  }
  const chosen = [...asked.keys()][0] ?? fallback;
  if (chosen === 'simple' && members.length > 1) {
    problems.push({
      subject: hostname,
      hostname,
      reason: `simple routing needs exactly one cluster but ${hostname} is published by ${members.length}; using weighted`,
    });
    return 'weighted';
  }
  return chosen;
}

function outReason(m: Member): string | undefined {
  if (m.health === 'UNHEALTHY') return 'unhealthy';
  if (m.weightPercent === 0) return m.intent === 'DRAINED' ? 'drained' : `${m.intent.toLowerCase()} at 0% of normal weight`;
  return undefined;
}

const NO_ROLES: ReadonlyMap<string, FailoverRole> = new Map();

/**
 * Routing of each member under the app's policy. `asIfActive` (fail open) ignores intents
 * and health. Returned in the members' order.
 */
function routeMembers(hostname: string, policy: RoutingPolicy, members: readonly Member[], asIfActive: boolean, problems: Problem[]): ClusterRouting[] {
  const roles: ReadonlyMap<string, FailoverRole> = policy === 'failover' ? failoverRoles(hostname, members, problems) : NO_ROLES;
  return members.map((m) => {
    const out = asIfActive ? undefined : outReason(m);
    const percent = asIfActive ? 100 : m.weightPercent;
    const failOpenNote = asIfActive && outReason(m) ? ` (fail open: really ${outReason(m)})` : '';
    switch (policy) {
      case 'weighted': {
        const normal = m.endpoint.annotations.weight ?? m.cluster.weight;
        const weight = out ? 0 : Math.round((normal * percent) / 100);
        const why = out
          ? `${out}: weight 0`
          : percent < 100
            ? `${m.intent.toLowerCase()}: ${percent}% of normal weight ${normal}`
            : failOpenNote === ''
              ? activeWhy(weight)
              : `active: weight ${weight}${failOpenNote}`;
        return routingOf(m, weight > 0, true, why, weight);
      }
      case 'failover': {
        const role = roles.get(m.cluster.name);
        if (!role) return routingOf(m, false, false, 'left out: Route 53 allows one PRIMARY and one SECONDARY');
        if (out) return { ...routingOf(m, false, false, `${out}: ${role} record left out`), role };
        return { ...routingOf(m, true, true, `${role}${failOpenNote}`), role };
      }
      case 'latency':
      case 'simple': {
        if (out) return routingOf(m, false, false, `${out}: record left out`);
        const what = policy === 'latency' ? `latency in ${m.cluster.region}` : 'simple';
        return routingOf(m, true, true, `${what}${failOpenNote}`);
      }
    }
  });
}

/** One member's routing, built as one object (every cluster of every app gets one), `weight` last when given. */
function routingOf(m: Member, inTraffic: boolean, published: boolean, why: string, weight?: number): ClusterRouting {
  const routing: ClusterRouting = {
    cluster: m.cluster.name,
    region: m.cluster.region,
    intent: m.intent,
    weightPercent: m.weightPercent,
    health: m.health,
    inTraffic,
    published,
    why,
  };
  if (weight !== undefined) routing.weight = weight;
  return routing;
}

/** "active: weight N", one string per weight (0–255 in Route 53) for the whole run. */
function activeWhy(weight: number): string {
  if (!(Number.isInteger(weight) && weight >= 0 && weight < ACTIVE_WHY.length)) return `active: weight ${weight}`;
  return (ACTIVE_WHY[weight] ??= `active: weight ${weight}`);
}
const ACTIVE_WHY: Array<string | undefined> = new Array(256);

/**
 * PRIMARY and SECONDARY: annotated roles first, then the lowest failoverPriority, then the
 * name. Route 53 allows one of each per name and type; extra clusters are reported.
 */
function failoverRoles(hostname: string, members: readonly Member[], problems: Problem[]): Map<string, FailoverRole> {
  const rank = (m: Member, preferred: 'primary' | 'secondary') => {
    const a = m.endpoint.annotations.failover;
    return a === preferred ? 0 : a === undefined ? 1 : 2;
  };
  const order = (preferred: 'primary' | 'secondary') => (a: Member, b: Member) =>
    rank(a, preferred) - rank(b, preferred) || a.cluster.failoverPriority - b.cluster.failoverPriority || compareStrings(a.cluster.name, b.cluster.name);
  const roles = new Map<string, FailoverRole>();
  const primary = [...members].sort(order('primary'))[0];
  if (!primary) return roles;
  roles.set(primary.cluster.name, 'PRIMARY');
  const secondary = members.filter((m) => m !== primary).sort(order('secondary'))[0];
  if (secondary) roles.set(secondary.cluster.name, 'SECONDARY');
  for (const m of members) {
    const role = roles.get(m.cluster.name);
    const asked = m.endpoint.annotations.failover;
    if (!role) {
      problems.push({
        subject: hostname,
        hostname,
        cluster: m.cluster.name,
        reason: `${hostname} already has a PRIMARY and a SECONDARY; cluster ${m.cluster.name} is left out of failover routing`,
      });
    } else if (asked && asked.toUpperCase() !== role) {
      problems.push({
        subject: subjectOf(m.endpoint),
        hostname,
        cluster: m.cluster.name,
        reason: `switchyard.io/failover asks ${asked} but cluster ${m.cluster.name} is ${role} (another cluster holds the ${asked} role)`,
      });
    }
  }
  return roles;
}

/**
 * Puts health-check ids into the desired record sets. A set whose check has no id yet is
 * taken out and held (its actual set stays as it is), never published without its check.
 */
export function attachHealthCheckIds(state: DesiredState, idsByKey: ReadonlyMap<string, string> | Readonly<Record<string, string>>): DesiredState {
  const lookup = (key: string): string | undefined =>
    idsByKey instanceof Map ? idsByKey.get(key) : Object.prototype.hasOwnProperty.call(idsByKey, key) ? (idsByKey as Record<string, string>)[key] : undefined;
  const records: DesiredRecord[] = [];
  const held = [...state.held];
  const problems = [...state.problems];
  const reported = new Set<string>();
  // Indexed: a cold for-of allocates an iterator result per element.
  for (let i = 0; i < state.records.length; i++) {
    const record = state.records[i] as DesiredRecord;
    if (record.healthCheckKey === undefined) {
      records.push(record);
      continue;
    }
    const id = lookup(record.healthCheckKey);
    if (id) {
      records.push({ ...record, recordSet: { ...record.recordSet, healthCheckId: id } });
      continue;
    }
    const holdKey = `${record.recordSet.name}|${record.recordSet.setIdentifier ?? ''}`;
    if (reported.has(holdKey)) continue;
    reported.add(holdKey);
    held.push(holdFor(record.recordSet.name, record.recordSet.setIdentifier, record.healthCheckKey));
    problems.push(missingIdProblem(record.hostname, record.cluster, record.healthCheckKey));
  }
  return { ...state, records, held, problems };
}
