import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alarmNamePattern, alarmPrefix, canaryAlarmName, clusterOfAlarm } from '../../src/core/alarm-names.ts';
import { NAME_LIMITS } from '../../stacks/naming.ts';

const acme = { stage: 'dev', ownerId: 'acme' };

describe('alarm names', () => {
  it('names the canary alarm of a cluster under the stage and fleet prefix', () => {
    expect(alarmPrefix(acme)).toBe('switchyard-dev-acme-');
    expect(canaryAlarmName(acme, 'east')).toBe('switchyard-dev-acme-east-canary');
    expect(canaryAlarmName({ stage: 'prod', ownerId: 'acme' }, 'east')).toBe('switchyard-prod-acme-east-canary');
    expect(alarmNamePattern(acme)).toBe('switchyard-dev-acme-<cluster>...');
  });

  it('finds the cluster of an alarm, the longest cluster name winning', () => {
    const clusters = ['east', 'east-2', 'eu'];
    expect(clusterOfAlarm(acme, 'switchyard-dev-acme-east-canary', clusters)).toEqual({ cluster: 'east', rest: '-canary' });
    expect(clusterOfAlarm(acme, 'switchyard-dev-acme-east-2-canary', clusters)).toEqual({ cluster: 'east-2', rest: '-canary' });
    expect(clusterOfAlarm(acme, 'switchyard-dev-acme-eu', clusters)).toEqual({ cluster: 'eu', rest: '' });
  });

  it('ignores alarms of other fleets and alarms naming no known cluster', () => {
    expect(clusterOfAlarm(acme, 'switchyard-dev-other-east-canary', ['east'])).toBeUndefined();
    expect(clusterOfAlarm(acme, 'switchyard-dev-acme-eastern-canary', ['east'])).toBeUndefined();
    expect(clusterOfAlarm(acme, 'cpu-high', ['east'])).toBeUndefined();
  });

  it("ignores another stage's alarms of the same fleet, and the names without a stage", () => {
    expect(clusterOfAlarm(acme, 'switchyard-prod-acme-east-canary', ['east'])).toBeUndefined();
    expect(clusterOfAlarm({ stage: 'prod', ownerId: 'acme' }, 'switchyard-dev-acme-east-canary', ['east'])).toBeUndefined();
    expect(clusterOfAlarm(acme, 'switchyard-acme-east-canary', ['east'])).toBeUndefined();
  });

  it('keeps stage dev from matching stage dev2, and dev2 from matching dev', () => {
    const dev2 = { stage: 'dev2', ownerId: 'acme' };
    expect(clusterOfAlarm(acme, canaryAlarmName(dev2, 'east'), ['east'])).toBeUndefined();
    expect(clusterOfAlarm(dev2, canaryAlarmName(acme, 'east'), ['east'])).toBeUndefined();
    expect(clusterOfAlarm(dev2, canaryAlarmName(dev2, 'east'), ['east'])?.cluster).toBe('east');
  });

  it('round-trips every canary alarm name to its cluster', () => {
    const clusters = ['a', 'a-b', 'b', 'a-b-c'];
    const scope = { stage: 's', ownerId: 'o' };
    for (const cluster of clusters) expect(clusterOfAlarm(scope, canaryAlarmName(scope, cluster), clusters)?.cluster).toBe(cluster);
  });

  it('matches a canary alarm only in its own stage, whatever the stages (property)', () => {
    const stage = fc.stringMatching(/^[a-z][a-z0-9]{0,19}$/);
    fc.assert(
      fc.property(stage, stage, fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/), (mine, theirs, cluster) => {
        const alarm = canaryAlarmName({ stage: theirs, ownerId: 'acme' }, cluster);
        const found = clusterOfAlarm({ stage: mine, ownerId: 'acme' }, alarm, [cluster]);
        expect(found?.cluster).toBe(mine === theirs ? cluster : undefined);
      }),
    );
  });

  it('fits CloudWatch with the longest stage, ownerId and cluster name the config allows', () => {
    // Prepare: stage ≤ 20 (stacks/naming.ts), ownerId ≤ 63 and cluster ≤ 64 characters (src/core/config.ts).
    const name = canaryAlarmName({ stage: 's'.repeat(20), ownerId: 'o'.repeat(63) }, 'c'.repeat(64));
    // Assess
    expect(name.length).toBeLessThanOrEqual(NAME_LIMITS.alarm);
  });
});
