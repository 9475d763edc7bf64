// The workflows' DNS port over Route 53: desired state for some apps (from the
// catalogue, effective intents and per-app failover), health checks made to exist,
// then the plan — restricted with `held` so an operation changes only what it owns —
// sent without waiting: the workflow polls INSYNC itself (a Wait loop), so no Lambda
// sits idle. The same pipeline (pipeline.ts) as sync.ts, which does it for a whole fleet
// in one call.
import type { FleetConfig } from '../../core/config.ts';
import { attachHealthCheckIds, ELB_ALIAS_TTL_SECONDS } from '../../core/desired.ts';
import {
  clusterRecordOf,
  clusterSetsAfter,
  desiredWithOverrides,
  healthChecksInUse,
  indexClusterSets,
  intendedSets,
  restrictionHolds,
  type ClusterSetsIndex,
} from '../../core/dns-scope.ts';
import { hostnameOf as hostnameOfName, nameOfMarker, normalizeName } from '../../core/dns-names.ts';
import { InvalidInput, Route53Rejected, TransientAwsError } from '../../core/errors.ts';
import type { RecordChangeSummary } from '../../core/events.ts';
import { planHealthChecks, plannedAlone, plannedHealthCheckIds, type OwnedHealthCheck } from '../../core/health-check-plan.ts';
import type { HeldRecords } from '../../core/desired.ts';
import type { Change, ChangeGroup, RecordSet } from '../../core/model.ts';
import type { ActualZone } from '../../core/plan.ts';
import type { DnsApplyRequest, DnsApplyResult, DnsPort, DnsVerification, RecordWeight, Route53Port } from '../../core/ports.ts';
import { groupExpectations, type ExpectedGroup } from '../../core/verify.ts';
import { selectZones } from '../../core/zone-state.ts';
import { deleteUnusedHealthChecks, ensureHealthChecks, listOwnedHealthChecks } from './health-checks.ts';
import { planBatches, readZones, readZonesAt, type ObservedZones } from './pipeline.ts';
import { readBack } from './read-back.ts';
import { sendChangeRequests } from './send-changes.ts';
import { tierOfApp, withTierNames } from '../../core/upstream.ts';

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

/**
 * What the requests of one `dryRuns` batch share, planned against one reading: it depends
 * on the reading and on a request's scope (its names, its cluster), never on the weights,
 * so Prepare's steps compute it once. A dry run is never read back: no `expected`.
 */
interface DryRunBatch {
  beforeIndex: ClusterSetsIndex;
  /** restrictionHolds by scope (scopeKey). */
  holds: Map<string, HeldRecords[]>;
}

/** A request's scope as restrictionHolds sees it: its names (tier names included) and its cluster. */
function scopeKey(hostnames: readonly string[] | undefined, onlyCluster: string | undefined): string {
  return JSON.stringify([hostnames ?? null, onlyCluster ?? null]);
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
  /** DnsPort.insyncPollMs (default: none, so 1 s); the local runtime's, scaled with its waits. */
  insyncPollMs?: number;
}

