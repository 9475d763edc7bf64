// Alarm-driven failover, decided purely: which cluster (or app on it) an alarm is
// about, and which apps may be taken out. An app is taken out of a cluster only when
// another healthy, active cluster keeps serving it; otherwise it stays in ("fail
// open": Route 53's own health checks still steer around a dead entry point, and a
// record set with every member out would be worse than one that is degraded).
import { clusterOfAlarm, type AlarmScope } from './alarm-names.ts';
import { appsOfCluster } from './catalogue.ts';
import { effectiveWeightPercent, intentOf, liveLocks, withFailover, withoutFailover, type FailoverMark, type FleetState } from './fleet-document.ts';
import { isHealthy, type CatalogueApp, type HealthView } from './safety.ts';

/** Per-app alarms: `switchyard-<stage>-<ownerId>-<cluster>--<hostname>`. */
export const APP_ALARM_SEPARATOR = '--';

export interface AlarmTarget {
  cluster: string;
  hostname?: string;
}

/**
 * The cluster (and app) an alarm is about, or undefined when it is not one of the
 * stage's and fleet's alarms (another stage's alarm is not). A per-app suffix naming an app the cluster does not serve makes the
 * alarm about the cluster.
 */
export function alarmTarget(scope: AlarmScope, alarmName: string, clusters: readonly string[], catalogue: readonly CatalogueApp[]): AlarmTarget | undefined {
  const subject = clusterOfAlarm(scope, alarmName, clusters);
  if (!subject) return undefined;
  if (subject.rest.startsWith(APP_ALARM_SEPARATOR)) {
    const hostname = subject.rest.slice(APP_ALARM_SEPARATOR.length).toLowerCase();
    const served = catalogue.some((app) => app.hostname === hostname && app.members.some((m) => m.cluster === subject.cluster));
    if (served) return { cluster: subject.cluster, hostname };
  }
  return { cluster: subject.cluster };
}

export interface TakeOutDecision {
  /** Apps leaving the cluster. */
  takeOut: string[];
  /** Apps that stay because no other healthy active cluster serves them. */
  failOpen: string[];
  /** Apps already out of the cluster (drained or taken out before). */
  alreadyOut: string[];
}

/** Which of the cluster's apps (or the one app) leave it. */
export function decideTakeOut(state: FleetState, catalogue: readonly CatalogueApp[], health: HealthView, target: AlarmTarget): TakeOutDecision {
  const decision: TakeOutDecision = { takeOut: [], failOpen: [], alreadyOut: [] };
  for (const app of catalogue) {
    if (target.hostname !== undefined && app.hostname !== target.hostname) continue;
    const member = app.members.find((m) => m.cluster === target.cluster);
    if (!member) continue;
    if (effectiveWeightPercent(state, target.cluster, app.hostname) === 0) {
      decision.alreadyOut.push(app.hostname);
      continue;
    }
    const others = app.members.filter(
      (m) =>
        m.cluster !== target.cluster &&
        m.baseWeight > 0 &&
        effectiveWeightPercent(state, m.cluster, app.hostname) > 0 &&
        isHealthy(health, m.cluster, app.hostname),
    );
    (others.length > 0 ? decision.takeOut : decision.failOpen).push(app.hostname);
  }
  for (const list of [decision.takeOut, decision.failOpen, decision.alreadyOut]) list.sort();
  return decision;
}

/** An alarm and the cluster (or app) it is about. */
export interface AlarmSubject extends AlarmTarget {
  alarmName: string;
}

/**
 * The fleet document after a take-out: one mark for the whole cluster when a cluster
 * alarm took every app out and none failed open (new apps then start out too), else one
 * mark per app taken out. `clusterApps`: every app the cluster serves.
 */
export function withTakeOut(state: FleetState, alarm: AlarmSubject, decision: TakeOutDecision, clusterApps: readonly string[], at: string): FleetState {
  const mark = (hostname?: string): FailoverMark => ({ cluster: alarm.cluster, ...(hostname ? { hostname } : {}), alarmName: alarm.alarmName, at });
  const wholeCluster =
    alarm.hostname === undefined &&
    decision.failOpen.length === 0 &&
    decision.takeOut.length > 0 &&
    decision.takeOut.length + decision.alreadyOut.length === clusterApps.length;
  if (wholeCluster) return withFailover(state, mark());
  let next = state;
  for (const hostname of decision.takeOut) next = withFailover(next, mark(hostname));
  return next;
}

