// The workflows' DNS port over Route 53: desired state for some apps (from the
// catalogue, effective intents and per-app failover), health checks made to exist,
// then the plan — restricted with `held` so an operation changes only what it owns —
// sent without waiting: the workflow polls INSYNC itself (a Wait loop), so no Lambda
// sits idle. Built from the DNS core and the Route 53 adapter's pieces, like
// src/aws/dns-sync.ts, which does the same for a whole fleet in one call.
import { batchPlan } from '../../core/batch.ts';
import type { FleetConfig } from '../../core/config.ts';
import { attachHealthCheckIds, computeDesiredState, ELB_ALIAS_TTL_SECONDS, type DesiredState, type HeldRecords } from '../../core/desired.ts';
import { hostnameOf as hostnameOfName, nameOfMarker, normalizeName } from '../../core/dns-names.ts';
import { Route53Rejected, TransientAwsError } from '../../core/errors.ts';
import type { ClusterRecord, RecordChangeSummary } from '../../core/events.ts';
import type { Change, ClusterIntent, HostedZone, PublishedEndpoint, RecordSet } from '../../core/model.ts';
import { plan as planChanges, type ActualZone } from '../../core/plan.ts';
import { classifyZone } from '../../core/ownership.ts';
import { groupExpectations, type ExpectedGroup, type IntendedSet } from '../../core/verify.ts';
import { readBack } from '../../aws/read-back.ts';
import { NEW_HEALTH_CHECK_PREFIX, recordsAfter, selectZones } from '../../aws/dns-sync.ts';
import { deleteUnusedHealthChecks, ensureHealthChecks, listOwnedHealthChecks, planHealthChecks } from '../../aws/health-checks.ts';
import type { Route53Port } from '../../aws/route53.ts';
import { sendChangeRequests } from '../../aws/send-changes.ts';
import type { AppOut, DnsApplyRequest, DnsApplyResult, DnsPort, DnsVerification, RecordWeight } from '../../core/ports.ts';

/** IAM actions the DNS port uses (the FUNCTIONS registry lists them per function). */
export const DNS_ACTIONS = {
  read: ['route53:ListHostedZones', 'route53:ListResourceRecordSets', 'route53:ListHealthChecks', 'route53:ListTagsForResources'],
  write: ['route53:ChangeResourceRecordSets', 'route53:CreateHealthCheck', 'route53:UpdateHealthCheck', 'route53:ChangeTagsForResource'],
  poll: ['route53:GetChange'],
  cleanup: ['route53:DeleteHealthCheck'],
} as const;

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