export function route53Dns(options: Route53DnsOptions): DnsPort {
  const { fleet, route53, insyncPollMs } = options;
  if (insyncPollMs !== undefined && !(insyncPollMs >= 0 && Number.isFinite(insyncPollMs)))
    throw new InvalidInput(`insyncPollMs ${insyncPollMs}: must be a number of milliseconds ≥ 0`);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  /**
   * What the requests plan against: when each names its apps, only the sets at their
   * names (readZonesAt); a whole-fleet request (Reconcile) reads every zone.
   */
  const observe = (requests: readonly Pick<DnsApplyRequest, 'hostnames'>[]): Promise<ObservedZones> => {
    if (requests.some((r) => r.hostnames === undefined)) return readZones(fleet, route53);
    return readZonesAt(fleet, route53, requests.length === 1 ? requests[0]!.hostnames! : [...new Set(requests.flatMap((r) => r.hostnames!))]);
  };

  async function anyHealthCheckGone(ids: ReadonlySet<string>): Promise<boolean> {
    if (ids.size === 0) return false;
    const existing = new Set((await route53.listHealthChecks()).map((check) => check.id));
    return [...ids].some((id) => !existing.has(id));
  }

  function scopeHolds(
    actual: readonly ActualZone[],
    hostnames: readonly string[] | undefined,
    onlyCluster: string | undefined,
    batch?: DryRunBatch,
  ): HeldRecords[] {
    if (batch === undefined) return restrictionHolds(fleet, actual, hostnames, onlyCluster);
    const key = scopeKey(hostnames, onlyCluster);
    let holds = batch.holds.get(key);
    if (holds === undefined) batch.holds.set(key, (holds = restrictionHolds(fleet, actual, hostnames, onlyCluster)));
    return holds;
  }

  /** One observe → desired → plan → send, against `observed` (and `ownedChecks` when the caller read them). */
  async function applyOnce(
    request: DnsApplyRequest,
    observed: ObservedZones,
    ownedChecks?: readonly OwnedHealthCheck[],
    batch?: DryRunBatch,
  ): Promise<Attempt> {
    const { zones, actual } = observed;
    // An app served through the edges has two names (tiers.ts): an apply of either covers both.
    const hostnames = request.hostnames === undefined ? undefined : withTierNames(fleet, request.hostnames);
    const wanted = hostnames === undefined ? undefined : new Set(hostnames);
    const endpoints = wanted ? request.endpoints.filter((e) => wanted.has(e.hostname)) : request.endpoints;
    const desired0 = desiredWithOverrides(fleet, zones, endpoints, request.intents, request.appsOut);
    const owned = ownedChecks ?? (await listOwnedHealthChecks(route53, fleet.ownerId));
    // Plan checks against every app's wants, not only these apps': a check another app
    // uses must never look unused (planHealthChecks re-purposes unused checks in place).
    // Unless each of these apps' checks exists already: then no other app's want matters.
    const everyCheck =
      wanted === undefined || plannedAlone(desired0.healthChecks, owned)
        ? desired0.healthChecks
        : healthChecksInUse(
            fleet,
            zones,
            request.catalogue === undefined ? request.endpoints : await request.catalogue(),
            request.intents,
            request.appsOut,
            wanted,
            desired0,
          );
    const needed = new Set(desired0.healthChecks.map((h) => h.key));
    const steps = planHealthChecks(everyCheck, owned).filter((step) => needed.has(step.want.key));
    let idsByKey: Map<string, string>;
    const problems = [...desired0.problems];
    if (request.dryRun) {
      idsByKey = plannedHealthCheckIds(steps);
    } else {
      const ensured = await ensureHealthChecks(route53, fleet.ownerId, steps);
      idsByKey = ensured.idsByKey;
      for (const f of ensured.failures) problems.push({ subject: f.cluster ?? 'health check', cluster: f.cluster, reason: f.message });
    }
    const desired = attachHealthCheckIds(desired0, idsByKey);
    const held = [...desired.held, ...scopeHolds(actual, hostnames, request.onlyCluster, batch)];
    const { plan: p, requests, oversized } = planBatches(fleet, observed, desired, held);
    for (const c of [...p.conflicts, ...p.problems]) problems.push(c);
    for (const s of p.skipped)
      problems.push({ subject: s.name, reason: `${s.change.action} ${s.change.recordSet.type} ${s.change.recordSet.setIdentifier ?? ''}: ${s.reason}` });
    problems.push(...oversized);
    // What the policy or someone else's records keep out of Route 53 (an operation refuses to start on these).
    const withheld = [
      ...p.conflicts.map((c) => ({ subject: c.subject, reason: c.reason })),
      ...p.skipped.map((s) => ({
        subject: hostnameOfName(s.name),
        reason: `${s.change.action} ${s.change.recordSet.type}${s.change.recordSet.setIdentifier === undefined ? '' : ` ${s.change.recordSet.setIdentifier}`}: ${s.reason}`,
      })),
    ];
    // A whole-fleet apply (Reconcile) is not read back: only requests naming their apps get an intention.
    const expected =
      hostnames === undefined || batch !== undefined ? [] : groupExpectations(intendedSets(desired.records, actual, held, fleet.ownerId, hostnames));

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
    // The changes that landed (a dry run: all it would send); the weights after are read from them.
    let applied: Array<{ zoneId: string; group: ChangeGroup }> = [];
    let rejection: Rejection | undefined;
    if (!request.dryRun && requests.length > 0) {
      const sent = await sendChangeRequests(route53, requests, { comment: request.reason.slice(0, 256) });
      const landed = sent.groups.filter((g) => g.status === 'applied');
      const failed = sent.groups.filter((g) => g.status === 'failed' || g.status === 'not-sent');
      if (failed.length > 0) {
        const messages = failed.flatMap((g) => (g.messages ?? []).map((m) => `${g.group.name}: ${m}`));
        const transient = failed.some(
          (g) => g.status === 'not-sent' || (g.messages ?? []).some((m) => /^(TransientAwsError|Throttling|PriorRequestNotComplete)/.test(m)),
        );
        const healthCheckIds = new Set(failed.flatMap((g) => g.group.changes.flatMap((c) => (c.recordSet.healthCheckId ? [c.recordSet.healthCheckId] : []))));
        rejection = { names: new Set(failed.map((g) => subjectOf(g.group.name))), messages, transient, healthCheckIds };
        changes = summarise(landed.map((g) => g.group));
      }
      changeIds = [...new Set(landed.map((g) => g.changeId).filter((id): id is string => id !== undefined && sent.pendingChangeIds.includes(id)))];
      applied = landed.map((g) => ({ zoneId: g.zoneId, group: g.group }));
    } else if (request.dryRun) {
      applied = requests.flatMap((r) => r.groups.map((group) => ({ zoneId: r.zoneId, group })));
    }

    const weights: RecordWeight[] = [];
    const beforeIndex = batch?.beforeIndex ?? indexClusterSets(actual);
    const afterIndex = clusterSetsAfter(actual, applied, beforeIndex);
    for (const app of desired.apps) {
      if (wanted && !wanted.has(app.hostname)) continue;
      const name = normalizeName(app.hostname);
      const before = beforeIndex.sets.get(name);
      const afterSets = afterIndex.get(name);
      for (const c of app.clusters) {
        if (request.onlyCluster !== undefined && c.cluster !== request.onlyCluster) continue;
        const setBefore = before?.get(c.cluster);
        const setAfter = afterSets?.get(c.cluster);
        weights.push({
          hostname: app.hostname,
          cluster: c.cluster,
          routing: app.policy,
          ...tierOfApp(app),
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
    ...(insyncPollMs === undefined ? {} : { insyncPollMs }),
    /**
     * Converges the request's names. Writers of one name do not coordinate (concurrent
     * OnboardApp runs of one hostname, a Reconcile, a failover): when Route 53 refuses a
     * change because the name changed since it was read (a CREATE of a set another writer
     * just created, a DELETE of one it just changed), the apply reads the zone again,
     * re-plans and sends what is still missing, a few times. A refusal of a name nobody
     * changed meanwhile is the plan's own fault: Route53Rejected at once.
     */
    async apply(request: DnsApplyRequest): Promise<DnsApplyResult> {
      let observed = await observe([request]);
      const landed: DnsApplyResult[] = [];
      for (let attempt = 1; ; attempt++) {
        // The caller's reading of the owned checks serves the first attempt only: after a collision everything is read again.
        const { result, rejection } = await applyOnce(request, observed, attempt === 1 ? request.ownedHealthChecks : undefined);
        landed.push(result);
        if (rejection === undefined) return combine(landed);
        if (rejection.transient)
          throw new TransientAwsError(`Route 53 changes not applied: ${rejection.messages.join('; ')}`, { messages: rejection.messages });
        const again = await observe([request]);
        // Another writer may have changed the names, or deleted a health check the changes
        // referred to (an OffboardApp's cleanup running between our create and our write).
        const collided =
          recordsAt(observed.actual, rejection.names) !== recordsAt(again.actual, rejection.names) || (await anyHealthCheckGone(rejection.healthCheckIds));
        if (!collided || attempt >= MAX_APPLY_ATTEMPTS) {
          const why = collided ? ` (the names kept changing under ${attempt} attempts)` : '';
          throw new Route53Rejected(`Route 53 rejected changes${why}: ${rejection.messages.join('; ')}`, { messages: rejection.messages, attempts: attempt });
        }
        // Another writer changed these names between our read and our write: re-plan from what is there now.
        await sleep(Math.floor(random() * 50 * attempt));
        observed = await observe([request]);
      }
    },

    async dryRuns(requests) {
      if (requests.some((r) => !r.dryRun)) throw new InvalidInput('dryRuns: every request must be a dry run (dryRun: true)');
      if (requests.length === 0) return [];
      const [observed, owned] = await Promise.all([observe(requests), listOwnedHealthChecks(route53, fleet.ownerId)]);
      const results: DnsApplyResult[] = [];
      const batch: DryRunBatch = { beforeIndex: indexClusterSets(observed.actual), holds: new Map() };
      for (const request of requests) results.push((await applyOnce(request, observed, owned, batch)).result);
      return results;
    },

    /**
     * Reads the expected sets back (at most one ListResourceRecordSets page per 300 sets
     * at the names read: pages start at the names, adjacent names share a page) and lists
     * each set that differs from what was intended.
     */
    verify: (expected: readonly ExpectedGroup[]): Promise<DnsVerification> => readBack(route53, expected),

    ownedHealthChecks: () => listOwnedHealthChecks(route53, fleet.ownerId),

    async changeStatus(changeIds) {
      for (const id of changeIds) {
        if ((await route53.getChangeStatus(id)) !== 'INSYNC') return 'PENDING';
      }
      return 'INSYNC';
    },

    async cleanup(request) {
      if (fleet.policy !== 'sync') return { deleted: [], failures: [] };
      const zones = selectZones(fleet, await route53.listHostedZones());
      const desired = desiredWithOverrides(fleet, zones, request.endpoints, request.intents, request.appsOut);
      const owned = await listOwnedHealthChecks(route53, fleet.ownerId);
      const steps = planHealthChecks(desired.healthChecks, owned);
      const keep = new Set(steps.flatMap((s) => (s.kind === 'create' ? [] : [s.id])));
      // Only an owned check no app wants may go (never the deploy's): with none, no record needs reading.
      if (!owned.some((check) => !keep.has(check.id) && check.deployManaged !== true)) return { deleted: [], failures: [] };
      // Read after the checks were listed, so a record written meanwhile with a new check is seen.
      // Every record's health check must be seen, whatever app it belongs to: every zone whole.
      const { actual } = await readZones(fleet, route53);
      const inUse = new Set(actual.flatMap((z) => z.records.flatMap((r) => (r.healthCheckId ? [r.healthCheckId] : []))));
      const result = await deleteUnusedHealthChecks(route53, owned, keep, inUse);
      return { deleted: result.deleted.map((d) => d.id), failures: result.failures.map((f) => f.message) };
    },
  };
}
