// DNS orchestration: the pure core (desired → plan → batch) between Route 53 reads
// and writes, with every outside thing injected (Route 53 port, endpoint source,
// intents, health, clock). `planDns` only reads; `syncDns` also ensures health
// checks, applies the requests in order, waits for INSYNC and deletes the owned
// health checks no record uses any more.
import { managedZoneConfigs } from '../core/upstream.ts';
import { batchPlan } from '../core/batch.ts';
import type { ClusterConfig, FleetConfig } from '../core/config.ts';
import { attachHealthCheckIds, computeDesiredState, type DesiredState, type HeldRecords } from '../core/desired.ts';
import { normalizeName, recordKey } from '../core/dns-names.ts';
import { ConfigError } from '../core/errors.ts';
import type { ChangeGroup, ChangeRequest, ClusterIntent, HealthState, HostedZone, Problem, PublishedEndpoint, RecordSet } from '../core/model.ts';
import { classifyZone } from '../core/ownership.ts';
import { holdSilentClusters } from '../core/held.ts';
import { plan as planChanges, type ActualZone, type Plan } from '../core/plan.ts';
import type { EndpointSource } from './endpoints-file.ts';
import {
  deleteUnusedHealthChecks,
  ensureHealthChecks,
  listOwnedHealthChecks,
  planHealthChecks,
  type HealthCheckAction,
  type HealthCheckFailure,
  type HealthCheckStep,
  type OwnedHealthCheck,
} from './health-checks.ts';
import type { Clock } from './retry.ts';
import type { Route53Port } from './route53.ts';
import { sendChangeRequests, waitForInsync, type GroupResult, type WaitResult } from './send-changes.ts';
import { readBack } from './read-back.ts';
import { groupExpectations, intendedBySent } from '../core/verify.ts';

/** Stands in for the id of a health check that `sync` would create (plan only; never sent). */
export const NEW_HEALTH_CHECK_PREFIX = 'new:';

export interface DnsPorts {
  route53: Route53Port;
  endpoints: EndpointSource;
  /** Operator intents (state table). Missing: every cluster ACTIVE at 100 %. */
  intents?: () => Promise<readonly ClusterIntent[]>;
  /** Single apps of single clusters at a share of their weight (per-app failover: 0 %). */
  appIntents?: () => Promise<ReadonlyArray<{ hostname: string; cluster: string; weightPercent: number }>>;
  /** Observed health per cluster. Missing: UNKNOWN (treated as healthy). */
  health?: () => Promise<Readonly<Record<string, HealthState>>>;
  clock?: Clock;
  /** One human-readable line per step. */
  onProgress?: (line: string) => void;
}

export interface DnsInput {
  fleet: FleetConfig;
  /** Names the config in errors (e.g. the fleet.yaml path). */
  fleetFile?: string;
}

export interface DnsPlanReport {
  ownerId: string;
  policy: FleetConfig['policy'];
  zones: HostedZone[];
  endpointCount: number;
  recordsRead: number;
  desired: DesiredState;
  plan: Plan;
  requests: ChangeRequest[];
  /** Health checks to create or update (plan) / that were (sync: see healthCheckActions). */
  healthCheckSteps: HealthCheckStep[];
  /** Owned health checks no record would use any more (deleted by sync under policy `sync`). */
  unusedHealthChecks: OwnedHealthCheck[];
  /** Endpoint, desired-state, plan and batching problems, and conflicts: reported, never blocking. */
  problems: Problem[];
  /** Clusters the endpoint source could not read; their records were left as they are. */
  unreachable: string[];
}

export interface DnsSyncReport extends DnsPlanReport {
  /** The Route 53 port skipped every write (nothing was changed). */
  dryRun: boolean;
  healthCheckActions: HealthCheckAction[];
  healthCheckFailures: HealthCheckFailure[];
  groups: GroupResult[];
  requestsSent: number;
  insync: WaitResult;
  /** Once INSYNC, the sets the sent changes intended, read back: each that Route 53 does not hold (Route53Diverged). */
  diverged: string[];
  /** True when some change or health-check operation failed, a set read back differs, or a cluster could not be read (exit code 1). */
  failed: boolean;
}

export interface SyncOptions {
  insyncTimeoutMs?: number;
  insyncPollMs?: number;
  comment?: string;
}

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
    else if (matches.length > 1) issues.push(`${nameField}: ${matches.length} hosted zones are named ${name} (${matches.map((z) => `${z.id}${z.private ? ' private' : ''}`).join(', ')}); pin ${at}.id`);
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
        held.set(`${record.name}|${record.setIdentifier}`, { name: record.name, setIdentifier: record.setIdentifier, reason: `cluster ${record.setIdentifier} could not be read` });
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
  const publishing = new Set(input.endpoints.map((e) => e.cluster));
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

