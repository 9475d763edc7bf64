import { describe, expect, it } from 'vitest';
import { alarmPrefix, canaryAlarmName, clusterOfAlarm } from '../../src/core/alarm-names.ts';

describe('alarm names', () => {
  it('names the canary alarm of a cluster under the fleet prefix', () => {
    expect(alarmPrefix('acme')).toBe('switchyard-acme-');
    expect(canaryAlarmName('acme', 'east')).toBe('switchyard-acme-east-canary');
  });

  it('finds the cluster of an alarm, the longest cluster name winning', () => {
    const clusters = ['east', 'east-2', 'eu'];
    expect(clusterOfAlarm('acme', 'switchyard-acme-east-canary', clusters)).toEqual({ cluster: 'east', rest: '-canary' });
    expect(clusterOfAlarm('acme', 'switchyard-acme-east-2-canary', clusters)).toEqual({ cluster: 'east-2', rest: '-canary' });
    expect(clusterOfAlarm('acme', 'switchyard-acme-eu', clusters)).toEqual({ cluster: 'eu', rest: '' });
  });

  it('ignores alarms of other fleets and alarms naming no known cluster', () => {
    expect(clusterOfAlarm('acme', 'switchyard-other-east-canary', ['east'])).toBeUndefined();
    expect(clusterOfAlarm('acme', 'switchyard-acme-eastern-canary', ['east'])).toBeUndefined();
    expect(clusterOfAlarm('acme', 'cpu-high', ['east'])).toBeUndefined();
  });

  it('round-trips every canary alarm name to its cluster', () => {
    const clusters = ['a', 'a-b', 'b', 'a-b-c'];
    for (const cluster of clusters) expect(clusterOfAlarm('o', canaryAlarmName('o', cluster), clusters)?.cluster).toBe(cluster);
  });
});
