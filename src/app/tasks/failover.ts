// The Failover workflow's tasks. ALARM: take the cluster (or the app) out where another
// healthy cluster serves the app, fail open where none does. OK: after the hold-down,
// if the alarm is still OK (no newer state) and the cluster is not unhealthy, bring
// it back. Every alarm state is recorded first (newer wins), which is also what the
// health source reads; each side acts only while its alarm state is the latest.
import { firstOf, MAX_LINES_IN_MESSAGE, someOf } from '../../core/bounded.ts';
import * as z from 'zod';
import { executionSchema, parseInput } from '../../core/operation-spec.ts';
import { alarmStateChangeEventSchema, outEvent, type EventToPut } from '../../core/events.ts';
import { alarmNamePattern, clusterOfAlarm } from '../../core/alarm-names.ts';
import { alarmTarget, APP_ALARM_SEPARATOR, decideTakeOut, unservedApps, withTakeOut } from '../../core/failover.ts';
import { formatZodIssues } from '../../core/config.ts';
import { InvalidInput } from '../../core/errors.ts';
import { acquireLock, assertLockHeld, failoverKey, marksOfAlarm, releaseLock, withoutFailover, type FleetState } from '../../core/fleet-document.ts';
import type { HealthView } from '../../core/safety.ts';
import type { AlarmRecord, Deps, SharedReads } from '../../core/ports.ts';
import { appsServedBy, clusterNames, journal, MAX_JOURNAL_APPS, readCatalogue, type CatalogueView } from './view.ts';
import { settleAndVerify } from './verify.ts';
import { appsTakenOut, effectiveIntents } from '../../core/fleet-document.ts';

/** A failover operation holds the cluster's lock only while it writes. */
const FAILOVER_LEASE_SECONDS = 120;

export const decisionSchema = z.object({
  action: z.enum(['take-out', 'failback']),
  cluster: z.string(),
  hostname: z.string().optional(),
  alarmName: z.string(),
  state: z.enum(['OK', 'ALARM']),
  timestamp: z.string(),
  reason: z.string(),
  holdDownSeconds: z.number().int().min(0),
});
export type FailoverDecision = z.infer<typeof decisionSchema>;

const decideInputSchema = z.object({ event: z.unknown(), execution: executionSchema });

export const failoverDecide =
  (deps: Deps) =>
  async (raw: unknown): Promise<{ ignore: boolean; reason: string; decision: FailoverDecision | null }> => {
    const { event } = parseInput(decideInputSchema, raw, 'failoverDecide input');
    const parsed = alarmStateChangeEventSchema.safeParse(event);
    if (!parsed.success) throw new InvalidInput(`Failover input is not a CloudWatch Alarm State Change event: ${formatZodIssues(parsed.error).join('; ')}`);
    const { alarmName, state } = parsed.data.detail;
    // The catalogue only for a per-app alarm (is its app served on that cluster?); the fleet
    // document only for an OK, after its state is recorded.
    const scope = { stage: deps.stage, ownerId: deps.fleet.ownerId };
    const perApp = clusterOfAlarm(scope, alarmName, clusterNames(deps))?.rest.startsWith(APP_ALARM_SEPARATOR) ?? false;
    const catalogue = perApp ? (await readCatalogue(deps)).catalogue : [];
    const target = alarmTarget(scope, alarmName, clusterNames(deps), catalogue);
    if (!target)
      return {
        ignore: true,
        reason: `alarm ${alarmName} is not one of stage ${deps.stage}'s of fleet ${deps.fleet.ownerId} (${alarmNamePattern(scope)})`,
        decision: null,
      };
    const latest = await deps.table.recordAlarm({
      alarmName,
      cluster: target.cluster,
      ...(target.hostname ? { hostname: target.hostname } : {}),
      state: state.value,
      timestamp: state.timestamp,
      ...(state.reason ? { reason: state.reason } : {}),
    });
    if (!latest) return { ignore: true, reason: `a newer state of ${alarmName} is already recorded`, decision: null };
    if (state.value === 'INSUFFICIENT_DATA') return { ignore: true, reason: `${alarmName} has insufficient data: nothing to decide`, decision: null };
    const what = target.hostname ? `${target.hostname} on ${target.cluster}` : `cluster ${target.cluster}`;
    if (state.value === 'OK') {
      // Read after recording the OK: a take-out that writes its marks after this read sees
      // the OK when it re-checks, and undoes them (failoverApply), so nothing stays out.
      const marks = marksOfAlarm(await deps.table.readFleet(), { ...target, alarmName });
      if (marks.length === 0)
        return { ignore: true, reason: `${alarmName} is OK and nothing of ${what} is out because of it: nothing to fail back`, decision: null };
    }
    return {
      ignore: false,
      reason:
        state.value === 'ALARM'
          ? `${alarmName} is ALARM: take ${what} out`
          : `${alarmName} is OK: bring ${what} back after ${deps.fleet.safety.failbackHoldDownSeconds} s`,
      decision: {
        action: state.value === 'ALARM' ? 'take-out' : 'failback',
        cluster: target.cluster,
        ...(target.hostname ? { hostname: target.hostname } : {}),
        alarmName,
        state: state.value,
        timestamp: state.timestamp,
        reason: state.reason ?? `${alarmName} ${state.value}`,
        holdDownSeconds: deps.fleet.safety.failbackHoldDownSeconds,
      },
    };
  };