interface Observed {
  unreachable: string[];
  zones: HostedZone[];
  actual: ActualZone[];
  owned: OwnedHealthCheck[];
  desired: DesiredState;
  endpointCount: number;
  problems: Problem[];
}

/** Reads everything the decision needs: zones, record sets, owned checks, endpoints, intents, health. */
async function observe(input: DnsInput, ports: DnsPorts): Promise<Observed> {
  const say = ports.onProgress ?? (() => {});
  const { fleet } = input;
  const listed = await ports.endpoints.list();
  const { endpoints } = listed;
  const problems = [...listed.problems];
  const unreachable = [...(listed.unreachable ?? [])];
  say(`endpoints: ${endpoints.length} from ${ports.endpoints.description}${problems.length ? ` (${problems.length} problem(s))` : ''}`);
  if (unreachable.length > 0) say(`clusters not read, their records are left as they are: ${unreachable.join(', ')}`);
  const zones = selectZones(fleet, await ports.route53.listHostedZones(), input.fleetFile);
  const actual: ActualZone[] = [];
  for (const zone of zones) {
    const records = await ports.route53.listRecordSets(zone.id);
    actual.push({ zoneId: zone.id, records });
    say(`zone ${zone.name} (${zone.id}): ${records.length} record sets`);
  }
  const owned = await listOwnedHealthChecks(ports.route53, fleet.ownerId);
  say(`health checks owned by ${fleet.ownerId}: ${owned.length}`);
  const silent = silentClusters({ clusters: fleet.clusters, endpoints, unreachable, actual, ownerId: fleet.ownerId, ownedChecks: owned });
  const held = holdSilentClusters({ endpoints, problems, unreachable }, fleet.clusters.map((c) => c.name), new Map(silent.map((s) => [s.cluster, `Route 53 holds ${s.sets} record set(s) of it`])));
  problems.splice(0, problems.length, ...held.problems);
  unreachable.splice(0, unreachable.length, ...held.unreachable);
  if (silent.length > 0) say(`clusters that published nothing, their records are left as they are: ${silent.map((s) => s.cluster).join(', ')}`);
  const intents = ports.intents ? await ports.intents() : [];
  const appIntents = ports.appIntents ? await ports.appIntents() : [];
  const health = ports.health ? await ports.health() : {};
  const desired = computeDesiredState({ fleet, zones, endpoints, intents, appIntents, health });
  return { zones, actual, owned, desired, endpointCount: endpoints.length, problems, unreachable: unreachable.sort() };
}

function decide(input: DnsInput, observed: Observed, idsByKey: ReadonlyMap<string, string>) {
  const { fleet } = input;
  const desired = attachHealthCheckIds(observed.desired, idsByKey);
  const plan = planChanges({
    desired: desired.records,
    actual: observed.actual,
    policy: fleet.policy,
    ownerId: fleet.ownerId,
    zones: observed.zones,
    held: [...desired.held, ...heldForUnreachable(observed.actual, observed.unreachable)],
    markerTtl: fleet.ttl,
  });
  const { requests, oversized } = batchPlan(plan);
  const problems = [...observed.problems, ...desired.problems, ...plan.problems, ...plan.conflicts, ...oversized];
  return { desired, plan, requests, problems };
}

/** Reads Route 53 and the endpoint source and returns what `syncDns` would do. Changes nothing. */
export async function planDns(input: DnsInput, ports: DnsPorts): Promise<DnsPlanReport> {
  const observed = await observe(input, ports);
  const steps = planHealthChecks(observed.desired.healthChecks, observed.owned);
  const idsByKey = new Map(steps.map((step) => [step.want.key, step.kind === 'create' ? `${NEW_HEALTH_CHECK_PREFIX}${step.want.key}` : step.id]));
  const decided = decide(input, observed, idsByKey);
  const applied = decided.plan.zones.flatMap((z) => z.groups.map((group) => ({ zoneId: z.zoneId, group })));
  const unused = unusedHealthChecks(input.fleet, observed, new Set(idsByKey.values()), () => healthCheckIdsAfter(observed.actual, applied));
  return planReport(input.fleet, observed, steps, decided, unused);
}

/**
 * Owned checks that no desired key maps to and no record carries; none unless policy `sync`.
 * `inUse` scans every record read, so it runs only when some owned check is not kept.
 */
function unusedHealthChecks(fleet: FleetConfig, observed: Observed, keep: ReadonlySet<string>, inUse: () => ReadonlySet<string>): OwnedHealthCheck[] {
  if (fleet.policy !== 'sync') return [];
  const notKept = observed.owned.filter((check) => !keep.has(check.id));
  if (notKept.length === 0) return [];
  const used = inUse();
  return notKept.filter((check) => !used.has(check.id));
}

