// A control plane you can watch (docs/deploy.md, "Watching the control plane"): a
// CloudWatch dashboard, alarms on Switchyard itself (failed executions, dead letters,
// Reconcile not running) and one SNS topic that receives them and Switchyard's own
// "something needs a human" events, with the fleet's email subscriptions. Pure.
import type { FleetConfig } from '../src/core/config.ts';
import { GATEWAY_EVENT_SOURCE } from '../src/core/gateway-events.ts';
import { CLUSTER_WEIGHT_METRIC, ROUTE53_THROTTLED_METRIC } from '../src/core/metric-names.ts';
import { stagePrefix } from '../src/core/resource-names.ts';
import { ROUTE53_METRICS_REGION } from '../src/core/triggers.ts';
import { resourceName } from './naming.ts';
import type { DeadLetterSpec, DeployedFunction, DeployedMachine, CanaryAlarm } from './deployment.ts';
import type { PrincipalStatement } from './agents.ts';
import type { EventPattern } from '../src/core/triggers.ts';

/** Switchyard's events an operator must hear about (docs/workflows.md, Events). */
export const NOTIFIED_EVENTS: readonly string[] = ['Cluster Drain Aborted', 'Cluster Upgrade Failed', 'Failover Performed'];

export interface MonitoringInputs {
  app: string;
  stage: string;
  partition: string;
  region: string;
  accountId: string;
  busName: string;
  tableName: string;
  fleet: FleetConfig;
  machines: readonly DeployedMachine[];
  functions: readonly DeployedFunction[];
  router: string;
  deadLetter: DeadLetterSpec;
  canaryAlarms: readonly CanaryAlarm[];
  /** The Reconcile schedule, to know when Reconcile is late. */
  schedule: string;
  metricNamespace: string;
}

/** One CloudWatch metric of an alarm's metric math (MetricAlarm.metricQueries). */
export interface AlarmQuery {
  id: string;
  expression?: string;
  label?: string;
  returnData: boolean;
  metric?: { namespace: string; metricName: string; dimensions: Record<string, string>; periodSeconds: number; stat: string };
}

export interface ControlPlaneAlarm {
  alarmName: string;
  description: string;
  queries: AlarmQuery[];
  evaluationPeriods: number;
  threshold: number;
  comparisonOperator: 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';
  treatMissingData: 'notBreaching' | 'breaching';
}

export interface MonitoringSpec {
  topicName: string;
  topicArn: string;
  emails: string[];
  /** EventBridge (the notify rule) and CloudWatch (this stage's alarms) may publish, nothing else. */
  topicPolicy: { Version: '2012-10-17'; Statement: PrincipalStatement[] };
  notifyRule: { ruleName: string; ruleArn: string; pattern: EventPattern };
  alarms: ControlPlaneAlarm[];
  /** Alarms that already exist (the dead-letter alarm) and notify the topic too. */
  notifyingAlarmNames: string[];
  dashboardName: string;
  /** The dashboard body, as PutDashboard takes it. */
  dashboard: { widgets: Array<Record<string, unknown>> };
}

/** How long without a Reconcile start means it is not running: three intervals of a rate() schedule (at least 15 min), else a day. */
export function reconcileSilenceSeconds(schedule: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(schedule);
  if (!match) return 86_400;
  const unit = match[2]!.startsWith('minute') ? 60 : match[2]!.startsWith('hour') ? 3600 : 86_400;
  return Math.min(86_400, Math.max(900, 3 * Number(match[1]) * unit));
}

