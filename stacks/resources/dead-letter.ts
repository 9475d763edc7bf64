// The router's dead-letter queue: events EventBridge could not deliver to the router and
// router invocations that failed after Lambda's retries land here, not nowhere; an alarm
// fires on the first message (see DeadLetterSpec in deployment.ts).
import type { DeploymentSpec } from '../deployment.ts';
import { metricAlarmFields } from './alarms.ts';

export function deadLetterQueue(deployment: DeploymentSpec, router: sst.aws.Function, notifications: aws.sns.Topic): aws.sqs.Queue {
  const dl = deployment.deadLetter;
  const queue = new aws.sqs.Queue('RouterDeadLetterQueue', {
    name: dl.queueName,
    messageRetentionSeconds: dl.retentionSeconds,
    sqsManagedSseEnabled: true,
  });
  new aws.sqs.QueuePolicy('RouterDeadLetterQueuePolicy', { queueUrl: queue.url, policy: JSON.stringify(dl.queuePolicy) });
  new aws.lambda.FunctionEventInvokeConfig('RouterInvokeConfig', {
    functionName: router.name,
    maximumEventAgeInSeconds: dl.invokeRetry.maximumEventAgeSeconds,
    maximumRetryAttempts: dl.invokeRetry.maximumRetryAttempts,
    destinationConfig: { onFailure: { destination: queue.arn } },
  });
  new aws.cloudwatch.MetricAlarm('RouterDeadLetterAlarm', {
    name: dl.alarm.alarmName,
    alarmDescription: `Switchyard ${deployment.context.stage}: events the router could not take are waiting in ${dl.queueName}`,
    ...metricAlarmFields(dl.alarm.metric),
    dimensions: { QueueName: queue.name },
    alarmActions: [notifications.arn],
    okActions: [notifications.arn],
  });
  return queue;
}