/** True while `decision` is the latest state of its alarm among `alarms` (the state table's records). */
function latestIn(alarms: readonly AlarmRecord[], decision: FailoverDecision): boolean {
  const record = alarms.find((a) => a.alarmName === decision.alarmName);
  return record !== undefined && record.state === decision.state && record.timestamp === decision.timestamp;
}

/** True while `decision` is still the latest recorded state of its alarm (read now). */
async function stillLatest(deps: Deps, decision: FailoverDecision): Promise<boolean> {
  return latestIn(await deps.table.listAlarms(), decision);
}

/**
 * The alarm records, and the owned health checks when the DNS port lists them, read once
 * for the task: the health snapshot and the DNS apply use them instead of reading again.
 */
async function sharedReads(deps: Deps, alarms: readonly AlarmRecord[]): Promise<SharedReads> {
  const owned = await deps.dns.ownedHealthChecks?.();
  return owned === undefined ? { alarms } : { alarms, ownedHealthChecks: owned };
}

/**
 * The cluster's short failover lease, taken in the same compare-and-set write as `change`
 * (a decrease writes its marks there: intent first, then DNS). `change` returning
 * undefined takes nothing and writes nothing.
 */
async function lockWith<T>(
  deps: Deps,
  cluster: string,
  holder: string,
  operation: 'failover' | 'failback',
  now: Date,
  change: (locked: FleetState, token: number) => { next?: FleetState; result: T } | undefined,
): Promise<{ token: number; result: T } | undefined> {
  return deps.table.updateFleet((state) => {
    const acquired = acquireLock(state, {
      cluster,
      holder,
      operation,
      now,
      ttlSeconds: FAILOVER_LEASE_SECONDS,
      maxConcurrentDrains: deps.fleet.safety.maxConcurrentDrains,
    });
    const changed = change(acquired.state, acquired.lock.token);
    if (changed === undefined) return { result: undefined };
    return { next: changed.next ?? acquired.state, result: { token: acquired.lock.token, result: changed.result } };
  });
}

/** Releases the lease (if `token` still holds it), with `change` in the same write. */
async function releaseWith(deps: Deps, cluster: string, token: number, change: (state: FleetState) => FleetState = (state) => state): Promise<void> {
  await deps.table.updateFleet((state) => {
    const next = change(state);
    const released = releaseLock(next, cluster, token);
    return released.released || next !== state ? { next: released.state, result: null } : { result: null };
  });
}

