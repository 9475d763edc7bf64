// src/workflows: the committed workflows/*.asl.json are what the builders write, and the
// builder refuses a machine whose transitions or state names are wrong.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { workflowFile } from '../../../scripts/workflows.ts';
import { WORKFLOW_NAMES } from '../../../src/core/ports.ts';
import { announce, catcher, choice, END, isTrue, lambdaTask, lambdaRetry, next, pass, stateMachine, states, succeed } from '../../../src/workflows/asl.ts';
import { WORKFLOWS, workflowText } from '../../../src/workflows/index.ts';
import { pollInsync, weightSteps } from '../../../src/workflows/steps.ts';

describe('workflows/*.asl.json', () => {
  it.each([...WORKFLOW_NAMES])('%s is what scripts/workflows.ts writes (run `npm run workflows` after changing src/workflows)', async (name) => {
    expect(await readFile(workflowFile(name), 'utf8')).toBe(workflowText(name));
  });
});

describe('the builder', () => {
  it('gives every Lambda Task the one shared Retry first, then its own', () => {
    // Act
    const task = lambdaTask('reader', { payload: {}, retry: [{ ErrorEquals: ['LockHeld'], IntervalSeconds: 10, MaxAttempts: 6, BackoffRate: 1.5 }] }, END);
    // Assess
    expect(task['Retry']).toEqual([lambdaRetry(), { ErrorEquals: ['LockHeld'], IntervalSeconds: 10, MaxAttempts: 6, BackoffRate: 1.5 }]);
    expect(task['Parameters']).toEqual({ FunctionName: '${reader}', Payload: {} });
  });

  it('announces on ${EventBusName}, carrying on after a failed putEvents unless the event is required', () => {
    expect(announce({ detailType: 'X Happened', detail: '$.x.Detail' }, 'Done')['Catch']).toEqual([catcher('Done', '$.eventError')]);
    expect(announce({ detailType: 'X Happened', detail: '$.x.Detail', required: true }, 'Done')).not.toHaveProperty('Catch');
    expect(announce({ detailType: { path: '$.x.DetailType' }, detail: '$.x.Detail' }, 'Done')['Parameters']).toEqual({
      Entries: [{ Source: 'switchyard', 'DetailType.$': '$.x.DetailType', 'Detail.$': '$.x.Detail', EventBusName: '${EventBusName}' }],
    });
  });

  it('refuses a transition to a state that does not exist, naming both', () => {
    expect(() => stateMachine('t', 'A', { A: pass({}, next('B')) })).toThrow(/state "A" goes to "B", which is not a state here/);
    expect(() => stateMachine('t', 'A', { A: choice([isTrue('$.x', 'Nowhere')], 'A') })).toThrow(/state "A" goes to "Nowhere"/);
    expect(() => stateMachine('t', 'Start', { A: succeed() })).toThrow(/StartAt "Start" is not a state/);
  });

  it('refuses a state name given twice, in one group or across a Map and its machine', () => {
    expect(() => states({ A: succeed() }, { A: succeed() })).toThrow(/state "A" is defined twice/);
    const map = weightSteps('drain', { comment: 'c', onError: 'Failed', next: 'Failed' });
    expect(() => stateMachine('t', 'Steps', { Steps: map, Failed: succeed(), CheckSync: succeed() })).toThrow(/state name "CheckSync" is used twice/);
  });

  it('prefixes the INSYNC poll so that two polls can live in one machine', () => {
    // Act
    const machine = stateMachine(
      't',
      'ACheckSync',
      states(pollInsync({ prefix: 'A', onInsync: 'Done' }), pollInsync({ prefix: 'B', onInsync: 'Done' }), { Done: succeed() }),
    );
    // Assess
    expect(Object.keys(machine.States)).toEqual([
      'ACheckSync',
      'AInSync?',
      'AWaitForSync',
      'ASyncTimedOut',
      'BCheckSync',
      'BInSync?',
      'BWaitForSync',
      'BSyncTimedOut',
      'Done',
    ]);
  });

  it('builds every workflow the deploy knows', () => {
    expect(Object.keys(WORKFLOWS).sort()).toEqual([...WORKFLOW_NAMES].sort());
  });
});
