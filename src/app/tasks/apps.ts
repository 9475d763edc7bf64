// OnboardApp, OffboardApp and Reconcile: the app catalogue in the state table, then the
// apps' records and health checks in Route 53 (every cluster's sets of those apps, at
// the weights the intents and failover marks give). The INSYNC wait and the health-check
// cleanup are workflow states of their own.
import * as z from 'zod';
import { executionSchema, parseInput, type ExecutionInfo } from '../../core/operation-spec.ts';
import { InvalidInput, TransientAwsError, UnknownCluster } from '../../core/errors.ts';
import { outEvent, type EventToPut, type RecordChangeSummary } from '../../core/events.ts';
import { cutLists, firstOf, MAX_LINES_IN_MESSAGE, someOf } from '../../core/bounded.ts';
import { GATEWAY_KINDS, routingAnnotationsSchema } from '../../core/gateway-events.ts';
import { reexamineAlarms, type Reexamination } from '../../core/failover.ts';
import { acquireFleetLock, appsTakenOut, effectiveIntents, releaseFleetLock } from '../../core/fleet-document.ts';
import { holdSilentClusters } from '../../core/held.ts';
import { withTierNames } from '../../core/upstream.ts';
import type { Problem, PublishedEndpoint } from '../../core/model.ts';
import type { AppEntry, JournalEntry } from '../../core/ports.ts';
import { restoreExpiredDrains, settleStaleLocks, type ExpiredDrain, type SettledLock } from './recover.ts';
import type { Deps, DnsApplyResult } from '../../core/ports.ts';
import { appsDnsRequest, clusterNames, readView } from './view.ts';
import { failBackRecovered, refreshAlarmStates } from './alarm-states.ts';

/** Events carry at most this many record changes (Step Functions payloads are limited to 256 KB). */
export const MAX_CHANGES_IN_EVENT = 100;
/** Applies re-run while the fleet document or the apps' catalogue entries changed under them. */
const MAX_STABLE_APPLIES = 5;

const hostnameSchema = z
  .string()
  .transform((s) => s.trim().toLowerCase().replace(/\.$/, ''))
  .pipe(z.string().regex(/^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'not a DNS name'));

export const endpointSchema = z.object({
  hostname: hostnameSchema,
  cluster: z.string().min(1),
  kind: z.enum(GATEWAY_KINDS).default('Gateway'),
  gateway: z.string().min(1),
  entryPoint: hostnameSchema.optional(),
  annotations: routingAnnotationsSchema.default({}),
  canary: z.boolean().optional(),
});

export const onboardInputSchema = z.strictObject({
  hostname: hostnameSchema,
  endpoints: z.array(endpointSchema).min(1),
  by: z.string().min(1).default('switchyard'),
});

export const offboardInputSchema = z.strictObject({
  hostname: hostnameSchema,
  cluster: z.string().min(1),
  by: z.string().min(1).default('switchyard'),
});

export const reconcileInputSchema = z.strictObject({
  clusters: z.array(z.string().min(1)).optional(),
});

const taskInputSchema = z.object({ input: z.unknown(), execution: executionSchema });

function summaries(result: DnsApplyResult): RecordChangeSummary[] {
  return result.changes.slice(0, MAX_CHANGES_IN_EVENT);
}

function known(deps: Deps, cluster: string): void {
  const names = clusterNames(deps);
  if (!names.includes(cluster)) throw new UnknownCluster(cluster, names);
}

/** The catalogue's endpoints of some apps (every app: undefined), in a comparable form. */
function catalogueKey(entries: readonly AppEntry[], hostnames: readonly string[] | undefined): string {
  const wanted = hostnames === undefined ? undefined : new Set(hostnames);
  const endpoints = entries.filter((e) => wanted === undefined || wanted.has(e.hostname)).flatMap((e) => e.endpoints);
  return JSON.stringify(endpoints.map((e) => JSON.stringify(e)).sort());
}

/**
 * Applies the apps' desired state, and again while what it was computed from changed
 * under it: the fleet document (an intent a drain wrote meanwhile must win) or the
 * catalogue entries of these apps (another OnboardApp/OffboardApp of the same hostname
 * wrote after this one read: its apply may have landed before this stale one). So the
 * last apply of every writer is computed from what the table holds at its end.
 * A scoped apply (onboard, offboard) whose apps kept changing fails with
 * TransientAwsError (the workflow retries the task); Reconcile, which scans everything,
 * returns after the last attempt (the next Reconcile converges the rest).
 */
