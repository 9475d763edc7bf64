import { describe, expect, it } from 'vitest';
import { runWorkflow, type HistoryEvent } from '../../../src/stepfunctions/runner.ts';

class StepFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailed';
  }
}

class Transient extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Transient';
  }
}

interface Item {
  id: number;
  fail?: 'always' | 'once' | 'transient';
  slowMs?: number;
}

/** A Map over $.items whose iteration runs the Apply task; a failed Map is caught and runs Rollback. */
function mapWorkflow(maxConcurrency: number, applyExtras: Record<string, unknown> = {}, iteratorStates: Record<string, unknown> = {}): object {
  return {
    StartAt: 'Steps',
    States: {
      Steps: {
        Type: 'Map',
        ItemsPath: '$.items',
        MaxConcurrency: maxConcurrency,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Apply',
          States: {
            Apply: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: { FunctionName: '${apply}', 'Payload.$': '$' },
              ResultSelector: { 'id.$': '$.Payload' },
              End: true,
              ...applyExtras,
            },
            ...iteratorStates,
          },
        },
        ResultPath: '$.results',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Rollback' }],
        End: true,
      },
      Rollback: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: '${rollback}', 'Payload.$': '$.error' },
        ResultPath: null,
        End: true,
      },
    },
  };
}

function recordingHandlers(): { applied: number[]; rolledBack: unknown[]; handlers: Record<string, (event: any) => Promise<unknown>> } {
  const applied: number[] = [];
  const rolledBack: unknown[] = [];
  const failedOnce = new Set<number>();
  return {
    applied,
    rolledBack,
    handlers: {
      apply: async (item: Item) => {
        applied.push(item.id);
        if (item.slowMs !== undefined) await new Promise((resolve) => setTimeout(resolve, item.slowMs));
        if (item.fail === 'always') throw new StepFailed(`item ${item.id}`);
        if (item.fail === 'transient') throw new Transient(`item ${item.id}`);
        if (item.fail === 'once' && !failedOnce.has(item.id)) {
          failedOnce.add(item.id);
          throw new StepFailed(`item ${item.id} first attempt`);
        }
        return item.id;
      },
      rollback: async (error: unknown) => {
        rolledBack.push(error);
        return {};
      },
    },
  };
}

/** Item ids of the Apply tasks the execution history shows as scheduled. */
function taskItemIds(history: HistoryEvent[]): number[] {
  return history
    .filter((event) => event.type === 'TaskScheduled')
    .flatMap((event) => {
      const parameters = (event['taskScheduledEventDetails'] as { parameters?: string } | undefined)?.parameters;
      if (parameters === undefined) return [];
      const payload = (JSON.parse(parameters) as { Payload: { id?: number } }).Payload;
      return payload.id === undefined ? [] : [payload.id];
    });
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('a failed Map iteration stops the Map', () => {
  it('with MaxConcurrency 1, starts none of the items queued behind the failed one and runs the Map Catch', async () => {
    // Prepare
    const { applied, rolledBack, handlers } = recordingHandlers();
    const items: Item[] = [{ id: 1, fail: 'always' }, { id: 2 }, { id: 3 }];

    // Act
    const outcome = await runWorkflow(mapWorkflow(1), { items }, { handlers });
    await settle(); // the library used to start the queued items after the Map had settled

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(applied).toEqual([1]);
    expect(rolledBack).toEqual([{ Error: 'StepFailed', Cause: expect.stringContaining('item 1') }]);
    expect(taskItemIds(outcome.history)).toEqual([1]);
    expect(outcome.history.filter((event) => event.type === 'TaskStarted')).toHaveLength(2); // Apply of item 1, Rollback
    const iterations = outcome.history.filter((event) => event.type === 'MapIterationStarted');
    expect(iterations).toHaveLength(1);
  });

  it('with MaxConcurrency 2, lets the started item end but never starts the queued ones', async () => {
    // Prepare
    const { applied, handlers } = recordingHandlers();
    const items: Item[] = [{ id: 1, fail: 'always', slowMs: 5 }, { id: 2, slowMs: 30 }, { id: 3 }, { id: 4 }];

    // Act
    const outcome = await runWorkflow(mapWorkflow(2), { items }, { handlers });
    await settle();

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect([...applied].sort()).toEqual([1, 2]);
    expect(taskItemIds(outcome.history).filter((id) => id > 2)).toEqual([]);
    expect(outcome.history.some((event) => event.type === 'TaskScheduled' && JSON.stringify(event).includes('rollback'))).toBe(true);
  });

  it('does not retry a Task of a started iteration once another iteration has failed the Map', async () => {
    // Prepare: item 2 fails at once and waits 200 ms to retry; item 1 fails the Map meanwhile
    const { applied, handlers } = recordingHandlers();
    const retried = { Retry: [{ ErrorEquals: ['Transient'], IntervalSeconds: 1, MaxAttempts: 5 }] };
    const items: Item[] = [{ id: 1, fail: 'always', slowMs: 20 }, { id: 2, fail: 'transient' }, { id: 3 }];

    // Act
    const outcome = await runWorkflow(mapWorkflow(2, retried), { items }, { handlers, waitScale: 0.2 });
    await new Promise((resolve) => setTimeout(resolve, 400));

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect([...applied].sort()).toEqual([1, 2]);
  });

  it('fails the execution without starting queued items when the Map has no Catch', async () => {
    // Prepare
    const { applied, rolledBack, handlers } = recordingHandlers();
    const definition = mapWorkflow(1) as { States: { Steps: Record<string, unknown> } };
    delete definition.States.Steps['Catch'];
    delete (definition.States as Record<string, unknown>)['Rollback'];

    // Act
    const outcome = await runWorkflow(definition, { items: [{ id: 1 }, { id: 2, fail: 'always' }, { id: 3 }] }, { handlers });
    await settle();

    // Assess
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'StepFailed' });
    expect(applied).toEqual([1, 2]);
    expect(rolledBack).toEqual([]);
  });
});