/** A recorded alarm state (the state table's ALARMS items). */
export interface RecordedAlarm extends AlarmSubject {
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  timestamp: string;
}

export interface Reexamination {
  state: FleetState;
  /** Apps that failed open earlier and leave their cluster now. */
  takenOut: Array<AlarmSubject & { apps: string[] }>;
  /** Alarms not looked at: an operation holds their cluster's lock (it decides itself). */
  skipped: Array<AlarmSubject & { reason: string }>;
}

/**
 * Failover is decided when an alarm changes state; an app that failed open then (no other
 * healthy, active cluster) would stay in until the alarm changed again. This looks again,
 * with today's health and intents, at every alarm still in ALARM and takes out what may
 * leave now, by the same rules (decideTakeOut), one alarm after the other (oldest first)
 * so two alarms never both count on the other's cluster. Clusters whose lock is held are
 * left to the operation holding it.
 */
export function reexamineAlarms(
  state: FleetState,
  catalogue: readonly CatalogueApp[],
  health: HealthView,
  alarms: readonly RecordedAlarm[],
  clusters: readonly string[],
  now: Date,
): Reexamination {
  const result: Reexamination = { state, takenOut: [], skipped: [] };
  const locked = new Map(liveLocks(state, now).map((lock) => [lock.cluster, lock]));
  const inForce = alarms
    .filter((a) => a.state === 'ALARM' && clusters.includes(a.cluster))
    .sort((a, b) => (a.timestamp === b.timestamp ? (a.alarmName < b.alarmName ? -1 : 1) : a.timestamp < b.timestamp ? -1 : 1));
  for (const alarm of inForce) {
    const subject: AlarmSubject = { cluster: alarm.cluster, ...(alarm.hostname ? { hostname: alarm.hostname } : {}), alarmName: alarm.alarmName };
    const lock = locked.get(alarm.cluster);
    if (lock) {
      result.skipped.push({ ...subject, reason: `${alarm.cluster} is locked by ${lock.operation} ${lock.holder}` });
      continue;
    }
    const decision = decideTakeOut(result.state, catalogue, health, subject);
    if (decision.takeOut.length === 0) continue;
    result.state = withTakeOut(result.state, subject, decision, appsOfCluster(catalogue, alarm.cluster), now.toISOString());
    result.takenOut.push({ ...subject, apps: decision.takeOut });
  }
  return result;
}

/** An alarm's state as CloudWatch reports it now (DescribeAlarms). */
export interface ObservedAlarm {
  alarmName: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  /** When the alarm entered this state, as CloudWatch's events write it (2019-10-02T17:04:40.985+0000). */
  timestamp: string;
  reason?: string;
}

/**
 * The alarm states to record because the state table has not seen them: an event that
 * never reached Failover (dropped before the router, or the router failed). Only the
 * stage's and fleet's alarms; a state already recorded at the same or a later instant is
 * left alone (so a running Failover, which compares the recorded timestamp with its own,
 * is never disturbed by a re-read of the state it acts on).
 */
export function unrecordedAlarmStates(
  scope: AlarmScope,
  observed: readonly ObservedAlarm[],
  recorded: readonly RecordedAlarm[],
  clusters: readonly string[],
  catalogue: readonly CatalogueApp[],
): RecordedAlarm[] {
  const byName = new Map(recorded.map((r) => [r.alarmName, r]));
  const out: RecordedAlarm[] = [];
  for (const alarm of observed) {
    const target = alarmTarget(scope, alarm.alarmName, clusters, catalogue);
    if (!target) continue;
    const known = byName.get(alarm.alarmName);
    if (known && Date.parse(known.timestamp) >= Date.parse(alarm.timestamp)) continue;
    out.push({ ...target, alarmName: alarm.alarmName, state: alarm.state, timestamp: alarm.timestamp, ...(alarm.reason ? { reason: alarm.reason } : {}) });
  }
  return out.sort((a, b) => (a.alarmName < b.alarmName ? -1 : 1));
}

export interface FailbackConvergence {
  state: FleetState;
  /** Marks removed: their alarm has been OK for at least the hold-down and their cluster is not UNHEALTHY. */
  failedBack: Array<AlarmSubject & { apps: string[]; okSince: string }>;
  /** Marks kept, and why (hold-down not over, cluster unhealthy or locked). */
  kept: Array<AlarmSubject & { reason: string }>;
}

