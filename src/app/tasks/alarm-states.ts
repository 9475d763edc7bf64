// Reconcile's part of failover: alarm state-change events are delivered best effort (and
// the router may fail on one), so Reconcile re-reads the fleet's alarm states from
// CloudWatch, records what the table has not seen, and converges the failover marks: an
// ALARM that never reached Failover is taken out by the re-examination that follows
// (reexamineAlarms), an OK that never reached it fails back here once its hold-down is over.
import { alarmPrefix } from '../../core/alarm-names.ts';
import { convergeFailbacks, unrecordedAlarmStates, type FailbackConvergence, type RecordedAlarm } from '../../core/failover.ts';
import { failoverKey, withoutFailover } from '../../core/fleet-document.ts';
import type { RecordChangeSummary } from '../../core/events.ts';
import type { Deps } from '../../core/ports.ts';
import { appsDnsRequest, appsServedBy, clusterNames, readView } from './view.ts';

interface Execution {
  id: string;
  name: string;
  startTime: string;
}

/** Records the alarm states CloudWatch holds and the table does not (newer wins); returns them. Without the port, nothing. */
export async function refreshAlarmStates(deps: Deps): Promise<RecordedAlarm[]> {
  if (!deps.alarms) return [];
  const scope = { stage: deps.stage, ownerId: deps.fleet.ownerId };
  const [observed, recorded, view] = await Promise.all([deps.alarms.list(alarmPrefix(scope)), deps.table.listAlarms(), readView(deps)]);
  const missing = unrecordedAlarmStates(scope, observed, recorded, clusterNames(deps), view.catalogue);
  const written: RecordedAlarm[] = [];
  for (const alarm of missing) {
    if (await deps.table.recordAlarm(alarm)) written.push(alarm);
  }
  return written;
}

/**
 * Brings back what is out because of an alarm that has been OK for the hold-down (and whose
 * cluster is not UNHEALTHY), as Failover's fail-back would have: per alarm, DNS first (the
 * cluster's own sets of its apps), then its marks leave the table (only those still as
 * decided), then the journal. Clusters under an operation's lock are left to it.
 */
export async function failBackRecovered(
  deps: Deps,
  execution: Execution,
): Promise<{ failedBack: FailbackConvergence['failedBack']; changes: RecordChangeSummary[]; changeIds: string[] }> {
  const view = await readView(deps);
  if (Object.keys(view.state.failovers).length === 0) return { failedBack: [], changes: [], changeIds: [] };
  const alarms = await deps.table.listAlarms();
  const health = await deps.health.snapshot(clusterNames(deps));
  const now = deps.clock.now();
  const decided = convergeFailbacks(view.state, alarms, health, now, deps.fleet.safety.failbackHoldDownSeconds);
  const done: FailbackConvergence['failedBack'] = [];
  const changes: RecordChangeSummary[] = [];
  const changeIds: string[] = [];
  for (const back of decided.failedBack) {
    const marks = Object.entries(view.state.failovers).filter(([, m]) => m.alarmName === back.alarmName && m.cluster === back.cluster);
    let without = view.state;
    for (const [, mark] of marks) without = withoutFailover(without, mark.cluster, mark.hostname);
    const hostnames = marks.some(([, m]) => m.hostname === undefined) ? appsServedBy(view, back.cluster) : marks.map(([, m]) => m.hostname!);
    // Back in: DNS first (the intents stay a lower bound of what DNS serves), then the marks go.
    const applied = await deps.dns.apply({
      ...appsDnsRequest(deps, without, view.endpoints, hostnames, `switchyard reconcile: failback, ${back.alarmName} OK since ${back.okSince}`),
      onlyCluster: back.cluster,
    });
    changes.push(...applied.changes);
    changeIds.push(...applied.changeIds);
    const removed = await deps.table.updateFleet((state) => {
      // Re-decided on the fresh document: a newer mark, or a lock taken meanwhile, wins.
      const again = convergeFailbacks(state, alarms, health, deps.clock.now(), deps.fleet.safety.failbackHoldDownSeconds);
      if (!again.failedBack.some((b) => b.alarmName === back.alarmName && b.cluster === back.cluster)) return { result: false };
      let next = state;
      for (const [key, mark] of marks) {
        const current = state.failovers[key];
        if (current && current.alarmName === mark.alarmName && current.at === mark.at && failoverKey(current.cluster, current.hostname) === key)
          next = withoutFailover(next, current.cluster, current.hostname);
      }
      return next === state ? { result: false } : { next, result: true };
    });
    if (!removed) continue;
    done.push(back);
    await deps.table.appendJournal({
      id: `${execution.startTime}#${execution.name}#06-failback-${back.cluster}-${back.alarmName}`,
      at: deps.clock.now().toISOString(),
      by: back.alarmName,
      what: `failback at reconcile: ${back.apps.join(', ')} back on ${back.cluster}`,
      why: `${back.alarmName} has been OK since ${back.okSince} (hold-down ${deps.fleet.safety.failbackHoldDownSeconds} s) and no Failover brought ${back.apps.length === 1 ? 'it' : 'them'} back`,
      cluster: back.cluster,
      operation: 'failback',
      executionArn: execution.id,
      before: { out: back.apps },
      after: { out: [] },
    });
  }
  return { failedBack: done, changes, changeIds };
}
