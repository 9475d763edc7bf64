// What the fleet's hosted zones hold, decided purely: which zones fleet.zones names,
// which sets to leave alone while clusters are unreadable or silent, and the records and
// health-check ids after a set of change groups. Both DNS use cases (src/app/dns) use
// them (docs/dns.md).
import type { ClusterConfig, FleetConfig } from './config.ts';
import type { HeldRecords } from './desired.ts';
import { normalizeName, recordKey } from './dns-names.ts';
import { ConfigError } from './errors.ts';
import { publishingClusters } from './held.ts';
import type { OwnedHealthCheck } from './health-check-plan.ts';
import type { ChangeGroup, HostedZone, PublishedEndpoint, RecordSet } from './model.ts';
import { classifyZone } from './ownership.ts';
import type { ActualZone } from './plan.ts';
import { managedZoneConfigs } from './upstream.ts';

/**
 * The hosted zones fleet.zones and upstream name: by pinned id, else by name. A zone that does not
 * exist, or a name several zones share without a pinned id, is bad input.
 */
export function selectZones(fleet: FleetConfig, listed: readonly HostedZone[], fleetFile = 'fleet.yaml'): HostedZone[] {
  const issues: string[] = [];
  const chosen = new Map<string, HostedZone>();
  for (const wanted of managedZoneConfigs(fleet)) {
    const name = `${wanted.name.toLowerCase().replace(/\.$/, '')}.`;
    const at = wanted.path;
    if (wanted.id !== undefined) {
      const zone = listed.find((z) => z.id === wanted.id);
      if (!zone) issues.push(`${at}.id: no hosted zone ${wanted.id} in this account`);
      else if (zone.name !== name) issues.push(`${at}.id: hosted zone ${wanted.id} is ${zone.name}, not ${name}`);
      else chosen.set(zone.id, zone);
      continue;
    }
    const named = listed.filter((z) => z.name === name);
    // The upstream zone is private: a public zone of the same name is not it.
    const matches = wanted.private && named.some((z) => z.private) ? named.filter((z) => z.private) : named;
    const nameField = wanted.path === 'upstream' ? 'upstream.zone' : `${at}.name`;
    if (matches.length === 0) issues.push(`${nameField}: no hosted zone named ${name} in this account`);
    else if (matches.length > 1)
      issues.push(
        `${nameField}: ${matches.length} hosted zones are named ${name} (${matches.map((z) => `${z.id}${z.private ? ' private' : ''}`).join(', ')}); pin ${at}.id`,
      );
    else chosen.set(matches[0]!.id, matches[0]!);
  }
  if (issues.length > 0) throw new ConfigError(fleetFile, issues);
  return [...chosen.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * What to leave alone while some clusters could not be read (their endpoints are
 * unknown, not gone): their A/AAAA sets (SetIdentifier = cluster), and every name with
 * a simple A/AAAA set, which names no cluster and so may be theirs.
 */
export function heldForUnreachable(actual: readonly ActualZone[], unreachable: readonly string[]): HeldRecords[] {
  if (unreachable.length === 0) return [];
  const clusters = new Set(unreachable);
  const held = new Map<string, HeldRecords>();
  for (const zone of actual) {
    for (const record of zone.records) {
      const type = record.type.toUpperCase();
      if (type !== 'A' && type !== 'AAAA') continue;
      if (record.setIdentifier === undefined) {
        held.set(`${record.name}|`, { name: record.name, reason: `clusters ${unreachable.join(', ')} could not be read` });
      } else if (clusters.has(record.setIdentifier)) {
        held.set(`${record.name}|${record.setIdentifier}`, {
          name: record.name,
          setIdentifier: record.setIdentifier,
          reason: `cluster ${record.setIdentifier} could not be read`,
        });
      }
    }
  }
  return [...held.values()];
}

/**
 * Clusters the source read but that published nothing at all, while Route 53 holds record
 * sets we own for them (SetIdentifier = cluster, a simple set carrying one of the
 * cluster's health checks, or the cluster's canary record). A source that reads nothing is far likelier broken (an empty
 * mount, a truncated file) than a cluster that withdrew every app and its canary: these
 * clusters are held like unreachable ones. Withdrawing a whole cluster is done by removing
 * it from fleet.yaml. Pure.
 */
export function silentClusters(input: {
  clusters: readonly Pick<ClusterConfig, 'name' | 'canaryHostname'>[];
  endpoints: readonly Pick<PublishedEndpoint, 'cluster'>[];
  unreachable: readonly string[];
  actual: readonly ActualZone[];
  ownerId: string;
  ownedChecks: readonly Pick<OwnedHealthCheck, 'id' | 'cluster'>[];
}): Array<{ cluster: string; sets: number }> {
  const publishing = publishingClusters(input.endpoints);
  const candidates = new Set(input.clusters.map((c) => c.name).filter((c) => !publishing.has(c) && !input.unreachable.includes(c)));
  if (candidates.size === 0) return [];
  const canaries = new Map(input.clusters.map((c) => [normalizeName(c.canaryHostname), c.name]));
  const checkCluster = new Map(input.ownedChecks.filter((c) => c.cluster !== undefined).map((c) => [c.id, c.cluster as string]));
  const sets = new Map<string, number>();
  for (const zone of input.actual) {
    for (const ownership of classifyZone(zone.records, input.ownerId).values()) {
      for (const record of ownership.owned) {
        const cluster = record.setIdentifier ?? (record.healthCheckId ? checkCluster.get(record.healthCheckId) : undefined) ?? canaries.get(ownership.name);
        if (cluster !== undefined && candidates.has(cluster)) sets.set(cluster, (sets.get(cluster) ?? 0) + 1);
      }
    }
  }
  return input.clusters.filter((c) => sets.has(c.name)).map(({ name }) => ({ cluster: name, sets: sets.get(name) as number }));
}

/** Every record set per zone after the given groups' changes (Route 53 semantics by key). */
export function recordsAfter(actual: readonly ActualZone[], applied: ReadonlyArray<{ zoneId: string; group: ChangeGroup }>): Map<string, RecordSet[]> {
  const byZone = new Map<string, Map<string, RecordSet>>();
  for (const zone of actual) byZone.set(zone.zoneId, new Map(zone.records.map((r) => [recordKey(r), r])));
  for (const { zoneId, group } of applied) {
    let records = byZone.get(zoneId);
    if (!records) byZone.set(zoneId, (records = new Map()));
    for (const change of group.changes) {
      if (change.action === 'DELETE') records.delete(recordKey(change.recordSet));
      else records.set(recordKey(change.recordSet), change.recordSet);
    }
  }
  return new Map([...byZone].map(([zoneId, records]) => [zoneId, [...records.values()]]));
}

/**
 * Health-check ids that record sets carry after the given groups' changes: counted
 * over what was read, adjusted by each change (an UPSERT replaces the set of its key).
 * Linear in the records read; only UPSERTed names are indexed by key. Names are
 * compared as the port returns them (canonical: lower-case, trailing dot).
 */
export function healthCheckIdsAfter(actual: readonly ActualZone[], applied: ReadonlyArray<{ zoneId: string; group: ChangeGroup }>): Set<string> {
  const counts = new Map<string, number>();
  const add = (id: string | undefined, n: number) => {
    if (id) counts.set(id, (counts.get(id) ?? 0) + n);
  };
  const upserted = new Map<string, Set<string>>();
  for (const { zoneId, group } of applied) {
    for (const c of group.changes) {
      if (c.action !== 'UPSERT') continue;
      let names = upserted.get(zoneId);
      if (!names) upserted.set(zoneId, (names = new Set()));
      names.add(normalizeName(c.recordSet.name));
    }
  }
  const current = new Map<string, string | undefined>();
  for (const zone of actual) {
    const names = upserted.get(zone.zoneId);
    for (const record of zone.records) {
      add(record.healthCheckId, 1);
      if (names?.has(record.name)) current.set(`${zone.zoneId} ${recordKey(record)}`, record.healthCheckId);
    }
  }
  for (const { zoneId, group } of applied) {
    for (const change of group.changes) {
      const key = `${zoneId} ${recordKey(change.recordSet)}`;
      if (change.action === 'DELETE') {
        add(change.recordSet.healthCheckId, -1);
        current.delete(key);
        continue;
      }
      if (change.action === 'UPSERT' && current.has(key)) add(current.get(key), -1);
      current.set(key, change.recordSet.healthCheckId);
      add(change.recordSet.healthCheckId, 1);
    }
  }
  return new Set([...counts].filter(([, n]) => n > 0).map(([id]) => id));
}
