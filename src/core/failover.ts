// Alarm-driven failover, decided purely: which cluster (or app on it) an alarm is
// about, and which apps may be taken out. An app is taken out of a cluster only when
// another healthy, active cluster keeps serving it; otherwise it stays in ("fail
// open": Route 53's own health checks still steer around a dead entry point, and a
// record set with every member out would be worse than one that is degraded).
import { clusterOfAlarm } from './alarm-names.ts';
import { effectiveWeightPercent, type FleetState } from './intent.ts';
import { isHealthy, type CatalogueApp, type HealthView } from './safety.ts';

/** Per-app alarms: `switchyard-<ownerId>-<cluster>--<hostname>`. */
export const APP_ALARM_SEPARATOR = '--';

export interface AlarmTarget {
  cluster: string;
  hostname?: string;
}

/**
 * The cluster (and app) an alarm is about, or undefined when it is not one of the
 * fleet's alarms. A per-app suffix naming an app the cluster does not serve makes the
 * alarm about the cluster.
 */
export function alarmTarget(ownerId: string, alarmName: string, clusters: readonly string[], catalogue: readonly CatalogueApp[]): AlarmTarget | undefined {
  const subject = clusterOfAlarm(ownerId, alarmName, clusters);
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
      (m) => m.cluster !== target.cluster && m.baseWeight > 0 && effectiveWeightPercent(state, m.cluster, app.hostname) > 0 && isHealthy(health, m.cluster, app.hostname),
    );
    (others.length > 0 ? decision.takeOut : decision.failOpen).push(app.hostname);
  }
  for (const list of [decision.takeOut, decision.failOpen, decision.alreadyOut]) list.sort();
  return decision;
}