/**
 * Failover marks whose alarm is OK again, decided as Failover's fail-back decides after its
 * hold-down: the alarm's latest state is OK, has been for `holdDownSeconds`, and the cluster
 * is not UNHEALTHY. Reconcile uses this so an OK whose event was lost still brings the
 * cluster (or app) back. Marks of a cluster an operation has locked are left to it.
 */
export function convergeFailbacks(
  state: FleetState,
  alarms: readonly RecordedAlarm[],
  health: HealthView,
  now: Date,
  holdDownSeconds: number,
): FailbackConvergence {
  const result: FailbackConvergence = { state, failedBack: [], kept: [] };
  const locked = new Map(liveLocks(state, now).map((lock) => [lock.cluster, lock]));
  const byName = new Map(alarms.map((a) => [a.alarmName, a]));
  const groups = new Map<string, FailoverMark[]>();
  for (const mark of Object.values(state.failovers)) {
    const key = `${mark.alarmName}\u0000${mark.cluster}`;
    groups.set(key, [...(groups.get(key) ?? []), mark]);
  }
  for (const marks of [...groups.values()].sort((a, b) => (a[0]!.alarmName < b[0]!.alarmName ? -1 : 1))) {
    const { alarmName, cluster } = marks[0]!;
    const alarm = byName.get(alarmName);
    const subject: AlarmSubject = { cluster, ...(alarm?.hostname ? { hostname: alarm.hostname } : {}), alarmName };
    if (alarm === undefined || alarm.state !== 'OK') continue;
    const okFor = (now.getTime() - Date.parse(alarm.timestamp)) / 1000;
    const lock = locked.get(cluster);
    if (lock) {
      result.kept.push({ ...subject, reason: `${cluster} is locked by ${lock.operation} ${lock.holder}` });
    } else if (okFor < holdDownSeconds) {
      result.kept.push({ ...subject, reason: `${alarmName} has been OK for ${Math.max(0, Math.floor(okFor))} s of the ${holdDownSeconds} s hold-down` });
    } else if (health.clusters[cluster] === 'UNHEALTHY') {
      result.kept.push({ ...subject, reason: `${alarmName} is OK but ${cluster} is UNHEALTHY` });
    } else {
      let next = result.state;
      for (const mark of marks) next = withoutFailover(next, mark.cluster, mark.hostname);
      result.state = next;
      result.failedBack.push({ ...subject, apps: marks.map((m) => m.hostname ?? m.cluster).sort(), okSince: alarm.timestamp });
    }
  }
  return result;
}

/** An app that no healthy, active cluster serves, and the drained clusters that could. */
export interface UnservedApp {
  hostname: string;
  /** Clusters of the app that an operator drained (intent DRAINED): they stay drained. */
  drained: string[];
  /** The app's other clusters that are unhealthy (or of unknown health). */
  unhealthy: string[];
}

/**
 * The apps (of `hostnames`, or all) left with no healthy, active cluster: what an
 * operator must hear about when a failure hits an app whose other cluster is DRAINED.
 * Switchyard never restores a drained cluster by itself (someone may be upgrading it);
 * it says which apps are now unserved and which drained clusters could serve them.
 * A cluster that is only being drained (DRAINING) is not listed: its operation yields
 * and rolls back by itself.
 */
export function unservedApps(state: FleetState, catalogue: readonly CatalogueApp[], health: HealthView, hostnames?: readonly string[]): UnservedApp[] {
  const out: UnservedApp[] = [];
  for (const app of catalogue) {
    if (hostnames && !hostnames.includes(app.hostname)) continue;
    const active = app.members.filter((m) => m.baseWeight > 0 && effectiveWeightPercent(state, m.cluster, app.hostname) > 0);
    if (active.some((m) => isHealthy(health, m.cluster, app.hostname))) continue;
    const drained = app.members.filter((m) => intentOf(state, m.cluster).state === 'DRAINED').map((m) => m.cluster);
    const unhealthy = app.members.filter((m) => !drained.includes(m.cluster) && !isHealthy(health, m.cluster, app.hostname)).map((m) => m.cluster);
    out.push({ hostname: app.hostname, drained: drained.sort(), unhealthy: unhealthy.sort() });
  }
  return out.sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
}