function dnsRequest(deps: Deps, state: FleetState, view: CatalogueView, cluster: string, reason: string) {
  return {
    hostnames: appsServedBy(view, cluster),
    endpoints: view.endpoints,
    intents: effectiveIntents(state, clusterNames(deps)),
    appsOut: appsTakenOut(state),
    onlyCluster: cluster,
    reason,
  };
}

/** One side of a journal entry's weights: the first MAX_JOURNAL_APPS apps (DynamoDB's 400 KB item limit), and how many more. */
function listedWeights(
  weights: ReadonlyArray<{ hostname: string; weightBefore?: number; weightAfter?: number }>,
  side: 'weightBefore' | 'weightAfter',
): { weights: Array<{ hostname: string; weight: number | undefined }>; appsNotListed?: number } {
  const { listed, notListed } = firstOf(weights, MAX_JOURNAL_APPS);
  const sides = listed.map((w) => ({ hostname: w.hostname, weight: w[side] }));
  return notListed > 0 ? { weights: sides, appsNotListed: notListed } : { weights: sides };
}

const applyInputSchema = z.object({ decision: decisionSchema, execution: executionSchema });

/** What Failover's TakeOut returns (FailBack: FailbackResult): `event` and `unserved` are put on the bus when not null. */
export interface FailoverResult {
  applied: boolean;
  reason: string;
  event: EventToPut | null;
  /** `Apps Without Healthy Cluster`, when the failure left apps with none (take-out only). */
  unserved: EventToPut | null;
}

/** The health view with the alarmed cluster (or app) as the alarm says: unhealthy. */
function withAlarm(health: HealthView, decision: FailoverDecision): HealthView {
  if (decision.hostname) return { ...health, apps: { ...health.apps, [`${decision.cluster}|${decision.hostname}`]: 'UNHEALTHY' } };
  return { ...health, clusters: { ...health.clusters, [decision.cluster]: 'UNHEALTHY' } };
}

/**
 * `Apps Without Healthy Cluster` for the apps of the alarmed cluster (or the one app) that
 * no healthy, active cluster serves after this failure, or null. A DRAINED cluster of theirs
 * stays drained: the event names it, for an operator to decide.
 */
function unservedEvent(state: FleetState, view: CatalogueView, health: HealthView, decision: FailoverDecision, execution: { id: string }): EventToPut | null {
  const hostnames = decision.hostname ? [decision.hostname] : appsServedBy(view, decision.cluster);
  const apps = unservedApps(state, view.catalogue, withAlarm(health, decision), hostnames);
  if (apps.length === 0) return null;
  return outEvent('Apps Without Healthy Cluster', {
    cluster: decision.cluster,
    ...(decision.hostname ? { hostname: decision.hostname } : {}),
    alarmName: decision.alarmName,
    apps,
    executionArn: execution.id,
  });
}

