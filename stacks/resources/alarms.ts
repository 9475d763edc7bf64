// Where the fleet brings no alarm of its own: the one Route 53 health check of each
// cluster's canary, owned by the deploy, and a CloudWatch alarm on it. Route 53 metrics exist only in us-east-1, so the
// alarms are created there (and forwarded from its default bus, see events.ts). With edge
// clusters, also the upstream alarms the upstream records' health checks read.
import { ROUTE53_METRICS_REGION } from '../../src/core/triggers.ts';
import type { DeploymentSpec } from '../deployment.ts';
import { pascal } from './names.ts';
import { providerFor } from './providers.ts';

/** A deployment spec's alarm metric (CANARY_ALARM_METRIC, DEAD_LETTER_ALARM_METRIC) as MetricAlarm's fields. */
export function metricAlarmFields(m: {
  namespace: string;
  metricName: string;
  statistic: string;
  periodSeconds: number;
  evaluationPeriods: number;
  threshold: number;
  comparisonOperator: string;
  treatMissingData: string;
}) {
  return {
    namespace: m.namespace,
    metricName: m.metricName,
    statistic: m.statistic,
    period: m.periodSeconds,
    evaluationPeriods: m.evaluationPeriods,
    threshold: m.threshold,
    comparisonOperator: m.comparisonOperator,
    treatMissingData: m.treatMissingData,
  };
}

export function canaryAlarms(deployment: DeploymentSpec): void {
  const provider = providerFor(ROUTE53_METRICS_REGION, deployment.context.region);
  const options = provider ? { provider } : {};
  for (const alarm of deployment.canaryAlarms) {
    const logical = `${pascal(alarm.cluster)}Canary`;
    const hc = alarm.healthCheck;
    const check = new aws.route53.HealthCheck(
      `${logical}HealthCheck`,
      {
        type: hc.Type,
        fqdn: hc.FullyQualifiedDomainName,
        port: hc.Port,
        resourcePath: hc.ResourcePath,
        requestInterval: hc.RequestInterval,
        failureThreshold: hc.FailureThreshold,
        enableSni: hc.EnableSNI,
        // The runtime's tags plus switchyard:managed-by=deploy: the runtime uses this check
        // (records, drain safety gate) and never changes or deletes it (deployment.ts, CanaryAlarm).
        tags: alarm.healthCheckTags,
      },
      options,
    );
    new aws.cloudwatch.MetricAlarm(
      `${logical}Alarm`,
      {
        name: alarm.alarmName,
        alarmDescription: `Switchyard ${deployment.context.stage}: canary of cluster ${alarm.cluster} (${hc.FullyQualifiedDomainName}) fails Route 53 health checks`,
        ...metricAlarmFields(alarm.metric),
        dimensions: { HealthCheckId: check.id },
      },
      options,
    );
  }
}

/**
 * With edge clusters: each workload cluster's upstream alarm (stacks/upstream.ts), in the
 * region the upstream records' CLOUDWATCH_METRIC checks name. The runtime creates those
 * checks; the edges' agents feed the metric.
 */
export function upstreamAlarms(deployment: DeploymentSpec): void {
  for (const alarm of deployment.upstreamAlarms) {
    const provider = providerFor(alarm.region, deployment.context.region);
    new aws.cloudwatch.MetricAlarm(
      `${pascal(alarm.cluster)}UpstreamAlarm`,
      {
        name: alarm.alarmName,
        alarmDescription: `Switchyard: no edge reaches cluster ${alarm.cluster} through its own load balancer (edges' canaries, ${alarm.metric.namespace} ${alarm.metric.metricName}; docs/edge.md)`,
        ...metricAlarmFields(alarm.metric),
        dimensions: alarm.dimensions,
      },
      provider ? { provider } : {},
    );
  }
}
