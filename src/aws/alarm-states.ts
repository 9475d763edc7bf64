// The fleet's alarm states read back from CloudWatch (DescribeAlarms), so Reconcile acts on
// an ALARM or OK whose state-change event never reached Failover. One client per region the
// alarms live in (canary alarms are in us-east-1, where Route 53's metrics are).
import { CloudWatchClient, DescribeAlarmsCommand, type DescribeAlarmsCommandOutput } from '@aws-sdk/client-cloudwatch';
import { errorMessage, TransientAwsError } from '../core/errors.ts';
import type { ObservedAlarm } from '../core/failover.ts';
import type { AlarmStatesPort } from '../core/ports.ts';

/** CloudWatch's events write state timestamps as 2019-10-02T17:04:40.985+0000; recorded states use the same form. */
export function cloudWatchTimestamp(at: Date): string {
  return at.toISOString().replace('Z', '+0000');
}

const STATES = new Set(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

type Described = NonNullable<DescribeAlarmsCommandOutput['MetricAlarms']>[number] | NonNullable<DescribeAlarmsCommandOutput['CompositeAlarms']>[number];

function observed(alarm: Described): ObservedAlarm | undefined {
  const at = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp;
  if (!alarm.AlarmName || !alarm.StateValue || !STATES.has(alarm.StateValue) || at === undefined) return undefined;
  return {
    alarmName: alarm.AlarmName,
    state: alarm.StateValue as ObservedAlarm['state'],
    timestamp: cloudWatchTimestamp(at),
    ...(alarm.StateReason ? { reason: alarm.StateReason } : {}),
  };
}

/** The port over one CloudWatch client per region (the SDK's own retries handle throttling). */
export function cloudWatchAlarmStates(clients: readonly CloudWatchClient[]): AlarmStatesPort {
  return {
    async list(prefix) {
      const alarms = new Map<string, ObservedAlarm>();
      for (const client of clients) {
        let token: string | undefined;
        do {
          let page: DescribeAlarmsCommandOutput;
          try {
            page = await client.send(
              new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken: token, MaxRecords: 100 }),
            );
          } catch (error) {
            const region = await client.config.region().catch(() => 'unknown region');
            throw new TransientAwsError(`CloudWatch DescribeAlarms (${region}, prefix ${prefix}): ${errorMessage(error)}`, { region, prefix }, error);
          }
          for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
            const seen = observed(alarm);
            // An alarm name is unique per region; the same name in two regions: the later state wins.
            if (seen && (alarms.get(seen.alarmName) === undefined || Date.parse(alarms.get(seen.alarmName)!.timestamp) < Date.parse(seen.timestamp)))
              alarms.set(seen.alarmName, seen);
          }
          token = page.NextToken;
        } while (token);
      }
      return [...alarms.values()].sort((a, b) => (a.alarmName < b.alarmName ? -1 : 1));
    },
  };
}

/** The regions in SWITCHYARD_ALARM_REGIONS (comma-separated), else the function's region and us-east-1. */
export function alarmRegions(env: NodeJS.ProcessEnv): string[] {
  const listed = (env.SWITCHYARD_ALARM_REGIONS ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  if (listed.length > 0) return [...new Set(listed)];
  return [...new Set([env.AWS_REGION ?? 'us-east-1', 'us-east-1'])];
}