export const failoverApply =
  (deps: Deps) =>
  async (raw: unknown): Promise<FailoverResult> => {
    const { decision, execution } = parseInput(applyInputSchema, raw, 'failoverApply input');
    const alarms = await deps.table.listAlarms();
    if (!latestIn(alarms, decision))
      return { applied: false, reason: `${decision.alarmName} changed state since; nothing taken out`, event: null, unserved: null };
    const reads = sharedReads(deps, alarms);
    const [view, health, shared] = await Promise.all([readCatalogue(deps), reads.then((r) => deps.health.snapshot(clusterNames(deps), r)), reads]);
    const now = deps.clock.now();
    // The lease and the marks in one write: the decision is made on the fleet document it locks.
    const { token, result: decided } = (await lockWith(deps, decision.cluster, execution.name, 'failover', now, (locked) => {
      const d = decideTakeOut(locked, view.catalogue, health, decision);
      const next = withTakeOut(locked, decision, d, appsServedBy(view, decision.cluster), now.toISOString());
      return d.takeOut.length > 0 ? { next, result: { d, state: next } } : { result: { d, state: locked } };
    }))!; // this change always takes the lease
    let released = false;
    try {
      const { d, state } = decided;
      if (d.takeOut.length > 0 && !(await stillLatest(deps, decision))) {
        // The alarm went OK after the check above: that OK's Failover may have found no
        // marks and ended. Undo ours (those still as written) rather than stay out with
        // nothing to bring the cluster back; the lease goes in the same write.
        await releaseWith(deps, decision.cluster, token, (current) => {
          assertLockHeld(current, decision.cluster, token, now);
          let next = current;
          for (const [key, mark] of marksOfAlarm(current, decision)) {
            if (mark.at === now.toISOString() && key in state.failovers) next = withoutFailover(next, mark.cluster, mark.hostname);
          }
          return next;
        });
        released = true;
        return {
          applied: false,
          reason: `${decision.alarmName} changed state while taking ${decision.hostname ? `${decision.hostname} on ${decision.cluster}` : `cluster ${decision.cluster}`} out; nothing taken out`,
          event: null,
          unserved: null,
        };
      }
      let weights: Array<{ hostname: string; weightBefore?: number; weightAfter?: number; routing?: string }> = [];
      // Also when everything is out already: a retry after the marks were written must still reach DNS.
      if (d.takeOut.length > 0 || d.alreadyOut.length > 0) {
        const result = await deps.dns.apply({
          ...dnsRequest(deps, state, view, decision.cluster, `switchyard failover: ${decision.alarmName} ALARM`),
          ...(shared.ownedHealthChecks === undefined ? {} : { ownedHealthChecks: shared.ownedHealthChecks }),
        });
        await settleAndVerify(deps, result, `failover of ${decision.hostname ? `${decision.hostname} on ` : ''}${decision.cluster}`);
        weights = result.weights.map(({ cluster: _c, ...w }) => w);
      }
      const action = d.takeOut.length > 0 ? 'taken-out' : d.failOpen.length > 0 ? 'fail-open' : 'already-out';
      await journal(
        deps,
        {
          journalPrefix: `${execution.startTime}#${execution.name}`,
          by: decision.alarmName,
          operation: 'failover',
          executionArn: execution.id,
          cluster: decision.cluster,
        },
        '10-failover',
        {
          what: `failover ${action}: ${decision.hostname ?? decision.cluster}${d.takeOut.length ? ` (out: ${someOf(d.takeOut, MAX_LINES_IN_MESSAGE, ', ')})` : ''}${d.failOpen.length ? ` (fail open: ${someOf(d.failOpen, MAX_LINES_IN_MESSAGE, ', ')})` : ''}`,
          why: decision.reason,
          ...(decision.hostname ? { hostname: decision.hostname } : {}),
          before: { ...listedWeights(weights, 'weightBefore') },
          after: { ...listedWeights(weights, 'weightAfter'), failOpen: firstOf(d.failOpen, MAX_JOURNAL_APPS).listed, failOpenCount: d.failOpen.length },
        },
      );
      return {
        applied: d.takeOut.length > 0,
        reason: action,
        event: outEvent('Failover Performed', {
          cluster: decision.cluster,
          ...(decision.hostname ? { hostname: decision.hostname } : {}),
          alarmName: decision.alarmName,
          action,
          reason: decision.reason,
          apps: weights,
          failOpenApps: d.failOpen,
          executionArn: execution.id,
        }),
        unserved: unservedEvent(state, view, health, decision, execution),
      };
    } finally {
      if (!released) await releaseWith(deps, decision.cluster, token);
    }
  };

/** What Failover's FailBack returns: `proceed` is false when the re-check after the hold-down refused (then nothing was written). */
export interface FailbackResult extends FailoverResult {
  proceed: boolean;
}

const notFailedBack = (reason: string): FailbackResult => ({ proceed: false, applied: false, reason, event: null, unserved: null });

