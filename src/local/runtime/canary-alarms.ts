// What the deploy sets up on AWS for each cluster, done locally: the one Route 53 health
// check of the cluster's canary (created through the Route 53 API and tagged like the
// stack's, so the DNS sync and the health source use it and never change or delete it;
// docs/deploy.md, "The canary check") and a CloudWatch alarm on its HealthCheckStatus
// metric, named switchyard-<stage>-<ownerId>-<cluster>-canary.
// The alarm follows the check: the emulator's live checker reports a status change, the
// alarm changes state, and CloudWatch's state-change event goes to EventBridge. Every
// period the alarm is evaluated again, so SetAlarmState is temporary, as on AWS.
import { canaryAlarmName } from '../../core/alarm-names.ts';
import type { FleetConfig } from '../../core/config.ts';
import { canaryHealthCheck, deployCanaryTags, type Tag } from '../../core/health-spec.ts';
import type { Route53Port } from '../../core/ports.ts';
import type { LocalAlarms } from '@switchyard/local-aws/cloudwatch';

/** Tags the runtime adds to the alarms' health checks, besides the deploy's canary tags (deployCanaryTags). */
export const ALARM_TAG = 'switchyard:alarm';
const ALARM_KEY_TAG = 'switchyard:alarm-key';
/** CloudWatch's period for Route 53 health-check metrics. */
const ALARM_PERIOD_SECONDS = 60;

export interface CanaryAlarm {
  cluster: string;
  alarmName: string;
  healthCheckId: string;
}

/** The clusters that get a canary alarm (the deploy skips `canaryAlarm: false`). */
export function alarmedClusters(fleet: FleetConfig): FleetConfig['clusters'] {
  return fleet.clusters.filter((c) => c.canaryAlarm !== false);
}

function tagValue(tags: readonly Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/**
 * Creates (or finds) each cluster's alarm health check and defines its alarm (named for
 * `stage`). Checks left from an earlier configuration (another spec) are deleted.
 * Idempotent across restarts.
 */
export async function ensureCanaryAlarms(fleet: FleetConfig, stage: string, route53: Route53Port, alarms: LocalAlarms): Promise<CanaryAlarm[]> {
  const existing = await route53.listHealthChecks();
  const tags = await route53.listHealthCheckTags(existing.map((c) => c.id));
  const ours = existing.filter((c) => tagValue(tags.get(c.id), ALARM_TAG) !== undefined);
  const result: CanaryAlarm[] = [];
  const keep = new Set<string>();
  for (const cluster of alarmedClusters(fleet)) {
    const alarmName = canaryAlarmName({ stage, ownerId: fleet.ownerId }, cluster.name);
    const canary = canaryHealthCheck(fleet.healthCheck, cluster);
    const { key, spec } = canary;
    let check = ours.find((c) => tagValue(tags.get(c.id), ALARM_TAG) === alarmName && tagValue(tags.get(c.id), ALARM_KEY_TAG) === key);
    if (check === undefined) {
      // Route 53 makes CreateHealthCheck idempotent per CallerReference: a crash between
      // create and tag is repaired by the next start.
      check = await route53.createHealthCheck(`${fleet.ownerId}-alarm-${key}`.slice(0, 64), spec);
    }
    // Tagged on every start, so a check made before it carried the deploy's canary tags gets them.
    await route53.tagHealthCheck(check.id, [
      ...deployCanaryTags(fleet.ownerId, cluster.name, canary).filter((tag) => tag.Key !== 'Name'),
      { Key: ALARM_TAG, Value: alarmName },
      { Key: ALARM_KEY_TAG, Value: key },
      { Key: 'Name', Value: `${alarmName} (local alarm's health check)` },
    ]);
    keep.add(check.id);
    alarms.define({
      name: alarmName,
      description: `Switchyard: the canary of cluster ${cluster.name} (${spec.fqdn}) fails its Route 53 health check`,
      metric: {
        namespace: 'AWS/Route53',
        name: 'HealthCheckStatus',
        dimensions: { HealthCheckId: check.id },
        period: ALARM_PERIOD_SECONDS,
        stat: 'Minimum',
        threshold: 1,
        comparisonOperator: 'LessThanThreshold',
        evaluationPeriods: 1,
      },
    });
    result.push({ cluster: cluster.name, alarmName, healthCheckId: check.id });
  }
  for (const stale of ours.filter((c) => !keep.has(c.id))) await route53.deleteHealthCheck(stale.id);
  return result;
}

function reasonFor(healthy: boolean, at: Date): { reason: string; reasonData: string } {
  const value = healthy ? 1 : 0;
  const stamp = at.toISOString().slice(0, 19).replace('T', ' ');
  return {
    reason: `Threshold Crossed: 1 datapoint [${value.toFixed(1)} (${stamp})] was ${healthy ? 'not less than' : 'less than'} the threshold (1.0).`,
    reasonData: JSON.stringify({
      version: '1.0',
      queryDate: at.toISOString(),
      statistic: 'Minimum',
      period: ALARM_PERIOD_SECONDS,
      recentDatapoints: [value],
      threshold: 1.0,
    }),
  };
}

export interface AlarmFollowerOptions {
  alarms: LocalAlarms;
  canaryAlarms: readonly CanaryAlarm[];
  /** What a health check reports now (the emulator's checker). */
  healthCheckStatus(id: string): boolean | undefined;
  /** Subscribes to status changes; returns the unsubscribe function. */
  onHealthCheckStatusChange(listener: (change: { healthCheckId: string; healthy: boolean; at: Date }) => void): () => void;
  /** How often every alarm is evaluated again (ms). */
  evaluationMs: number;
}

/** Keeps each alarm in step with its health check until stopped. */
export function followHealthChecks(options: AlarmFollowerOptions): { evaluate(): void; stop(): void } {
  const byCheck = new Map(options.canaryAlarms.map((a) => [a.healthCheckId, a]));
  const apply = (alarm: CanaryAlarm, healthy: boolean, at: Date) => {
    const want = healthy ? 'OK' : 'ALARM';
    if (options.alarms.get(alarm.alarmName)?.state === want) return;
    const { reason, reasonData } = reasonFor(healthy, at);
    options.alarms.setState(alarm.alarmName, want, reason, reasonData);
  };
  const evaluate = () => {
    for (const alarm of options.canaryAlarms) {
      const healthy = options.healthCheckStatus(alarm.healthCheckId);
      if (healthy !== undefined) apply(alarm, healthy, new Date());
    }
  };
  const unsubscribe = options.onHealthCheckStatusChange((change) => {
    const alarm = byCheck.get(change.healthCheckId);
    if (alarm !== undefined) apply(alarm, change.healthy, change.at);
  });
  evaluate();
  const timer = setInterval(evaluate, Math.max(20, options.evaluationMs));
  timer.unref();
  return {
    evaluate,
    stop() {
      clearInterval(timer);
      unsubscribe();
    },
  };
}
