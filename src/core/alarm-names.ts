// Which CloudWatch alarms are Switchyard's, and which cluster each one is about. Pure.
//
// An alarm belongs to one deployment (a stage of a fleet) when its name starts with
// `switchyard-<stage>-<ownerId>-` followed by a cluster name: the deploy creates
// `switchyard-<stage>-<ownerId>-<cluster>-canary` on each cluster's canary health check, and
// users may bring their own under the same prefix (for example
// `switchyard-prod-<ownerId>-east-latency`). The stage is in the name because two stages of
// one fleet may be deployed in one account: without it their alarms would clash, and each
// stage's rule would forward the other's alarms to its own Failover. EventBridge rules match
// the prefix, because alarm state-change events carry the name but not the alarm's tags.

import { APP_NAME, stagePrefix } from './resource-names.ts';

export const ALARM_NAME_ROOT = `${APP_NAME}-`;

/** Whose alarms: the deployment stage and the fleet's ownerId. */
export interface AlarmScope {
  stage: string;
  ownerId: string;
}

/**
 * Every alarm of the fleet `ownerId` deployed as `stage` starts with this. The "-" after the
 * stage keeps stage `dev` from matching stage `dev2`'s alarms.
 */
export function alarmPrefix(scope: AlarmScope): string {
  return `${stagePrefix(scope.stage)}${scope.ownerId}-`;
}

/** The alarm the deploy creates on a cluster's canary health check. */
export function canaryAlarmName(scope: AlarmScope, cluster: string): string {
  return `${alarmPrefix(scope)}${cluster}-canary`;
}

/** How alarm names of this stage and fleet look, for messages: `switchyard-dev-acme-<cluster>...`. */
export function alarmNamePattern(scope: AlarmScope): string {
  return `${alarmPrefix(scope)}<cluster>...`;
}

export interface AlarmSubject {
  cluster: string;
  /** What follows the cluster name ("" or starting with "-"), e.g. "-canary". */
  rest: string;
}

/**
 * The cluster an alarm is about, or undefined when the name is not this stage's and fleet's
 * or names no known cluster. The longest cluster name wins, so `east-2-canary` is about
 * `east-2`, not `east`.
 */
export function clusterOfAlarm(scope: AlarmScope, alarmName: string, clusters: readonly string[]): AlarmSubject | undefined {
  const prefix = alarmPrefix(scope);
  if (!alarmName.startsWith(prefix)) return undefined;
  const tail = alarmName.slice(prefix.length);
  let best: AlarmSubject | undefined;
  for (const cluster of clusters) {
    const matches = tail === cluster || tail.startsWith(`${cluster}-`);
    if (matches && (best === undefined || cluster.length > best.cluster.length)) best = { cluster, rest: tail.slice(cluster.length) };
  }
  return best;
}
