// The app catalogue (state table) seen through desired state: which clusters publish
// each app, under which routing policy and normal weight, and what Route 53 weight a
// cluster gets at a given share of it. Uses computeDesiredState itself, so safety
// counts exactly the clusters DNS would publish. Pure.
import type { FleetConfig } from './config.ts';
import { computeDesiredState, ELB_ALIAS_TTL_SECONDS, type ClusterRouting } from './desired.ts';
import { normalizeName } from './dns-names.ts';
import type { AppWeight, ClusterRecord } from './events.ts';
import type { ClusterIntent, HostedZone, PublishedEndpoint } from './model.ts';
import type { CatalogueApp } from './safety.ts';
import { managedZoneConfigs, tierOfApp } from './upstream.ts';

/** The fleet's zones with placeholder ids where none is pinned: enough to decide routing. */
function zonesOf(fleet: FleetConfig): HostedZone[] {
  return managedZoneConfigs(fleet).map((zone) => ({ id: zone.id ?? `unresolved:${zone.name}`, name: normalizeName(zone.name) }));
}

/** Each app with the clusters that publish it (records desired at full weight). */
export function catalogueApps(fleet: FleetConfig, endpoints: readonly PublishedEndpoint[]): CatalogueApp[] {
  const desired = computeDesiredState({ fleet, zones: zonesOf(fleet), endpoints: endpoints.filter((e) => !e.canary) });
  return desired.apps.map((app) => ({
    hostname: app.hostname,
    // Only apps served through edges have a tier to name (safety.ts); direct apps have none.
    ...(tierOfApp(app).tier === undefined ? {} : { tier: app.tier }),
    members: app.clusters
      .filter((c) => c.published)
      .map((c) => ({ cluster: c.cluster, routing: app.policy, baseWeight: app.policy === 'weighted' ? (c.weight ?? 0) : 100 })),
  }));
}

/** Hostnames a cluster serves, sorted. */
export function appsOfCluster(apps: readonly CatalogueApp[], cluster: string): string[] {
  return apps
    .filter((app) => app.members.some((m) => m.cluster === cluster))
    .map((app) => app.hostname)
    .sort();
}

/**
 * The Route 53 weights a cluster's records get for each of its apps when the cluster is
 * at `before` and at `after` percent (others as in `intents`). Undefined weight for
 * routing that has none.
 */
export function clusterWeights(
  fleet: FleetConfig,
  endpoints: readonly PublishedEndpoint[],
  intents: readonly ClusterIntent[],
  cluster: string,
  before: number,
  after: number,
): AppWeight[] {
  // Every app the cluster publishes, with all its clusters' endpoints (a set and a map: a
  // cluster may serve tens of thousands of apps, and this runs at each operation's start and end).
  const own = new Set(endpoints.filter((e) => !e.canary && e.cluster === cluster).map((e) => e.hostname));
  const relevant = endpoints.filter((e) => own.has(e.hostname) && !e.canary);
  const at = (percent: number) => {
    const adjusted = [...intents.filter((i) => i.cluster !== cluster), { cluster, state: 'ACTIVE' as const, weightPercent: percent }];
    return computeDesiredState({ fleet, zones: zonesOf(fleet), endpoints: relevant, intents: adjusted, health: {} }).apps;
  };
  const beforeApps = at(before);
  const afterApps = new Map<string, (typeof beforeApps)[number]>();
  for (const app of at(after)) if (!afterApps.has(app.hostname)) afterApps.set(app.hostname, app);
  return beforeApps
    .filter((app) => app.clusters.some((c) => c.cluster === cluster))
    .map((app) => {
      const b = app.clusters.find((c) => c.cluster === cluster);
      const a = afterApps.get(app.hostname)?.clusters.find((c) => c.cluster === cluster);
      return {
        hostname: app.hostname,
        routing: app.policy,
        ...tierOfApp(app),
        ...(app.policy === 'weighted' ? { weightBefore: b?.weight ?? 0, weightAfter: a?.weight ?? 0 } : {}),
        before: recordOf(app.policy, b),
        after: recordOf(app.policy, a),
      };
    });
}

/** What desired state writes for one cluster of an app, as the event's ClusterRecord. */
function recordOf(policy: string, routing: ClusterRouting | undefined): ClusterRecord {
  if (routing === undefined || !routing.published) return { present: false, inTraffic: false };
  return {
    present: true,
    inTraffic: routing.inTraffic,
    ...(policy === 'weighted' ? { weight: routing.weight ?? 0 } : {}),
    ...(routing.role !== undefined ? { role: routing.role } : {}),
    ...(policy === 'latency' ? { region: routing.region } : {}),
  };
}

/** TTL resolvers may cache a cluster's answers: every record is an alias to a load balancer. */
export const RECORD_TTL_SECONDS = ELB_ALIAS_TTL_SECONDS;