async function applyStable(deps: Deps, hostnames: string[] | undefined, reason: string): Promise<DnsApplyResult> {
  let merged: DnsApplyResult | undefined;
  for (let attempt = 1; ; attempt++) {
    // A scoped apply reads its apps' entries (and those of their other tier's names); every
    // entry only if planning their health checks needs every check in use (docs/dns.md).
    const [state, entries] = await Promise.all([
      deps.table.readFleet(),
      hostnames === undefined ? deps.table.listApps() : scopedEntries(deps, withTierNames(deps.fleet, hostnames)),
    ]);
    const request = appsDnsRequest(
      deps,
      state,
      entries.flatMap((e) => e.endpoints),
      hostnames,
      reason,
    );
    const result = await deps.dns.apply(hostnames === undefined ? request : { ...request, catalogue: () => catalogueEndpoints(deps) });
    merged = merged
      ? {
          ...result,
          changes: [...merged.changes, ...result.changes],
          changeIds: [...new Set([...merged.changeIds, ...result.changeIds])],
          problems: result.problems,
        }
      : result;
    const [after, entriesAfter] = await Promise.all([deps.table.readFleet(), hostnames === undefined ? deps.table.listApps() : scopedEntries(deps, hostnames)]);
    const catalogueStable = catalogueKey(entries, hostnames) === catalogueKey(entriesAfter, hostnames);
    if (after.version === state.version && catalogueStable) return merged;
    if (attempt >= MAX_STABLE_APPLIES) {
      if (catalogueStable || hostnames === undefined) return merged;
      throw new TransientAwsError(`the catalogue entries of ${hostnames.join(', ')} kept changing during ${attempt} applies; try again`, {
        hostnames,
        attempts: attempt,
      });
    }
  }
}

async function scopedEntries(deps: Deps, hostnames: readonly string[]): Promise<AppEntry[]> {
  const entries = await Promise.all(hostnames.map((h) => deps.table.getApp(h)));
  return entries.filter((e): e is AppEntry => e !== undefined);
}

