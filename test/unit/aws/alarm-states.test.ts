import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { alarmRegions, cloudWatchAlarmStates } from '../../../src/aws/alarm-states.ts';
import { TransientAwsError } from '../../../src/core/errors.ts';

const cw = mockClient(CloudWatchClient);
afterEach(() => cw.reset());

describe('cloudWatchAlarmStates', () => {
  it('reads every page of the prefix, metric and composite alarms, with the transition time in CloudWatch event form', async () => {
    // Prepare
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce({
        MetricAlarms: [
          {
            AlarmName: 'p-east-canary',
            StateValue: 'ALARM',
            StateReason: 'down',
            StateTransitionedTimestamp: new Date('2026-12-01T10:00:00.250Z'),
            StateUpdatedTimestamp: new Date('2026-12-01T10:03:00Z'),
          },
        ],
        NextToken: 't2',
      })
      .resolvesOnce({ CompositeAlarms: [{ AlarmName: 'p-west-x', StateValue: 'OK', StateUpdatedTimestamp: new Date('2026-12-01T09:00:00Z') }] });
    // Act
    const alarms = await cloudWatchAlarmStates([new CloudWatchClient({ region: 'us-east-1' })]).list('p-');
    // Assess
    expect(alarms).toEqual([
      { alarmName: 'p-east-canary', state: 'ALARM', timestamp: '2026-12-01T10:00:00.250+0000', reason: 'down' },
      { alarmName: 'p-west-x', state: 'OK', timestamp: '2026-12-01T09:00:00.000+0000' },
    ]);
    const calls = cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      expect.objectContaining({ AlarmNamePrefix: 'p-', NextToken: undefined }),
      expect.objectContaining({ AlarmNamePrefix: 'p-', NextToken: 't2' }),
    ]);
  });

  it('turns a CloudWatch failure into TransientAwsError naming the region and prefix (the workflow retries it)', async () => {
    cw.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const list = cloudWatchAlarmStates([new CloudWatchClient({ region: 'eu-west-1', maxAttempts: 1 })]).list('p-');
    await expect(list).rejects.toBeInstanceOf(TransientAwsError);
    await expect(list).rejects.toThrow(/DescribeAlarms \(eu-west-1, prefix p-\): Rate exceeded/);
  });

  it('reads the regions from SWITCHYARD_ALARM_REGIONS, else the function region and us-east-1', () => {
    expect(alarmRegions({ SWITCHYARD_ALARM_REGIONS: 'eu-west-1, us-east-1,eu-west-1' })).toEqual(['eu-west-1', 'us-east-1']);
    expect(alarmRegions({ AWS_REGION: 'eu-central-1' })).toEqual(['eu-central-1', 'us-east-1']);
  });
});
