// What starts Switchyard on AWS, as EventBridge patterns and the scheduled event. Pure.
//
// AWS delivers alarm state changes and EKS CloudTrail calls to the default bus of the
// region where they happen, so each watched region gets rules on its default bus that
// forward only Switchyard's events to the app's bus; the router subscribes there. One
// path for every event, whatever its region.
import { InvalidInput } from './errors.ts';
import { EKS_API_CALLS, EXECUTION_STATUS_CHANGE, RECOVERED_STATUSES } from './events.ts';
import { AGENT_SOURCE_PREFIX, GATEWAY_EVENT_SOURCE, GATEWAY_EVENT_TYPES } from './gateway-events.ts';

export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';
export const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';
/** Route 53 publishes health-check metrics in us-east-1 only, so their alarms live there. */
export const ROUTE53_METRICS_REGION = 'us-east-1';
export const DEFAULT_RECONCILE_SCHEDULE = 'rate(5 minutes)';

/** An EventBridge event pattern (the JSON EventBridge stores). */
export interface EventPattern {
  source: Array<string | { prefix: string }>;
  'detail-type': string[];
  detail?: Record<string, unknown>;
}

/** Alarm state changes of Switchyard's alarms only (by name prefix; events carry no tags). */
export function alarmPattern(alarmPrefix: string): EventPattern {
  return {
    source: ['aws.cloudwatch'],
    'detail-type': [ALARM_STATE_CHANGE],
    detail: { alarmName: [{ prefix: alarmPrefix }] },
  };
}

/** CreateCluster, DeleteCluster and UpdateClusterVersion calls on the fleet's EKS clusters. */
export function eksPattern(eksClusterNames: readonly string[]): EventPattern {
  if (eksClusterNames.length === 0) throw new InvalidInput('eksPattern: needs at least one EKS cluster name');
  return {
    source: ['aws.eks'],
    'detail-type': [CLOUDTRAIL_API_CALL],
    detail: {
      eventSource: ['eks.amazonaws.com'],
      eventName: [...EKS_API_CALLS],
      requestParameters: { name: [...new Set(eksClusterNames)].sort() },
    },
  };
}

/**
 * Stopped, timed-out and failed runs of this stage's lock-holding state machines (by ARN:
 * another stage's or another app's machines never match). Step Functions delivers these to
 * the default bus of its region; the router starts RecoverOperation for each.
 */
export function executionsPattern(stateMachineArns: readonly string[]): EventPattern {
  if (stateMachineArns.length === 0) throw new InvalidInput('executionsPattern: needs at least one state machine ARN');
  return {
    source: ['aws.states'],
    'detail-type': [EXECUTION_STATUS_CHANGE],
    detail: { status: [...RECOVERED_STATUSES], stateMachineArn: [...new Set(stateMachineArns)].sort() },
  };
}

/** Gateway Published / Withdrawn, put on the app's bus by an in-cluster forwarder. */
export function gatewayPattern(): EventPattern {
  return { source: [GATEWAY_EVENT_SOURCE, { prefix: AGENT_SOURCE_PREFIX }], 'detail-type': [GATEWAY_EVENT_TYPES.published, GATEWAY_EVENT_TYPES.withdrawn] };
}

/**
 * The input EventBridge Scheduler gives the router every time Reconcile is due: a
 * "Scheduled Event" envelope, its id and time filled in by Scheduler's context attributes.
 */
export function scheduledEvent(region: string, accountId: string): Record<string, unknown> {
  return {
    version: '0',
    id: '<aws.scheduler.execution-id>',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: accountId,
    time: '<aws.scheduler.scheduled-time>',
    region,
    resources: ['<aws.scheduler.schedule-arn>'],
    detail: {},
  };
}

const RATE = /^rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)$/;
const CRON = /^cron\(\S+( \S+){5}\)$/;

/** A Scheduler expression for Reconcile, or InvalidInput naming the setting. */
export function checkSchedule(expression: string, setting = 'SWITCHYARD_RECONCILE_SCHEDULE'): `rate(${string})` | `cron(${string})` {
  if (RATE.test(expression) || CRON.test(expression)) return expression as `rate(${string})` | `cron(${string})`;
  throw new InvalidInput(`${setting} "${expression}": expected rate(<n> <unit>) or cron(<6 fields>), e.g. "${DEFAULT_RECONCILE_SCHEDULE}"`, {
    setting,
    expression,
  });
}