export const failbackApply =
  (deps: Deps) =>
  async (raw: unknown): Promise<FailbackResult> => {
    const { decision, execution } = parseInput(applyInputSchema, raw, 'failbackApply input');
    // After the hold-down, on every attempt (a LockHeld retry checks again): the alarm's latest
    // state is still this OK, and the cluster is not UNHEALTHY. The alarm records and the owned
    // health checks are read once, for this re-check and the DNS apply.
    const alarms = await deps.table.listAlarms();
    if (!latestIn(alarms, decision)) return notFailedBack(`${decision.alarmName} changed state during the hold-down; not failing back`);
    const reads = sharedReads(deps, alarms);
    const [view, health, shared] = await Promise.all([readCatalogue(deps), reads.then((r) => deps.health.snapshot([decision.cluster], r)), reads]);
    if (health.clusters[decision.cluster] === 'UNHEALTHY') return notFailedBack(`${decision.cluster} is UNHEALTHY after the hold-down; not failing back`);
    const now = deps.clock.now();
    // The marks are read in the write that takes the lease; with none, nothing is taken or written.
    const locked = await lockWith(deps, decision.cluster, execution.name, 'failback', now, (state) => {
      const marks = marksOfAlarm(state, decision);
      return marks.length === 0 ? undefined : { result: { marks, state } };
    });
    if (locked === undefined)
      return { proceed: true, applied: false, reason: `nothing of ${decision.cluster} is out because of ${decision.alarmName}`, event: null, unserved: null };
    const { token } = locked;
    const { marks, state: current } = locked.result;
    let released = false;
    try {
      let next = current;
      for (const [, mark] of marks) next = withoutFailover(next, mark.cluster, mark.hostname);
      // Back in: DNS first, then the marks go.
      const result = await deps.dns.apply({
        ...dnsRequest(deps, next, view, decision.cluster, `switchyard failback: ${decision.alarmName} OK`),
        ...(shared.ownedHealthChecks === undefined ? {} : { ownedHealthChecks: shared.ownedHealthChecks }),
      });
      // Read back before the marks go: a failback Route 53 did not take leaves them (the next Reconcile or OK retries).
      await settleAndVerify(deps, result, `failback of ${decision.hostname ? `${decision.hostname} on ` : ''}${decision.cluster}`);
      // The marks go and the lease is released in one write.
      await releaseWith(deps, decision.cluster, token, (state) => {
        assertLockHeld(state, decision.cluster, token, now);
        let s = state;
        for (const [key] of marks) {
          const mark = state.failovers[key];
          if (mark && failoverKey(mark.cluster, mark.hostname) === key) s = withoutFailover(s, mark.cluster, mark.hostname);
        }
        return s;
      });
      released = true;
      const weights = result.weights.map(({ cluster: _c, ...w }) => w);
      await journal(
        deps,
        {
          journalPrefix: `${execution.startTime}#${execution.name}`,
          by: decision.alarmName,
          operation: 'failback',
          executionArn: execution.id,
          cluster: decision.cluster,
        },
        '20-failback',
        {
          what: `failback: ${someOf(
            marks.map(([, m]) => m.hostname ?? m.cluster),
            MAX_LINES_IN_MESSAGE,
            ', ',
          )} back on ${decision.cluster}`,
          why: `${decision.alarmName} OK for ${decision.holdDownSeconds} s`,
          ...(decision.hostname ? { hostname: decision.hostname } : {}),
          before: { ...listedWeights(weights, 'weightBefore') },
          after: { ...listedWeights(weights, 'weightAfter') },
        },
      );
      return {
        proceed: true,
        applied: true,
        reason: 'failed back',
        event: outEvent('Failback Performed', {
          cluster: decision.cluster,
          ...(decision.hostname ? { hostname: decision.hostname } : {}),
          alarmName: decision.alarmName,
          holdDownSeconds: decision.holdDownSeconds,
          apps: weights,
          executionArn: execution.id,
        }),
        unserved: null,
      };
    } finally {
      if (!released) await releaseWith(deps, decision.cluster, token);
    }
  };
