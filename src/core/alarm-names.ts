// Which CloudWatch alarms are Switchyard's, and which cluster each one is about. Pure.
//
// An alarm is Switchyard's when its name starts with `switchyard-<ownerId>-` followed by a
// cluster name: the deploy creates `switchyard-<ownerId>-<cluster>-canary` on each cluster's
// canary health check, and users may bring their own under the same prefix (for example
// `switchyard-<ownerId>-east-latency`). EventBridge rules match the prefix, because alarm
// state-change events carry the name but not the alarm's tags.

export const ALARM_NAME_ROOT = 'switchyard-';

/** Every alarm of the fleet `ownerId` starts with this. */
export function alarmPrefix(ownerId: string): string {
  return `${ALARM_NAME_ROOT}${ownerId}-`;
}

/** The alarm the deploy creates on a cluster's canary health check. */
export function canaryAlarmName(ownerId: string, cluster: string): string {
  return `${alarmPrefix(ownerId)}${cluster}-canary`;
}

export interface AlarmSubject {
  cluster: string;
  /** What follows the cluster name ("" or starting with "-"), e.g. "-canary". */
  rest: string;
}

/**
 * The cluster an alarm is about, or undefined when the name is not the fleet's or names no
 * known cluster. The longest cluster name wins, so `east-2-canary` is about `east-2`, not `east`.
 */
export function clusterOfAlarm(ownerId: string, alarmName: string, clusters: readonly string[]): AlarmSubject | undefined {
  const prefix = alarmPrefix(ownerId);
  if (!alarmName.startsWith(prefix)) return undefined;
  const tail = alarmName.slice(prefix.length);
  let best: AlarmSubject | undefined;
  for (const cluster of clusters) {
    const matches = tail === cluster || tail.startsWith(`${cluster}-`);
    if (matches && (best === undefined || cluster.length > best.cluster.length)) best = { cluster, rest: tail.slice(cluster.length) };
  }
  return best;
}
