// What one DNS apply of the workflows may touch and what it intends: desired state with
// per-app failover, the holds that keep an apply to its apps (and an operation to its
// cluster), the sets it intends (read back once INSYNC), and each cluster's A set as the
// journal shows it. Pure; src/app/dns/route53-dns.ts runs them (docs/dns.md).
import type { FleetConfig } from './config.ts';
import { computeDesiredState, type DesiredHealthCheck, type DesiredState, type HeldRecords } from './desired.ts';
import { compareStrings, markerNameFor, normalizeName } from './dns-names.ts';
import type { ClusterRecord } from './events.ts';
import type { ChangeGroup, ClusterIntent, HostedZone, PublishedEndpoint, RecordSet } from './model.ts';
import { zoneNames } from './ownership.ts';
import type { ActualZone } from './plan.ts';
import { recordsAfter } from './zone-state.ts';
import type { AppOut } from './ports.ts';
import { withTierNames } from './upstream.ts';
import type { IntendedSet } from './verify.ts';

/**
 * Desired state with per-app failover (appIntents at 0 %). Health is left to Route 53's
 * own checks and to Failover's marks, so every writer (drains, failover, reconcile)
 * computes the same weights from the same intents; canary names ignore intents in
 * computeDesiredState itself.
 */
export function desiredWithOverrides(
  fleet: FleetConfig,
  zones: readonly HostedZone[],
  endpoints: readonly PublishedEndpoint[],
  intents: readonly ClusterIntent[],
  appsOut: readonly AppOut[],
): DesiredState {
  return computeDesiredState({ fleet, zones, endpoints, intents, health: {}, appIntents: appsOut.map((a) => ({ ...a, weightPercent: 0 })) });
}

/**
 * The health checks of every app, given `wantedDesired`, the desired state of the apps
 * whose endpoint hostnames are in `wanted` (desiredWithOverrides of those endpoints, same
 * inputs): equal to desiredWithOverrides(all endpoints).healthChecks, computing only the
 * other apps'. An app's checks depend on its own endpoints alone (its clusters, its
 * health-* annotations, its hostname), and a check's key is a hash of its content, so the
 * union by key is the whole fleet's. When a drain names every app of the fleet, nothing is
 * left to compute. Should an app be split between the two (hostnames that differ only by
 * case or a trailing dot), the whole fleet is computed as before.
 */
export function healthChecksInUse(
  fleet: FleetConfig,
  zones: readonly HostedZone[],
  endpoints: readonly PublishedEndpoint[],
  intents: readonly ClusterIntent[],
  appsOut: readonly AppOut[],
  wanted: ReadonlySet<string>,
  wantedDesired: DesiredState,
): DesiredHealthCheck[] {
  const others = endpoints.filter((e) => !wanted.has(e.hostname));
  if (others.length === 0) return wantedDesired.healthChecks;
  const wantedNames = new Set([...wanted].map(normalizeName));
  if (others.some((e) => wantedNames.has(normalizeName(e.hostname)))) return desiredWithOverrides(fleet, zones, endpoints, intents, appsOut).healthChecks;
  const byKey = new Map<string, DesiredHealthCheck>();
  for (const check of wantedDesired.healthChecks) byKey.set(check.key, check);
  for (const check of desiredWithOverrides(fleet, zones, others, intents, appsOut).healthChecks) if (!byKey.has(check.key)) byKey.set(check.key, check);
  const order = (h: DesiredHealthCheck) => `${h.cluster}\u0000${h.key}`;
  return [...byKey.values()].sort((a, b) => compareStrings(order(a), order(b)));
}

/**
 * The names an apply restricted to `hostnames` reads from Route 53 (canonical, sorted):
 * each name with its other tier's name (withTierNames), every cluster's per-app health
 * name under it (`<cluster>.<name>`), and the markers of all of them. These are exactly
 * the names restrictionHolds leaves in scope, and the desired state of the named apps lies
 * within them, so the sets at these names plan what the whole zones plan: every other name
 * is held (docs/dns.md, "What an apply reads").
 */
export function scopeNames(fleet: Pick<FleetConfig, 'upstream' | 'clusters'>, hostnames: readonly string[]): string[] {
  const labels = [...new Set(fleet.clusters.map((c) => c.name.toLowerCase()))];
  const names = new Set<string>();
  for (const hostname of withTierNames(fleet, hostnames)) {
    const name = normalizeName(hostname);
    for (const n of [name, ...labels.map((label) => `${label}.${name}`)]) {
      names.add(n);
      names.add(markerNameFor(n));
    }
  }
  return [...names].sort(compareStrings);
}

