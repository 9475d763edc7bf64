// Recovery at start of executions a dead runtime left RUNNING: the lock bookkeeping of
// executions that are run again, and lock holders only marked (stopped) so that
// RecoverOperation rolls them back (end to end in test/e2e/restart.test.ts).
import { describe, expect, it } from 'vitest';
import type { Lock } from '../../../../src/core/fleet-document.ts';
import type { Deps } from '../../../../src/core/ports.ts';
import { recoverInterrupted } from '../../../../src/local/runtime/recovery.ts';
import type { ExecutionRecord, LocalStepFunctions } from '@switchyard/local-aws/stepfunctions';
import { MemoryStateTable } from '../../../support/workflows/memory-table.ts';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:switchyard-local-Failover';

function lock(cluster: string, holder: string, token: number, operation: Lock['operation'] = 'failover'): Lock {
  return { cluster, holder, operation, token, acquiredAt: NOW.toISOString(), expiresAt: new Date(NOW.getTime() + 120_000).toISOString() };
}

function execution(name: string): ExecutionRecord {
  return {
    executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${name}`,
    stateMachineArn: MACHINE,
    name,
    status: 'RUNNING',
    startDate: NOW.getTime(),
    input: '{}',
    history: [],
  };
}

function fakeStepFunctions(interrupted: ExecutionRecord[]) {
  const resumed: string[] = [];
  const stopped: string[] = [];
  const stepFunctions = {
    interruptedExecutions: () => interrupted,
    resumeExecution: (arn: string) => void resumed.push(arn),
    stopExecution: (request: { executionArn: string }) => {
      stopped.push(request.executionArn);
      return { stopDate: NOW.getTime() };
    },
  } as unknown as LocalStepFunctions;
  return { stepFunctions, resumed, stopped };
}

async function tableWith(locks: Lock[]): Promise<MemoryStateTable> {
  const table = new MemoryStateTable();
  await table.updateFleet((state) => ({ next: { ...state, lastToken: 10, locks: Object.fromEntries(locks.map((l) => [l.cluster, l])) }, result: null }));
  return table;
}

describe('recoverInterrupted: executions run again', () => {
  it("releases the failover lock an interrupted execution held before running it again, and leaves others' locks alone", async () => {
    // Prepare: the runtime died while failover-east-ALARM held east's short failover lock; a drain holds west's
    const table = await tableWith([lock('east', 'failover-east-ALARM-1', 7), lock('west', 'drain-west-1', 8, 'drain')]);
    const interrupted = execution('failover-east-ALARM-1');
    const { stepFunctions, resumed, stopped } = fakeStepFunctions([interrupted]);
    const deps = { table } as Pick<Deps, 'table'>;
    // Act
    const outcomes = await recoverInterrupted({ stepFunctions, deps, workflowOf: () => 'Failover' });
    // Assess: east is free for the next operation (the re-run may find its alarm stale and take no lock), west untouched
    const state = await table.readFleet();
    expect(Object.keys(state.locks)).toEqual(['west']);
    expect(state.locks['west']).toMatchObject({ holder: 'drain-west-1', token: 8 });
    expect(resumed).toEqual([interrupted.executionArn]);
    expect(stopped).toEqual([]);
    expect(outcomes).toEqual([
      { executionArn: interrupted.executionArn, workflow: 'Failover', action: 'resumed', detail: 'run again from the start; its lock on east released first' },
    ]);
  });

  it('changes nothing in the table for an interrupted execution that held no lock', async () => {
    // Prepare
    const table = await tableWith([lock('east', 'failover-east-ALARM-2', 7)]);
    const before = await table.readFleet();
    const { stepFunctions, resumed } = fakeStepFunctions([execution('failover-east-OK-3')]);
    const deps = { table } as Pick<Deps, 'table'>;
    // Act
    const outcomes = await recoverInterrupted({ stepFunctions, deps, workflowOf: () => 'Failover' });
    // Assess
    expect(await table.readFleet()).toEqual(before);
    expect(resumed).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ action: 'resumed', detail: 'run again from the start' });
  });
});

describe('recoverInterrupted: lock holders', () => {
  it('only stops (marks) an interrupted drain that holds its lock, leaving the lock and weights to RecoverOperation', async () => {
    // Prepare: drain-west-1 holds west's lock, and west's intent names that run
    const interrupted = { ...execution('drain-west-1'), stateMachineArn: MACHINE.replace('Failover', 'DrainCluster') };
    interrupted.executionArn = `${interrupted.stateMachineArn.replace(':stateMachine:', ':execution:')}:drain-west-1`;
    const table = await tableWith([lock('west', 'drain-west-1', 8, 'drain')]);
    await table.updateFleet((state) => ({
      next: {
        ...state,
        intents: {
          west: {
            cluster: 'west',
            state: 'DRAINING',
            weightPercent: 50,
            saved: { state: 'ACTIVE', weightPercent: 100 },
            executionArn: interrupted.executionArn,
          },
        },
      },
      result: null,
    }));
    const before = await table.readFleet();
    const { stepFunctions, resumed, stopped } = fakeStepFunctions([interrupted]);
    // Act
    const outcomes = await recoverInterrupted({ stepFunctions, deps: { table }, workflowOf: () => 'DrainCluster' });
    // Assess
    expect(stopped).toEqual([interrupted.executionArn]);
    expect(resumed).toEqual([]);
    expect(await table.readFleet()).toEqual(before);
    expect(outcomes).toEqual([
      {
        executionArn: interrupted.executionArn,
        workflow: 'DrainCluster',
        action: 'stopped',
        detail: 'held the lock on west: stopped, RecoverOperation rolls it back',
      },
    ]);
  });
});
