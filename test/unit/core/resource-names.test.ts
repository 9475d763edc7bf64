import { describe, expect, it } from 'vitest';
import { busName, stagePrefix, stageResourceName, stateMachineName, stateTableName } from '../../../src/core/resource-names.ts';
import { resourceName } from '../../../stacks/naming.ts';
import { alarmPrefix } from '../../../src/core/alarm-names.ts';
import { localNames } from '../../../src/local/runtime/names.ts';

describe('resource names (one spelling for the deploy, the CLI, the dashboard and the local runtime)', () => {
  it('names a stage’s table, bus and state machines <app>-<stage>-<part>', () => {
    expect(stagePrefix('prod')).toBe('switchyard-prod-');
    expect(stateTableName('prod')).toBe('switchyard-prod-state');
    expect(busName('prod')).toBe('switchyard-prod-bus');
    expect(stateMachineName('prod', 'DrainCluster')).toBe('switchyard-prod-DrainCluster');
    expect(stageResourceName('dev', 'router-dlq')).toBe('switchyard-dev-router-dlq');
  });

  it('gives the deploy, the alarms and the local runtime the same names', () => {
    expect(resourceName('switchyard', 'prod', 'state', 'table')).toBe(stateTableName('prod'));
    expect(alarmPrefix({ stage: 'prod', ownerId: 'acme' })).toBe(`${stagePrefix('prod')}acme-`);
    const local = localNames('local');
    expect([local.table, local.bus, local.stateMachine('Reconcile')]).toEqual([
      stateTableName('local'),
      busName('local'),
      stateMachineName('local', 'Reconcile'),
    ]);
  });
});
