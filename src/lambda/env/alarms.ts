// CloudWatch DescribeAlarms in every region the fleet's alarms live in (SWITCHYARD_ALARM_REGIONS).
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { alarmRegions, cloudWatchAlarmStates } from '../../aws/alarm-states.ts';
import type { PortBuilder } from './build-deps.ts';
import { traced } from '../tracing.ts';

export const alarmsFromEnv: PortBuilder<'alarms'> = ({ env }) =>
  cloudWatchAlarmStates(alarmRegions(env).map((region) => traced(new CloudWatchClient({ region }))));