function sameEndpoints(a: readonly PublishedEndpoint[], b: readonly PublishedEndpoint[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function clustersOf(entry: AppEntry | undefined): string[] {
  return [...new Set((entry?.endpoints ?? []).map((e) => e.cluster))].sort();
}

async function catalogueEndpoints(deps: Deps): Promise<PublishedEndpoint[]> {
  return (await deps.table.listApps()).flatMap((e) => e.endpoints);
}

export interface AppResult {
  hostname?: string;
  changeIds: string[];
  attempt: number;
  changeCount: number;
  problems: Problem[];
  event: EventToPut | null;
}

/** Journals an app's catalogue and record change once (the id is per execution and step) and returns the task's result. */
async function journalAppChange(
  deps: Deps,
  execution: ExecutionInfo,
  result: DnsApplyResult,
  event: EventToPut,
  { step, ...entry }: Omit<JournalEntry, 'id' | 'at' | 'executionArn'> & { step: string; hostname: string },
): Promise<AppResult> {
  await deps.table.appendJournal({
    id: `${execution.startTime}#${execution.name}#${step}`,
    at: deps.clock.now().toISOString(),
    executionArn: execution.id,
    ...entry,
  });
  return {
    hostname: entry.hostname,
    changeIds: result.changeIds,
    attempt: 0,
    changeCount: result.changes.length,
    problems: result.problems.slice(0, 50),
    event,
  };
}

export const onboardApp =
  (deps: Deps) =>
  async (raw: unknown): Promise<AppResult> => {
    const { input, execution } = parseInput(taskInputSchema, raw, 'onboardApp input');
    const request = parseInput(onboardInputSchema, input, 'OnboardApp input');
    for (const endpoint of request.endpoints) {
      known(deps, endpoint.cluster);
      if (endpoint.hostname !== request.hostname) {
        throw new InvalidInput(`OnboardApp input: endpoint of cluster ${endpoint.cluster} is for ${endpoint.hostname}, not ${request.hostname}`);
      }
    }
    const incoming = request.endpoints as PublishedEndpoint[];
    const clusters = [...new Set(incoming.map((e) => e.cluster))];
    // The publishing clusters' entries are replaced; other clusters' entries stay, also those
    // a concurrent OnboardApp of the same hostname wrote (a conflicting write re-runs this).
    const { existing, entry } = await deps.table.updateApp(request.hostname, (current) => {
      const kept = (current?.endpoints ?? []).filter((e) => !clusters.includes(e.cluster));
      const endpoints = [...kept, ...incoming];
      if (current && sameEndpoints(current.endpoints, endpoints)) return { result: { existing: current, entry: current } };
      const next: AppEntry = { hostname: request.hostname, endpoints, updatedAt: deps.clock.now().toISOString(), updatedBy: execution.id };
      return { next, result: { existing: current, entry: next } };
    });
    const result = await applyStable(deps, [request.hostname], `switchyard onboard ${request.hostname}`);
    const all = clustersOf(entry);
    const event = outEvent('App Onboarded', { hostname: request.hostname, clusters: all, changes: result.changes, executionArn: execution.id });
    return journalAppChange(deps, execution, result, event, {
      step: '10-onboard',
      by: request.by,
      what: `app onboarded: ${request.hostname} from ${clusters.join(', ')} (${result.changes.length} record change(s))`,
      why: 'Gateway published',
      hostname: request.hostname,
      operation: 'onboard',
      before: { clusters: clustersOf(existing) },
      after: { clusters: all, changes: summaries(result) },
    });
  };

export const offboardApp =
  (deps: Deps) =>
  async (raw: unknown): Promise<AppResult> => {
    const { input, execution } = parseInput(taskInputSchema, raw, 'offboardApp input');
    const request = parseInput(offboardInputSchema, input, 'OffboardApp input');
    known(deps, request.cluster);
    const { existing, remaining } = await deps.table.updateApp(request.hostname, (current) => {
      const left = (current?.endpoints ?? []).filter((e) => e.cluster !== request.cluster);
      if (current === undefined || sameEndpoints(current.endpoints, left)) return { result: { existing: current, remaining: left } };
      const next =
        left.length === 0 ? null : { hostname: request.hostname, endpoints: left, updatedAt: deps.clock.now().toISOString(), updatedBy: execution.id };
      return { next, result: { existing: current, remaining: left } };
    });
    const result = await applyStable(deps, [request.hostname], `switchyard offboard ${request.hostname} from ${request.cluster}`);
    const remainingClusters = [...new Set(remaining.map((e) => e.cluster))].sort();
    const event = outEvent('App Offboarded', {
      hostname: request.hostname,
      cluster: request.cluster,
      remainingClusters,
      changes: result.changes,
      executionArn: execution.id,
    });
    return journalAppChange(deps, execution, result, event, {
      step: '10-offboard',
      by: request.by,
      what: `app offboarded: ${request.hostname} from ${request.cluster} (${result.changes.length} record change(s))`,
      why: 'Gateway withdrawn',
      cluster: request.cluster,
      hostname: request.hostname,
      operation: 'offboard',
      before: { clusters: clustersOf(existing) },
      after: { clusters: remainingClusters, changes: summaries(result) },
    });
  };

/** The catalogue after discovery: reachable clusters' endpoints replaced, unreachable ones kept. */
export function mergeCatalogue(
  entries: readonly AppEntry[],
  discovered: readonly PublishedEndpoint[],
  scope: readonly string[],
  unreachable: readonly string[],
): Map<string, PublishedEndpoint[]> {
  const replaced = new Set(scope.filter((c) => !unreachable.includes(c)));
  const next = new Map<string, PublishedEndpoint[]>();
  for (const entry of entries) {
    const kept = entry.endpoints.filter((e) => !replaced.has(e.cluster));
    if (kept.length > 0) next.set(entry.hostname, kept);
  }
  for (const endpoint of discovered) {
    if (!replaced.has(endpoint.cluster)) continue;
    next.set(endpoint.hostname, [...(next.get(endpoint.hostname) ?? []), endpoint]);
  }
  return next;
}

/**
 * Apps that failed open under an alarm still in ALARM, taken out now if another healthy,
 * active cluster serves them (the same rules as Failover; marks first, DNS after, by the
 * apply that follows). Without an alarm in ALARM nothing is read.
 */
async function reexamineFailOpen(deps: Deps): Promise<Pick<Reexamination, 'takenOut' | 'skipped'>> {
  const alarms = await deps.table.listAlarms();
  if (!alarms.some((a) => a.state === 'ALARM')) return { takenOut: [], skipped: [] };
  const clusters = clusterNames(deps);
  const [view, health] = await Promise.all([readView(deps), deps.health.snapshot(clusters)]);
  const now = deps.clock.now();
  return deps.table.updateFleet((state) => {
    const { state: next, takenOut, skipped } = reexamineAlarms(state, view.catalogue, health, alarms, clusters, now);
    return takenOut.length > 0 ? { next, result: { takenOut, skipped } } : { result: { takenOut, skipped } };
  });
}

type ReconcileResult = AppResult & {
  added: string[];
  removed: string[];
  unreachable: string[];
  failedOver: Array<Reexamination['takenOut'][number] & { appsNotListed?: number }>;
  failedBack: Array<{ cluster: string; alarmName: string; apps: string[]; appsNotListed?: number }>;
  alarmsRecorded: string[];
  /** How many entries each list left out (present only when it did). */
  addedNotListed?: number;
  removedNotListed?: number;
  failedOverNotListed?: number;
  failedBackNotListed?: number;
  alarmsRecordedNotListed?: number;
  staleLocks: SettledLock[];
  expiredDrains: ExpiredDrain[];
};

/**
 * Reconcile holds the fleet lock (one conditional write; the same lock `switchyard sync`
 * takes) while it converges, so two whole-fleet convergences never interleave their
 * writes; a Reconcile that finds it held fails LockHeld, which its workflow retries.
 */
export const reconcile =
  (deps: Deps) =>
  async (raw: unknown): Promise<ReconcileResult> => {
    const { execution } = parseInput(taskInputSchema, raw, 'reconcile input');
    const now = deps.clock.now();
    const lock = await deps.table.updateFleet((state) => {
      const taken = acquireFleetLock(state, { holder: execution.name, operation: 'reconcile', now, ttlSeconds: deps.fleet.safety.lockTtlSeconds });
      return { next: taken.state, result: taken.lock };
    });
    try {
      return await reconcileUnderLock(deps)(raw);
    } finally {
      await deps.table.updateFleet((state) => {
        const released = releaseFleetLock(state, lock.token);
        return released.released ? { next: released.state, result: null } : { result: null };
      });
    }
  };

const reconcileUnderLock =
  (deps: Deps) =>
  async (raw: unknown): Promise<ReconcileResult> => {
    const { input, execution } = parseInput(taskInputSchema, raw, 'reconcile input');
    const request = parseInput(reconcileInputSchema, input ?? {}, 'Reconcile input');
    for (const cluster of request.clusters ?? []) known(deps, cluster);
    const scope = request.clusters ?? clusterNames(deps);
    const entries = await deps.table.listApps();
    const problems: Problem[] = [];
    let added: string[] = [];
    let removed: string[] = [];
    let unreachable: string[] = [];
    if (deps.discovery) {
      // A cluster that now publishes nothing where the catalogue holds its endpoints is held, not withdrawn.
      const listedBy = new Map<string, number>();
      for (const entry of entries) for (const e of entry.endpoints) listedBy.set(e.cluster, (listedBy.get(e.cluster) ?? 0) + 1);
      const found = holdSilentClusters(
        await deps.discovery.list(request.clusters),
        scope,
        new Map([...listedBy].map(([c, n]) => [c, `the catalogue holds ${n} endpoint(s) of it`])),
      );
      problems.push(...found.problems);
      unreachable = found.unreachable;
      const next = mergeCatalogue(entries, found.endpoints, scope, found.unreachable);
      const now = deps.clock.now().toISOString();
      const listed = new Map(entries.map((e) => [e.hostname, e]));
      const changed = [...new Set([...next.keys(), ...listed.keys()])].filter((h) => !sameEndpoints(listed.get(h)?.endpoints ?? [], next.get(h) ?? []));
      // Grouped once: filtering the whole discovery for each changed app is quadratic in the apps.
      const discoveredBy = new Map<string, PublishedEndpoint[]>();
      for (const e of found.endpoints) discoveredBy.set(e.hostname, [...(discoveredBy.get(e.hostname) ?? []), e]);
      for (const hostname of changed) {
        // Re-merged from the entry as it is now: an OnboardApp may have written it since the listing.
        const discovered = discoveredBy.get(hostname) ?? [];
        const outcome = await deps.table.updateApp(hostname, (current) => {
          const endpoints = mergeCatalogue(current ? [current] : [], discovered, scope, found.unreachable).get(hostname) ?? [];
          if (endpoints.length === 0) return current ? { next: null, result: 'removed' as const } : { result: 'unchanged' as const };
          if (current && sameEndpoints(current.endpoints, endpoints)) return { result: 'unchanged' as const };
          return { next: { hostname, endpoints, updatedAt: now, updatedBy: execution.id }, result: current ? ('updated' as const) : ('added' as const) };
        });
        if (outcome === 'added') added.push(hostname);
        if (outcome === 'removed') removed.push(hostname);
      }
      added = added.sort();
      removed = removed.sort();
    }
    // Alarm events are best effort: what CloudWatch says now is recorded first, so a lost
    // ALARM is taken out by the re-examination below and a lost OK fails back here.
    const refreshed = await refreshAlarmStates(deps);
    const failback = await failBackRecovered(deps, execution);
    // Locks of runs that ended without releasing them (stopped, timed out, a lost event): recovered now.
    const staleLocks = await settleStaleLocks(deps, execution.name);
    // Drains past their expiry go back into service (RestoreCluster, safety-checked as any restore).
    const expiredDrains = await restoreExpiredDrains(deps);
    const failOpen = await reexamineFailOpen(deps);
    for (const out of failOpen.takenOut) {
      await deps.table.appendJournal({
        id: `${execution.startTime}#${execution.name}#05-failover-${out.cluster}${out.hostname ? `-${out.hostname}` : ''}`,
        at: deps.clock.now().toISOString(),
        by: out.alarmName,
        what: `failover re-examined: ${someOf(out.apps, MAX_LINES_IN_MESSAGE, ', ')} out of ${out.cluster} (had failed open)`,
        why: `${out.alarmName} is still ALARM and another healthy, active cluster serves ${out.apps.length === 1 ? 'it' : 'them'} now`,
        cluster: out.cluster,
        ...(out.hostname ? { hostname: out.hostname } : {}),
        operation: 'failover',
        executionArn: execution.id,
        after: { out: firstOf(out.apps).listed, outCount: out.apps.length },
      });
    }
    const converged = await applyStable(deps, undefined, 'switchyard reconcile');
    const result = {
      ...converged,
      changes: [...failback.changes, ...converged.changes],
      changeIds: [...new Set([...failback.changeIds, ...converged.changeIds])],
    };
    problems.push(...result.problems);
    const hostnames = [...new Set(result.changes.map((c) => c.name.replace(/^_switchyard\./, '').replace(/\.$/, '')))].sort();
    if (result.changes.length > 0 || added.length > 0 || removed.length > 0) {
      await deps.table.appendJournal({
        id: `${execution.startTime}#${execution.name}#10-reconcile`,
        at: deps.clock.now().toISOString(),
        by: 'reconcile',
        what: `reconcile: ${result.changes.length} record change(s)${added.length ? `, apps added: ${someOf(added, MAX_LINES_IN_MESSAGE, ', ')}` : ''}${removed.length ? `, apps removed: ${someOf(removed, MAX_LINES_IN_MESSAGE, ', ')}` : ''}`,
        why: request.clusters ? `reconcile of ${request.clusters.join(', ')}` : 'scheduled reconcile',
        operation: 'reconcile',
        executionArn: execution.id,
        after: { changes: summaries(result), unreachable },
      });
    }
    // The task's result is the execution's output (Step Functions' 256 KiB): the lists that grow
    // with the apps or their alarms list MAX_LISTED entries and count the rest (`<list>NotListed`).
    return cutLists<ReconcileResult>(
      {
        changeIds: result.changeIds,
        attempt: 0,
        changeCount: result.changes.length,
        problems: problems.slice(0, 50),
        added,
        removed,
        unreachable,
        failedOver: failOpen.takenOut.map((out) => cutLists(out, ['apps'])),
        failedBack: failback.failedBack.map(({ cluster, alarmName, apps }) => cutLists({ cluster, alarmName, apps }, ['apps'])),
        alarmsRecorded: refreshed.map((a) => `${a.alarmName} ${a.state}`),
        staleLocks,
        expiredDrains,
        event:
          result.changes.length > 0
            ? outEvent('Records Changed', {
                trigger: 'reconcile',
                hostnames,
                changes: result.changes,
                changeIds: result.changeIds,
                executionArn: execution.id,
              })
            : null,
      },
      ['added', 'removed', 'failedOver', 'failedBack', 'alarmsRecorded'],
    );
  };

/** After INSYNC: deletes owned health checks nothing uses any more (policy sync). */
export const cleanupHealthChecks =
  (deps: Deps) => async (): Promise<{ deleted: string[]; failures: string[]; deletedNotListed?: number; failuresNotListed?: number }> => {
    const [state, endpoints] = await Promise.all([deps.table.readFleet(), catalogueEndpoints(deps)]);
    const cleaned = await deps.dns.cleanup({ endpoints, intents: effectiveIntents(state, clusterNames(deps)), appsOut: appsTakenOut(state) });
    // One health check per app and cluster: the result (Step Functions' 256 KiB) lists MAX_LISTED of each and counts the rest.
    return cutLists(cleaned, ['deleted', 'failures']);
  };
