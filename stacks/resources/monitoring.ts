// Watching the control plane: the notification topic (its policy, the fleet's email
// subscriptions, the rule sending Switchyard's must-hear events to it), the alarms on
// Switchyard itself and the CloudWatch dashboard, all from deployment.monitoring.
import type { DeploymentSpec } from '../deployment.ts';
import { pascal } from './names.ts';
import { stagePrefix } from '../../src/core/resource-names.ts';

export function monitoring(deployment: DeploymentSpec, bus: sst.aws.Bus): aws.sns.Topic {
  const m = deployment.monitoring;
  const topic = new aws.sns.Topic('NotificationTopic', { name: m.topicName });
  new aws.sns.TopicPolicy('NotificationTopicPolicy', { arn: topic.arn, policy: JSON.stringify(m.topicPolicy) });
  m.emails.forEach((email, i) => new aws.sns.TopicSubscription(`NotificationEmail${i}`, { topic: topic.arn, protocol: 'email', endpoint: email }));

  const rule = new aws.cloudwatch.EventRule(
    'NotifyRule',
    {
      name: m.notifyRule.ruleName,
      eventBusName: deployment.busName,
      description: `Switchyard ${deployment.context.stage}: events an operator must hear about`,
      eventPattern: JSON.stringify(m.notifyRule.pattern),
    },
    { dependsOn: [bus] },
  );
  new aws.cloudwatch.EventTarget('NotifyTarget', { rule: rule.name, eventBusName: deployment.busName, arn: topic.arn });

  for (const alarm of m.alarms) {
    new aws.cloudwatch.MetricAlarm(`${pascal(alarm.alarmName.slice(stagePrefix(deployment.context.stage, deployment.context.app).length))}Alarm`, {
      name: alarm.alarmName,
      alarmDescription: alarm.description,
      evaluationPeriods: alarm.evaluationPeriods,
      threshold: alarm.threshold,
      comparisonOperator: alarm.comparisonOperator,
      treatMissingData: alarm.treatMissingData,
      metricQueries: alarm.queries.map((q) => ({
        id: q.id,
        returnData: q.returnData,
        ...(q.expression !== undefined ? { expression: q.expression } : {}),
        ...(q.label !== undefined ? { label: q.label } : {}),
        ...(q.metric
          ? {
              metric: {
                namespace: q.metric.namespace,
                metricName: q.metric.metricName,
                dimensions: q.metric.dimensions,
                period: q.metric.periodSeconds,
                stat: q.metric.stat,
              },
            }
          : {}),
      })),
      alarmActions: [topic.arn],
      okActions: [topic.arn],
    });
  }
  new aws.cloudwatch.Dashboard('ControlPlaneDashboard', { dashboardName: m.dashboardName, dashboardBody: JSON.stringify(m.dashboard) });
  return topic;
}