/** scopeNames(fleet, hostnames).length at most, counted without building the names (a drain names every app of a cluster). */
export function scopeNamesBound(fleet: Pick<FleetConfig, 'upstream' | 'clusters'>, hostnames: readonly string[]): number {
  return hostnames.length * (fleet.upstream === undefined ? 1 : 2) * (1 + fleet.clusters.length) * 2;
}

/** Holds that keep a restricted apply to its apps (and, for an operation, its cluster's sets). */
export function restrictionHolds(
  fleet: FleetConfig,
  actual: readonly ActualZone[],
  hostnames: readonly string[] | undefined,
  onlyCluster: string | undefined,
): HeldRecords[] {
  const holds: HeldRecords[] = [];
  if (hostnames !== undefined) {
    const wanted = new Set(hostnames.map(normalizeName));
    const names = new Set(actual.flatMap((zone) => zone.records.map((r) => normalizeName(r.name))));
    const clusterLabels = new Set(fleet.clusters.map((c) => `${c.name.toLowerCase()}.`));
    for (const name of names) {
      const target = name.startsWith('_switchyard.') ? name.slice('_switchyard.'.length) : name;
      if (wanted.has(target)) continue;
      // An app's per-app health record, `<cluster>.<hostname>` (health-spec.ts), is part of the app.
      const dot = target.indexOf('.');
      if (dot > 0 && clusterLabels.has(target.slice(0, dot + 1)) && wanted.has(target.slice(dot + 1))) continue;
      holds.push({ name, reason: 'not part of this change' });
    }
  }
  if (onlyCluster !== undefined) {
    for (const hostname of hostnames ?? []) {
      for (const cluster of fleet.clusters) {
        if (cluster.name !== onlyCluster)
          holds.push({ name: normalizeName(hostname), setIdentifier: cluster.name, reason: `operation on ${onlyCluster} only` });
      }
    }
  }
  return holds;
}

/**
 * Each A set by canonical name and set identifier (the first set of a key wins, as a
 * search from the start would find it). One pass instead of a search per app and cluster,
 * which on a 1,000-app cluster was millions of name normalisations per apply.
 */
export function setsByNameAndCluster(zones: readonly ActualZone[]): Map<string, Map<string, RecordSet>> {
  return indexClusterSets(zones).sets;
}

/** setsByNameAndCluster of some zones, and what clusterSetsAfter needs to know of them. */
export interface ClusterSetsIndex {
  sets: Map<string, Map<string, RecordSet>>;
  /** The zones' ids, in order. */
  zoneIds: readonly string[];
  /** No two A sets share a canonical name and SetIdentifier (as in any reading of Route 53). */
  unique: boolean;
}

function isClusterSet(r: RecordSet): r is RecordSet & { setIdentifier: string } {
  return r.setIdentifier !== undefined && r.type.toUpperCase() === 'A';
}

export function indexClusterSets(zones: readonly ActualZone[]): ClusterSetsIndex {
  const sets = new Map<string, Map<string, RecordSet>>();
  let unique = true;
  for (const zone of zones) {
    for (const r of zone.records) {
      if (!isClusterSet(r)) continue;
      const name = normalizeName(r.name);
      let byCluster = sets.get(name);
      if (byCluster === undefined) sets.set(name, (byCluster = new Map()));
      if (!byCluster.has(r.setIdentifier)) byCluster.set(r.setIdentifier, r);
      else unique = false;
    }
  }
  return { sets, zoneIds: zones.map((z) => z.zoneId), unique };
}

/**
 * setsByNameAndCluster of the zones after `applied` (recordsAfter's semantics), from the
 * index of the zones before. In one zone whose A sets are unique by name and SetIdentifier
 * (a reading of Route 53), each identity holds what its last change wrote (nothing after a
 * DELETE), else what it held before: only the changes are walked, not the zone. Otherwise
 * (several zones, or a set listed twice) the zones after are indexed whole, as before.
 */