function planReport(fleet: FleetConfig, observed: Observed, steps: readonly HealthCheckStep[], decided: ReturnType<typeof decide>, unused: OwnedHealthCheck[]): DnsPlanReport {
  return {
    ownerId: fleet.ownerId,
    policy: fleet.policy,
    zones: observed.zones,
    endpointCount: observed.endpointCount,
    recordsRead: observed.actual.reduce((n, z) => n + z.records.length, 0),
    desired: decided.desired,
    plan: decided.plan,
    requests: decided.requests,
    healthCheckSteps: steps.filter((step) => step.kind !== 'keep'),
    unusedHealthChecks: unused,
    problems: decided.problems,
    unreachable: observed.unreachable,
  };
}

/**
 * Makes Route 53 match the desired state: health checks first (records refer to them),
 * then the change requests in order, then waits for INSYNC, then deletes owned health
 * checks that no record uses any more (policy `sync` only).
 */
export async function syncDns(input: DnsInput, ports: DnsPorts, options: SyncOptions = {}): Promise<DnsSyncReport> {
  const say = ports.onProgress ?? (() => {});
  const { fleet } = input;
  const observed = await observe(input, ports);
  const steps = planHealthChecks(observed.desired.healthChecks, observed.owned);
  const ensured = await ensureHealthChecks(ports.route53, fleet.ownerId, steps, {
    onAction: (a) => say(`health check ${a.kind}d: ${a.id} (${a.cluster} ${a.spec?.protocol} ${a.spec?.fqdn}:${a.spec?.port}${a.spec?.path ?? ''})`),
  });
  for (const failure of ensured.failures) say(`health check failed: ${failure.message}`);

  const decided = decide(input, observed, ensured.idsByKey);
  const total = decided.requests.reduce((n, r) => n + r.groups.reduce((m, g) => m + g.changes.length, 0), 0);
  say(`plan: ${total} change(s) in ${decided.requests.length} request(s)`);
  const sent = await sendChangeRequests(ports.route53, decided.requests, {
    comment: options.comment ?? `switchyard sync (${fleet.ownerId})`,
    onRequest: (p) => say(`request ${p.request}/${p.of} ${p.zoneId}: ${p.groups} name(s) ${p.outcome}`),
    onGroup: (g) => {
      if (g.status === 'failed') say(`failed ${g.group.name} in ${g.zoneId}: ${(g.messages ?? []).join('; ')}`);
    },
  });

  const insync = await waitForInsync(ports.route53, sent.pendingChangeIds, {
    clock: ports.clock,
    timeoutMs: options.insyncTimeoutMs,
    pollIntervalMs: options.insyncPollMs,
    onPoll: ({ pending, elapsedMs }) => say(`waiting for INSYNC: ${pending} change(s) pending after ${Math.round(elapsedMs / 1000)} s`),
  });

  // Every step is read back: what the sent changes intended must be what Route 53 holds.
  const landed = sent.groups.filter((g) => g.status === 'applied');
  let diverged: string[] = [];
  if (landed.length > 0 && insync.pending.length === 0) {
    const check = await readBack(ports.route53, groupExpectations(intendedBySent(landed)));
    diverged = check.differences;
    for (const d of diverged) say(`Route53Diverged: ${d}`);
  }

  const applied = sent.groups.filter((g) => g.status === 'applied' || g.status === 'dry-run');
  let inUse: ReadonlySet<string> | undefined;
  const inUseAfterApplied = () => (inUse ??= healthCheckIdsAfter(observed.actual, applied));
  const keep = new Set(ensured.idsByKey.values());
  let deleted: HealthCheckAction[] = [];
  let deleteFailures: HealthCheckFailure[] = [];
  const unused = unusedHealthChecks(fleet, observed, keep, inUseAfterApplied);
  if (unused.length > 0) {
    const result = await deleteUnusedHealthChecks(ports.route53, unused, keep, inUseAfterApplied(), {
      onAction: (a) => say(`health check deleted: ${a.id} (${a.cluster ?? 'unknown cluster'})`),
    });
    deleted = result.deleted;
    deleteFailures = result.failures;
  }

  const failures = [...ensured.failures, ...deleteFailures];
  return {
    ...planReport(fleet, observed, steps, decided, unused),
    dryRun: ports.route53.dryRun ?? false,
    healthCheckActions: [...ensured.actions, ...deleted],
    healthCheckFailures: failures,
    groups: sent.groups,
    requestsSent: sent.requestsSent,
    insync,
    diverged,
    failed: failures.length > 0 || diverged.length > 0 || observed.unreachable.length > 0 || sent.groups.some((g) => g.status === 'failed' || g.status === 'not-sent'),
  };
}
