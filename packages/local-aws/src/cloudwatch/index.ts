// The local CloudWatch alarms: the store and the API (JSON 1.0, Smithy RPC v2 CBOR and the query protocol).
export { ALARM_STATE_VALUES, cloudWatchTimestamp, LocalAlarms } from './alarms.ts';
export type { AlarmDefinition, AlarmEvent, AlarmMetric, AlarmStateChangeDetail, AlarmStateValue, LocalAlarm, LocalAlarmsOptions } from './alarms.ts';
export { cloudWatchServices } from './service.ts';