describe('a Map whose iterations do not fail runs every item', () => {
  it('runs all items when an iteration error is caught inside the iterator', async () => {
    // Prepare
    const { applied, rolledBack, handlers } = recordingHandlers();
    const caught = { Catch: [{ ErrorEquals: ['StepFailed'], ResultPath: '$.error', Next: 'Skipped' }] };
    const definition = mapWorkflow(1, caught, { Skipped: { Type: 'Pass', Result: 'skipped', End: true } });

    // Act
    const outcome = await runWorkflow(definition, { items: [{ id: 1, fail: 'always' }, { id: 2 }, { id: 3 }] }, { handlers });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(applied).toEqual([1, 2, 3]);
    expect(rolledBack).toEqual([]);
    expect((outcome.output as { results: unknown[] }).results).toEqual(['skipped', { id: 2 }, { id: 3 }]);
  });

  it('runs all items when a retried error later succeeds', async () => {
    // Prepare
    const { applied, rolledBack, handlers } = recordingHandlers();
    const retried = { Retry: [{ ErrorEquals: ['StepFailed'], IntervalSeconds: 1, MaxAttempts: 2 }] };

    // Act
    const outcome = await runWorkflow(mapWorkflow(1, retried), { items: [{ id: 1, fail: 'once' }, { id: 2 }, { id: 3 }] }, { handlers, waitScale: 0 });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(applied).toEqual([1, 1, 2, 3]);
    expect(rolledBack).toEqual([]);
    expect((outcome.output as { results: unknown[] }).results).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('runs a successful Map as before, in item order', async () => {
    // Prepare
    const { applied, handlers } = recordingHandlers();

    // Act
    const outcome = await runWorkflow(mapWorkflow(1), { items: [{ id: 1 }, { id: 2 }, { id: 3 }] }, { handlers });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(applied).toEqual([1, 2, 3]);
    expect(outcome.output).toEqual({ items: [{ id: 1 }, { id: 2 }, { id: 3 }], results: [{ id: 1 }, { id: 2 }, { id: 3 }] });
    expect(taskItemIds(outcome.history)).toEqual([1, 2, 3]);
    expect(outcome.history.filter((event) => event.type === 'TaskStarted')).toHaveLength(3);
  });

  it('runs the same Map again in the same execution after it failed once', async () => {
    // Prepare: the Map's Catch loops back to it once with items that succeed
    const { applied, handlers } = recordingHandlers();
    const definition = mapWorkflow(1) as { States: Record<string, Record<string, unknown>> };
    definition.States['Steps']!['Catch'] = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Again' }];
    delete definition.States['Rollback'];
    definition.States['Again'] = { Type: 'Pass', Result: [{ id: 4 }, { id: 5 }], ResultPath: '$.items', Next: 'Steps' };

    // Act
    const outcome = await runWorkflow(definition, { items: [{ id: 1, fail: 'always' }, { id: 2 }] }, { handlers });
    await settle();

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(applied).toEqual([1, 4, 5]);
  });
});