export function clusterSetsAfter(
  actual: readonly ActualZone[],
  applied: ReadonlyArray<{ zoneId: string; group: ChangeGroup }>,
  before: ClusterSetsIndex,
): { get(name: string): ReadonlyMap<string, RecordSet> | undefined } {
  const zoneId = before.zoneIds.length === 1 ? before.zoneIds[0] : undefined;
  if (!before.unique || zoneId === undefined || applied.some((a) => a.zoneId !== zoneId)) {
    return setsByNameAndCluster([...recordsAfter(actual, applied)].map(([id, records]) => ({ zoneId: id, records })));
  }
  const changed = new Map<string, Map<string, RecordSet>>();
  for (const { group } of applied) {
    for (const change of group.changes) {
      const r = change.recordSet;
      if (!isClusterSet(r)) continue;
      const name = normalizeName(r.name);
      let sets = changed.get(name);
      if (sets === undefined) changed.set(name, (sets = new Map(before.sets.get(name))));
      if (change.action === 'DELETE') sets.delete(r.setIdentifier);
      else sets.set(r.setIdentifier, r);
    }
  }
  return { get: (name) => changed.get(name) ?? before.sets.get(name) };
}

/** A cluster's A set as the journal and events show it (absent when there is none). */
export function clusterRecordOf(set: RecordSet | undefined): ClusterRecord {
  if (set === undefined) return { present: false, inTraffic: false };
  return {
    present: true,
    inTraffic: set.weight === undefined || set.weight > 0,
    ...(set.weight !== undefined ? { weight: set.weight } : {}),
    ...(set.failover !== undefined ? { role: set.failover } : {}),
    ...(set.region !== undefined ? { region: set.region } : {}),
  };
}

/**
 * What an apply intends at the sets in its scope: every desired set (with its content)
 * and every owned set no longer desired (absent), leaving out held sets (another
 * cluster's during an operation, names outside the request, sets with no entry point).
 * Markers are bookkeeping and not part of a step's intention.
 */
export function intendedSets(
  desired: ReadonlyArray<{ zoneId: string; recordSet: RecordSet }>,
  actual: readonly ActualZone[],
  held: readonly HeldRecords[],
  ownerId: string,
  hostnames: readonly string[] | undefined,
): IntendedSet[] {
  // Each set's canonical name is computed once and the lookups go by it: no key is built per set.
  const heldNames = new Set<string>();
  const heldSets = new Map<string, Set<string>>();
  for (const h of held) {
    const name = normalizeName(h.name);
    if (h.setIdentifier === undefined) heldNames.add(name);
    else addTo(heldSets, name, h.setIdentifier);
  }
  const isHeld = (name: string, r: RecordSet) => heldNames.has(name) || (r.setIdentifier !== undefined && heldSets.get(name)?.has(r.setIdentifier) === true);
  const inScope = hostnames === undefined ? undefined : new Set(hostnames.map(normalizeName));
  const sets: IntendedSet[] = [];
  /** Zone → name → the type and SetIdentifier of each desired set there. */
  const wanted = new Map<string, Map<string, Set<string>>>();
  for (const { zoneId, recordSet } of desired) {
    const name = normalizeName(recordSet.name);
    if (isHeld(name, recordSet)) continue;
    if (inScope && !inScope.has(name)) continue;
    let byName = wanted.get(zoneId);
    if (byName === undefined) wanted.set(zoneId, (byName = new Map()));
    addTo(byName, name, identityAt(recordSet));
    sets.push({
      zoneId,
      name,
      type: recordSet.type,
      ...(recordSet.setIdentifier === undefined ? {} : { setIdentifier: recordSet.setIdentifier }),
      want: { ...recordSet, name },
    });
  }
  for (const zone of actual) {
    const byName = wanted.get(zone.zoneId);
    // Only the names in scope are classified (an apply of one app does not classify the zone).
    const names = zoneNames(zone.records, ownerId);
    for (const group of names.names) {
      const { name } = group;
      if (inScope && !inScope.has(name)) continue;
      const ids = byName?.get(name);
      for (const r of names.classify(group).owned) {
        if (isHeld(name, r) || ids?.has(identityAt(r))) continue;
        sets.push({ zoneId: zone.zoneId, name, type: r.type, ...(r.setIdentifier === undefined ? {} : { setIdentifier: r.setIdentifier }), want: null });
      }
    }
  }
  return sets;
}

/** A set's type and SetIdentifier: its identity among the sets of one name. */
function identityAt(r: RecordSet): string {
  return `${r.type.toUpperCase()}|${r.setIdentifier ?? ''}`;
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const values = map.get(key);
  if (values === undefined) map.set(key, new Set([value]));
  else values.add(value);
}