/** Holds that keep a restricted apply to its apps (and, for an operation, its cluster's sets). */
export function restrictionHolds(fleet: FleetConfig, actual: readonly ActualZone[], hostnames: readonly string[] | undefined, onlyCluster: string | undefined): HeldRecords[] {
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
        if (cluster.name !== onlyCluster) holds.push({ name: normalizeName(hostname), setIdentifier: cluster.name, reason: `operation on ${onlyCluster} only` });
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
function setsByNameAndCluster(zones: readonly ActualZone[]): Map<string, Map<string, RecordSet>> {
  const index = new Map<string, Map<string, RecordSet>>();
  for (const zone of zones) {
    for (const r of zone.records) {
      if (r.setIdentifier === undefined || r.type.toUpperCase() !== 'A') continue;
      const name = normalizeName(r.name);
      let byCluster = index.get(name);
      if (byCluster === undefined) index.set(name, (byCluster = new Map()));
      if (!byCluster.has(r.setIdentifier)) byCluster.set(r.setIdentifier, r);
    }
  }
  return index;
}

/** A cluster's A set as the journal and events show it (absent when there is none). */
function clusterRecordOf(set: RecordSet | undefined): ClusterRecord {
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
  const heldNames = new Set<string>();
  const heldSets = new Set<string>();
  for (const h of held) {
    if (h.setIdentifier === undefined) heldNames.add(normalizeName(h.name));
    else heldSets.add(`${normalizeName(h.name)}|${h.setIdentifier}`);
  }
  const isHeld = (r: RecordSet) => heldNames.has(normalizeName(r.name)) || (r.setIdentifier !== undefined && heldSets.has(`${normalizeName(r.name)}|${r.setIdentifier}`));
  const inScope = hostnames === undefined ? undefined : new Set(hostnames.map(normalizeName));
  const sets: IntendedSet[] = [];
  const wanted = new Set<string>();
  for (const { zoneId, recordSet } of desired) {
    if (isHeld(recordSet)) continue;
    if (inScope && !inScope.has(normalizeName(recordSet.name))) continue;
    const name = normalizeName(recordSet.name);
    wanted.add(`${zoneId} ${name}|${recordSet.type.toUpperCase()}|${recordSet.setIdentifier ?? ''}`);
    sets.push({ zoneId, name, type: recordSet.type, ...(recordSet.setIdentifier === undefined ? {} : { setIdentifier: recordSet.setIdentifier }), want: { ...recordSet, name } });
  }
  for (const zone of actual) {
    for (const [name, ownership] of classifyZone(zone.records, ownerId)) {
      if (inScope && !inScope.has(name)) continue;
      for (const r of ownership.owned) {
        if (isHeld(r) || wanted.has(`${zone.zoneId} ${name}|${r.type.toUpperCase()}|${r.setIdentifier ?? ''}`)) continue;
        sets.push({ zoneId: zone.zoneId, name, type: r.type, ...(r.setIdentifier === undefined ? {} : { setIdentifier: r.setIdentifier }), want: null });
      }
    }
  }
  return sets;
}

/** One result from the attempts of an apply: every change that landed, weights from the first read to the last write. */
function combine(results: readonly DnsApplyResult[]): DnsApplyResult {
  const last = results[results.length - 1]!;
  if (results.length === 1) return last;
  const first = results[0]!;
  const weights = last.weights.map((w) => {
    const before = first.weights.find((f) => f.hostname === w.hostname && f.cluster === w.cluster);
    const { weightBefore: _b, before: _r, ...rest } = w;
    return {
      ...rest,
      ...(before?.weightBefore === undefined ? {} : { weightBefore: before.weightBefore }),
      ...(before?.before === undefined ? {} : { before: before.before }),
    };
  });
  return {
    changes: results.flatMap((r) => r.changes),
    changeIds: [...new Set(results.flatMap((r) => r.changeIds))],
    weights,
    ttlSeconds: last.ttlSeconds,
    problems: last.problems,
    withheld: last.withheld,
    expected: last.expected,
  };
}

/** Attempts of one apply when its changes collide with another writer's (re-observed and re-planned each time). */
export const MAX_APPLY_ATTEMPTS = 5;

/** The app name a record belongs to (its marker's name belongs to the app). */
function subjectOf(name: string): string {
  const n = normalizeName(name);
  return nameOfMarker(n) ?? n;
}

/** Canonical text of the record sets at some names (their markers included), to see whether they changed. */
function recordsAt(actual: readonly ActualZone[], names: ReadonlySet<string>): string {
  return actual
    .flatMap((zone) => zone.records.filter((r) => names.has(subjectOf(r.name))).map((r) => `${zone.zoneId} ${JSON.stringify(r)}`))
    .sort()
    .join('\n');
}

/** The groups Route 53 refused (as InvalidChangeBatch), and whether any failure was transient. */
interface Rejection {
  names: Set<string>;
  messages: string[];
  transient: boolean;
  /** Health checks the refused changes referred to (one may have been deleted meanwhile). */
  healthCheckIds: Set<string>;
}

interface Attempt {
  result: DnsApplyResult;
  /** Set when a change group failed: the changes that did land are in `result`. */
  rejection?: Rejection;
}

export interface Route53DnsOptions {
  fleet: FleetConfig;
  route53: Route53Port;
  /** Pause before re-planning after a collision (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export function route53Dns(options: Route53DnsOptions): DnsPort {
  const { fleet, route53 } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  async function observe(): Promise<{ zones: HostedZone[]; actual: ActualZone[] }> {
    const zones = selectZones(fleet, await route53.listHostedZones());
    const actual: ActualZone[] = [];
    for (const zone of zones) actual.push({ zoneId: zone.id, records: await route53.listRecordSets(zone.id) });
    return { zones, actual };
  }

  async function anyHealthCheckGone(ids: ReadonlySet<string>): Promise<boolean> {
    if (ids.size === 0) return false;
    const existing = new Set((await route53.listHealthChecks()).map((check) => check.id));
    return [...ids].some((id) => !existing.has(id));
  }

  /** One observe → desired → plan → send, against `observed`. */
  async function applyOnce(request: DnsApplyRequest, observed: { zones: HostedZone[]; actual: ActualZone[] }): Promise<Attempt> {
    const { zones, actual } = observed;
    const wanted = request.hostnames === undefined ? undefined : new Set(request.hostnames);
    const endpoints = wanted ? request.endpoints.filter((e) => wanted.has(e.hostname)) : request.endpoints;
    const desired0 = desiredWithOverrides(fleet, zones, endpoints, request.intents, request.appsOut);
    const owned = await listOwnedHealthChecks(route53, fleet.ownerId);
    // Plan checks against every app's wants, not only these apps': a check another app
    // uses must never look unused (planHealthChecks re-purposes unused checks in place).
    const everyCheck = wanted ? desiredWithOverrides(fleet, zones, request.endpoints, request.intents, request.appsOut).healthChecks : desired0.healthChecks;
    const needed = new Set(desired0.healthChecks.map((h) => h.key));
    const steps = planHealthChecks(everyCheck, owned).filter((step) => needed.has(step.want.key));
    let idsByKey: Map<string, string>;
    const problems = [...desired0.problems];
    if (request.dryRun) {
      idsByKey = new Map(steps.map((s) => [s.want.key, s.kind === 'create' ? `${NEW_HEALTH_CHECK_PREFIX}${s.want.key}` : s.id]));
    } else {
      const ensured = await ensureHealthChecks(route53, fleet.ownerId, steps);
      idsByKey = ensured.idsByKey;
      for (const f of ensured.failures) problems.push({ subject: f.cluster ?? 'health check', cluster: f.cluster, reason: f.message });
    }
    const desired = attachHealthCheckIds(desired0, idsByKey);
    const held = [...desired.held, ...restrictionHolds(fleet, actual, request.hostnames, request.onlyCluster)];
    const p = planChanges({ desired: desired.records, actual, policy: fleet.policy, ownerId: fleet.ownerId, zones, held, markerTtl: fleet.ttl });
    for (const c of [...p.conflicts, ...p.problems]) problems.push(c);
    for (const s of p.skipped) problems.push({ subject: s.name, reason: `${s.change.action} ${s.change.recordSet.type} ${s.change.recordSet.setIdentifier ?? ''}: ${s.reason}` });
    const { requests, oversized } = batchPlan(p);
    problems.push(...oversized);
    // What the policy or someone else's records keep out of Route 53 (an operation refuses to start on these).
    const withheld = [
      ...p.conflicts.map((c) => ({ subject: c.subject, reason: c.reason })),
      ...p.skipped.map((s) => ({ subject: hostnameOfName(s.name), reason: `${s.change.action} ${s.change.recordSet.type}${s.change.recordSet.setIdentifier === undefined ? '' : ` ${s.change.recordSet.setIdentifier}`}: ${s.reason}` })),
    ];
    // A whole-fleet apply (Reconcile) is not read back: only requests naming their apps get an intention.
    const expected = request.hostnames === undefined ? [] : groupExpectations(intendedSets(desired.records, actual, held, fleet.ownerId, request.hostnames));

    const summarise = (groups: ReadonlyArray<{ changes: readonly Change[] }>): RecordChangeSummary[] =>
      groups.flatMap((g) =>
        g.changes.map((c) => ({
          action: c.action,
          name: normalizeName(c.recordSet.name),
          type: c.recordSet.type,
          ...(c.recordSet.setIdentifier === undefined ? {} : { setIdentifier: c.recordSet.setIdentifier }),
          ...(c.recordSet.weight === undefined ? {} : { weight: c.recordSet.weight }),
        })),
      );

    let changes = summarise(requests.flatMap((r) => r.groups));
    let changeIds: string[] = [];
    let after = actual;
    let rejection: Rejection | undefined;
    if (!request.dryRun && requests.length > 0) {
      const sent = await sendChangeRequests(route53, requests, { comment: request.reason.slice(0, 256) });
      const landed = sent.groups.filter((g) => g.status === 'applied');
      const failed = sent.groups.filter((g) => g.status === 'failed' || g.status === 'not-sent');
      if (failed.length > 0) {
        const messages = failed.flatMap((g) => (g.messages ?? []).map((m) => `${g.group.name}: ${m}`));
        const transient = failed.some((g) => g.status === 'not-sent' || (g.messages ?? []).some((m) => /^(TransientAwsError|Throttling|PriorRequestNotComplete)/.test(m)));
        const healthCheckIds = new Set(failed.flatMap((g) => g.group.changes.flatMap((c) => (c.recordSet.healthCheckId ? [c.recordSet.healthCheckId] : []))));
        rejection = { names: new Set(failed.map((g) => subjectOf(g.group.name))), messages, transient, healthCheckIds };
        changes = summarise(landed.map((g) => g.group));
      }
      changeIds = [...new Set(landed.map((g) => g.changeId).filter((id): id is string => id !== undefined && sent.pendingChangeIds.includes(id)))];
      after = [...recordsAfter(actual, landed.map((g) => ({ zoneId: g.zoneId, group: g.group })))].map(([zoneId, records]) => ({ zoneId, records }));
    } else if (request.dryRun) {
      after = [...recordsAfter(actual, requests.flatMap((r) => r.groups.map((group) => ({ zoneId: r.zoneId, group }))))].map(([zoneId, records]) => ({ zoneId, records }));
    }

    const weights: RecordWeight[] = [];
    const beforeIndex = setsByNameAndCluster(actual);
    const afterIndex = setsByNameAndCluster(after);
    for (const app of desired.apps) {
      if (wanted && !wanted.has(app.hostname)) continue;
      const name = normalizeName(app.hostname);
      const before = beforeIndex.get(name);
      const afterSets = afterIndex.get(name);
      for (const c of app.clusters) {
        if (request.onlyCluster !== undefined && c.cluster !== request.onlyCluster) continue;
        const setBefore = before?.get(c.cluster);
        const setAfter = afterSets?.get(c.cluster);
        weights.push({
          hostname: app.hostname,
          cluster: c.cluster,
          routing: app.policy,
          ...(setBefore?.weight === undefined ? {} : { weightBefore: setBefore.weight }),
          ...(setAfter?.weight === undefined ? {} : { weightAfter: setAfter.weight }),
          before: clusterRecordOf(setBefore),
          after: clusterRecordOf(setAfter),
        });
      }
    }
    return { result: { changes, changeIds, weights, ttlSeconds: ELB_ALIAS_TTL_SECONDS, problems, withheld, expected }, ...(rejection ? { rejection } : {}) };
  }

  return {
    /**
     * Converges the request's names. Writers of one name do not coordinate (concurrent
     * OnboardApp runs of one hostname, a Reconcile, a failover): when Route 53 refuses a
     * change because the name changed since it was read (a CREATE of a set another writer
     * just created, a DELETE of one it just changed), the apply reads the zone again,
     * re-plans and sends what is still missing, a few times. A refusal of a name nobody
     * changed meanwhile is the plan's own fault: Route53Rejected at once.
     */
    async apply(request: DnsApplyRequest): Promise<DnsApplyResult> {
      let observed = await observe();
      const landed: DnsApplyResult[] = [];
      for (let attempt = 1; ; attempt++) {
        const { result, rejection } = await applyOnce(request, observed);
        landed.push(result);
        if (rejection === undefined) return combine(landed);
        if (rejection.transient) throw new TransientAwsError(`Route 53 changes not applied: ${rejection.messages.join('; ')}`, { messages: rejection.messages });
        const again = await observe();
        // Another writer may have changed the names, or deleted a health check the changes
        // referred to (an OffboardApp's cleanup running between our create and our write).
        const collided = recordsAt(observed.actual, rejection.names) !== recordsAt(again.actual, rejection.names) || (await anyHealthCheckGone(rejection.healthCheckIds));
        if (!collided || attempt >= MAX_APPLY_ATTEMPTS) {
          const why = collided ? ` (the names kept changing under ${attempt} attempts)` : '';
          throw new Route53Rejected(`Route 53 rejected changes${why}: ${rejection.messages.join('; ')}`, { messages: rejection.messages, attempts: attempt });
        }
        // Another writer changed these names between our read and our write: re-plan from what is there now.
        await sleep(Math.floor(random() * 50 * attempt));
        observed = await observe();
      }
    },

    /**
     * Reads the expected sets back (at most one ListResourceRecordSets page per 300 sets
     * at the names read: pages start at the names, adjacent names share a page) and lists
     * each set that differs from what was intended.
     */
    verify: (expected: readonly ExpectedGroup[]): Promise<DnsVerification> => readBack(route53, expected),

    async changeStatus(changeIds) {
      for (const id of changeIds) {
        if ((await route53.getChangeStatus(id)) !== 'INSYNC') return 'PENDING';
      }
      return 'INSYNC';
    },

    async cleanup(request) {
      if (fleet.policy !== 'sync') return { deleted: [], failures: [] };
      const { zones, actual } = await observe();
      const desired = desiredWithOverrides(fleet, zones, request.endpoints, request.intents, request.appsOut);
      const owned = await listOwnedHealthChecks(route53, fleet.ownerId);
      const steps = planHealthChecks(desired.healthChecks, owned);
      const keep = new Set(steps.flatMap((s) => (s.kind === 'create' ? [] : [s.id])));
      const inUse = new Set(actual.flatMap((z) => z.records.flatMap((r) => (r.healthCheckId ? [r.healthCheckId] : []))));
      const result = await deleteUnusedHealthChecks(route53, owned, keep, inUse);
      return { deleted: result.deleted.map((d) => d.id), failures: result.failures.map((f) => f.message) };
    },
  };
}