export function describeMonitoring(inputs: MonitoringInputs): MonitoringSpec {
  const { app, stage, partition, region, accountId, machines, functions, deadLetter, fleet } = inputs;
  const topicName = resourceName(app, stage, 'notifications', 'topic');
  const topicArn = `arn:${partition}:sns:${region}:${accountId}:${topicName}`;
  const ruleName = resourceName(app, stage, 'notify', 'rule');
  const ruleArn = `arn:${partition}:events:${region}:${accountId}:rule/${inputs.busName}/${ruleName}`;
  const alarmArnPrefix = `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${stagePrefix(stage, app)}`;
  const byWorkflow = new Map(machines.map((m) => [m.workflow, m]));

  const failed: ControlPlaneAlarm[] = machines.map((m) => {
    const metric = (metricName: string) => ({ namespace: 'AWS/States', metricName, dimensions: { StateMachineArn: m.arn }, periodSeconds: 300, stat: 'Sum' });
    return {
      alarmName: resourceName(app, stage, `${m.workflow}-failed`, 'alarm'),
      description: `Switchyard ${stage}: a ${m.workflow} execution failed, timed out or was aborted`,
      queries: [
        { id: 'failed', metric: metric('ExecutionsFailed'), returnData: false },
        { id: 'timedout', metric: metric('ExecutionsTimedOut'), returnData: false },
        { id: 'aborted', metric: metric('ExecutionsAborted'), returnData: false },
        { id: 'ended', expression: 'failed + timedout + aborted', label: `${m.workflow} runs that did not succeed`, returnData: true },
      ],
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
    };
  });
  const reconcile = byWorkflow.get('Reconcile');
  const silence = reconcileSilenceSeconds(inputs.schedule);
  const notRunning: ControlPlaneAlarm[] = reconcile
    ? [
        {
          alarmName: resourceName(app, stage, 'reconcile-not-running', 'alarm'),
          description: `Switchyard ${stage}: no Reconcile execution started for ${silence / 60} minutes (schedule ${inputs.schedule})`,
          queries: [
            {
              id: 'started',
              metric: {
                namespace: 'AWS/States',
                metricName: 'ExecutionsStarted',
                dimensions: { StateMachineArn: reconcile.arn },
                periodSeconds: silence,
                stat: 'Sum',
              },
              returnData: true,
            },
          ],
          evaluationPeriods: 1,
          threshold: 1,
          comparisonOperator: 'LessThanThreshold',
          // No data at all is the loudest sign that nothing runs.
          treatMissingData: 'breaching',
        },
      ]
    : [];
  const alarms = [...failed, ...notRunning];

  const topicPolicy: MonitoringSpec['topicPolicy'] = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SwitchyardEvents',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topicArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
      {
        Sid: 'SwitchyardAlarms',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topicArn,
        Condition: { ArnLike: { 'aws:SourceArn': `${alarmArnPrefix}*` }, StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ],
  };

  const router = functions.find((f) => f.name === inputs.router)!;
  const stateMachineMetrics = machines.flatMap((m) =>
    ['ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'].map((name) => [
      'AWS/States',
      name,
      'StateMachineArn',
      m.arn,
      { label: `${m.workflow} ${name.replace('Executions', '').toLowerCase()}` },
    ]),
  );
  const widget = (title: string, metrics: unknown[][], extra: Record<string, unknown> = {}, width = 12) => ({
    type: 'metric',
    width,
    height: 6,
    properties: { title, region, stat: 'Sum', period: 300, view: 'timeSeries', metrics, ...extra },
  });
  const dashboard = {
    widgets: [
      widget('Executions by workflow and outcome', stateMachineMetrics, {}, 24),
      widget('Router errors and throttles', [
        ['AWS/Lambda', 'Errors', 'FunctionName', router.functionName, { label: 'errors' }],
        ['AWS/Lambda', 'Throttles', 'FunctionName', router.functionName, { label: 'throttles' }],
        ['AWS/Lambda', 'Invocations', 'FunctionName', router.functionName, { label: 'invocations' }],
      ]),
      widget(
        'Router dead-letter queue depth',
        [['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', deadLetter.queueName, { label: 'messages waiting' }]],
        { stat: 'Maximum' },
      ),
      widget('Route 53 throttled requests (retried)', [[inputs.metricNamespace, ROUTE53_THROTTLED_METRIC, 'service', app, { label: 'throttled' }]]),
      widget(
        'Weight per cluster (% of normal)',
        fleet.clusters.map((c) => [inputs.metricNamespace, CLUSTER_WEIGHT_METRIC, 'service', app, 'cluster', c.name, { label: c.name }]),
        { stat: 'Minimum', yAxis: { left: { min: 0, max: 100 } } },
      ),
      ...(inputs.canaryAlarms.length > 0
        ? [
            {
              type: 'alarm',
              width: 24,
              height: 3,
              properties: {
                title: 'Alarms',
                alarms: [
                  ...inputs.canaryAlarms.map((a) => `arn:${partition}:cloudwatch:${ROUTE53_METRICS_REGION}:${accountId}:alarm:${a.alarmName}`),
                  ...alarms.map((a) => `${alarmArnPrefix}${a.alarmName.slice(stagePrefix(stage, app).length)}`),
                ],
              },
            },
          ]
        : []),
    ],
  };

  return {
    topicName,
    topicArn,
    emails: [...(fleet.notifications?.emails ?? [])],
    topicPolicy,
    notifyRule: { ruleName, ruleArn, pattern: { source: [GATEWAY_EVENT_SOURCE], 'detail-type': [...NOTIFIED_EVENTS] } },
    alarms,
    notifyingAlarmNames: [deadLetter.alarm.alarmName],
    dashboardName: resourceName(app, stage, 'control-plane', 'dashboard'),
    dashboard,
  };
}
