import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileWorkflow, runWorkflow, waitMilliseconds, type PutEventsRequestEntry } from '../../../src/stepfunctions/runner.ts';

const fixtures = join(import.meta.dirname, '../../fixtures');
/** A handler's named error, as an application throws one (its `name` becomes the States error). */
class DrainUnsafe extends Error {
  override name = 'DrainUnsafe';
}
const fixture = (name: string): object => JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as object;

class Transient extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Transient';
  }
}

function collectingSink(): {
  sent: PutEventsRequestEntry[];
  putEvents: (entries: PutEventsRequestEntry[]) => Promise<{ Entries: Array<{ EventId: string }>; FailedEntryCount: number }>;
} {
  const sent: PutEventsRequestEntry[] = [];
  return {
    sent,
    putEvents: async (entries) => {
      sent.push(...entries);
      return { Entries: entries.map((_, index) => ({ EventId: `event-${sent.length - entries.length + index}` })), FailedEntryCount: 0 };
    },
  };
}

describe('runWorkflow', () => {
  it('wraps a handler result in the lambda:invoke envelope and hands the handler the payload and a Lambda context', async () => {
    // Prepare
    const seen: Array<{ event: unknown; functionName: string; remaining: number }> = [];
    const handlers = {
      flaky: async (event: unknown, context: { functionName: string; getRemainingTimeInMillis(): number }) => {
        seen.push({ event, functionName: context.functionName, remaining: context.getRemainingTimeInMillis() });
        return { ok: true };
      },
    };

    // Act
    const outcome = await runWorkflow(fixture('retry-catch.asl.json'), { cluster: 'a' }, { handlers });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output).toEqual({ cluster: 'a', flaky: { value: { ok: true }, status: 200 } });
    expect(seen).toEqual([{ event: { cluster: 'a' }, functionName: 'flaky', remaining: expect.any(Number) }]);
    expect(seen[0]!.remaining).toBeGreaterThan(50_000);
  });

  it('retries a Task on the error name it threw, then succeeds', async () => {
    // Prepare
    let calls = 0;
    const handlers = {
      flaky: async () => {
        calls += 1;
        if (calls < 3) throw new Transient(`attempt ${calls}`);
        return calls;
      },
    };

    // Act
    const outcome = await runWorkflow(fixture('retry-catch.asl.json'), {}, { handlers, waitScale: 0 });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(calls).toBe(3);
    const taskEvents = outcome.history.map((event) => event.type).filter((type) => type.startsWith('Task'));
    expect(taskEvents).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
  });

  it('fails the execution with the error name and Lambda cause once retries are exhausted', async () => {
    // Prepare
    const handlers = { flaky: async () => Promise.reject(new Transient('still down')) };

    // Act
    const outcome = await runWorkflow(fixture('retry-catch.asl.json'), {}, { handlers, waitScale: 0 });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('Transient');
    expect(JSON.parse(outcome.cause!)).toMatchObject({ errorType: 'Transient', errorMessage: 'still down' });
    expect(outcome.history.at(-1)).toMatchObject({ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'Transient' } });
  });

  it('catches a named error thrown by a handler with $.Error and $.Cause shaped like AWS', async () => {
    // Prepare
    const handlers = {
      flaky: async () => {
        throw new DrainUnsafe('would leave shop.example.com without a healthy cluster');
      },
    };

    // Act
    const outcome = await runWorkflow(fixture('retry-catch.asl.json'), { cluster: 'a' }, { handlers });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    const { error } = outcome.output as { error: { Error: string; Cause: string } };
    expect(error.Error).toBe('DrainUnsafe');
    expect(JSON.parse(error.Cause)).toMatchObject({
      errorType: 'DrainUnsafe',
      errorMessage: 'would leave shop.example.com without a healthy cluster',
      trace: expect.any(Array),
    });
  });

  it('runs Map iterations, scaled Wait states and a putEvents Task with the optimized integration behaviour', async () => {
    // Prepare
    const sink = collectingSink();
    const handlers = { weigh: async (event: { cluster: string }) => ({ cluster: event.cluster, weight: event.cluster.length }) };
    const workflow = compileWorkflow(fixture('map-wait-events.asl.json'), {
      handlers,
      putEvents: sink.putEvents,
      waitScale: 0,
      eventBusName: 'switchyard-bus',
    });

    // Act
    const started = Date.now();
    const outcome = await workflow.start(
      { clusters: ['a', 'bb'], bakeSeconds: 60 },
      {
        executionArn: 'arn:aws:states:us-east-1:000000000000:execution:Drain:one',
        stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Drain',
      },
    ).outcome;

    // Assess
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output).toMatchObject({
      weights: [
        { cluster: 'a', weight: 1 },
        { cluster: 'bb', weight: 2 },
      ],
      announced: { FailedEntryCount: 0 },
    });
    expect(sink.sent).toEqual([
      {
        Source: 'switchyard',
        DetailType: 'Cluster Drained',
        EventBusName: 'switchyard-bus',
        Detail: JSON.stringify({
          weights: [
            { cluster: 'a', weight: 1 },
            { cluster: 'bb', weight: 2 },
          ],
        }),
        Resources: ['arn:aws:states:us-east-1:000000000000:execution:Drain:one', 'arn:aws:states:us-east-1:000000000000:stateMachine:Drain'],
      },
    ]);
    const types = outcome.history.map((event) => event.type);
    expect(types).toContain('WaitStateEntered');
    expect(types.filter((type) => type === 'MapIterationSucceeded')).toHaveLength(2);
  });

  it('scales a Wait read from the input by waitScale', async () => {
    // Prepare
    const definition = { StartAt: 'Bake', States: { Bake: { Type: 'Wait', SecondsPath: '$.bakeSeconds', End: true } } };

    // Act
    const started = Date.now();
    const outcome = await runWorkflow(definition, { bakeSeconds: 10 }, { handlers: {}, waitScale: 0.02 });
    const elapsed = Date.now() - started;

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output).toEqual({ bakeSeconds: 10 });
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('fails a putEvents Task with EventBridge.FailedEntry when the bus rejects an entry', async () => {
    // Prepare
    const putEvents = async () => ({ Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' }], FailedEntryCount: 1 });
    const handlers = { weigh: async () => ({}) };

    // Act
    const outcome = await runWorkflow(fixture('map-wait-events.asl.json'), { clusters: [], bakeSeconds: 0 }, { handlers, putEvents, waitScale: 0 });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('EventBridge.FailedEntry');
  });

  it('refuses a definition whose Task names a function with no local handler, before running anything', () => {
    // Act / Assess
    expect(() => compileWorkflow(fixture('unknown-function.asl.json'), { handlers: {}, label: 'unknown-function.asl.json' })).toThrow(
      /unknown-function\.asl\.json: no local handler for function\(s\) "doesNotExist"/,
    );
  });

  it('refuses Task resources other than lambda:invoke and events:putEvents', () => {
    // Prepare
    const definition = {
      StartAt: 'Sync',
      States: { Sync: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync', Parameters: {}, End: true } },
    };

    // Act / Assess
    expect(() => compileWorkflow(definition, { handlers: {} })).toThrow(/cannot run locally/);
  });

  it('refuses a putEvents Task when no sink was given, and a JSONata definition', () => {
    expect(() => compileWorkflow(fixture('map-wait-events.asl.json'), { handlers: { weigh: async () => 1 } })).toThrow(/no putEvents sink/);
    const jsonata = { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    expect(() => compileWorkflow(jsonata, { handlers: {} })).toThrow(/JSONata/);
  });

  it("refuses an invalid definition with the validator's reason", () => {
    expect(() => compileWorkflow({ StartAt: 'Missing', States: {} }, { handlers: {}, label: 'broken' })).toThrow(/broken: SCHEMA_VALIDATION_FAILED/);
    expect(() => compileWorkflow('{not json', { handlers: {} })).toThrow(/not valid JSON/);
    expect(() => compileWorkflow({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, { handlers: {}, waitScale: -1 })).toThrow(/waitScale/);
  });

  it("gives a Task without TimeoutSeconds its function's configured timeout: the handler sees it, and outliving it fails States.Timeout", async () => {
    // Prepare
    const remaining: number[] = [];
    const handlers = {
      check: async (_event: unknown, context: { getRemainingTimeInMillis(): number }) => {
        remaining.push(context.getRemainingTimeInMillis());
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return { late: true };
      },
    };

    // Act
    const outcome = await runWorkflow(fixture('fail.asl.json'), {}, { handlers, handlerTimeouts: { check: 1 } });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('States.Timeout');
    expect(remaining).toHaveLength(1);
    expect(remaining[0]).toBeLessThanOrEqual(1000);
    expect(outcome.history.find((e) => e.type === 'TaskScheduled')).toMatchObject({ taskScheduledEventDetails: { timeoutInSeconds: 1 } });
  });

  it('keeps the 60 s default for a function with no configured timeout', async () => {
    // Prepare
    const remaining: number[] = [];
    const handlers = {
      check: async (_event: unknown, context: { getRemainingTimeInMillis(): number }) => void remaining.push(context.getRemainingTimeInMillis()),
    };

    // Act
    await runWorkflow(fixture('fail.asl.json'), {}, { handlers, handlerTimeouts: { other: 600 } });

    // Assess
    expect(remaining[0]).toBeGreaterThan(50_000);
    expect(remaining[0]).toBeLessThanOrEqual(60_000);
  });

  it("ends with a Fail state's Error and Cause", async () => {
    // Act
    const outcome = await runWorkflow(fixture('fail.asl.json'), {}, { handlers: { check: async () => 'checked' } });

    // Assess
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'HealthDegraded', cause: 'a remaining cluster failed' });
    expect(outcome.history.map((event) => event.type)).toContain('FailStateEntered');
  });

  it('stops a running execution: ABORTED with the stop reason, and the handler outcome is ignored', async () => {
    // Prepare
    const definition = { StartAt: 'Long', States: { Long: { Type: 'Wait', Seconds: 600, End: true } } };
    const workflow = compileWorkflow(definition, { handlers: {} });
    const run = workflow.start({});

    // Act
    setTimeout(() => run.stop('Operator', 'changed my mind'), 20);
    const outcome = await run.outcome;

    // Assess
    expect(outcome).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'changed my mind' });
    expect(outcome.history.at(-1)).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Operator', cause: 'changed my mind' } });
  });

  it('exposes the execution ARN to the definition through the context object', async () => {
    // Prepare
    const definition = {
      StartAt: 'Who',
      States: { Who: { Type: 'Pass', Parameters: { 'id.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name' }, End: true } },
    };

    // Act
    const outcome = await compileWorkflow(definition, { handlers: {} }).start(
      {},
      { executionArn: 'arn:aws:states:us-east-1:000000000000:execution:M:run-1', name: 'run-1' },
    ).outcome;

    // Assess
    expect(outcome.output).toEqual({ id: 'arn:aws:states:us-east-1:000000000000:execution:M:run-1', name: 'run-1' });
  });

  it('numbers history events in order, starting with ExecutionStarted', async () => {
    // Act
    const outcome = await runWorkflow(fixture('retry-catch.asl.json'), { a: 1 }, { handlers: { flaky: async () => 1 } });

    // Assess
    expect(outcome.history[0]).toMatchObject({ id: 1, previousEventId: 0, type: 'ExecutionStarted', executionStartedEventDetails: { input: '{"a":1}' } });
    expect(outcome.history.map((event) => event.id)).toEqual(outcome.history.map((_, index) => index + 1));
  });
});

describe('waitMilliseconds', () => {
  it('reads Seconds, SecondsPath, Timestamp and TimestampPath', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(waitMilliseconds({ Seconds: 3 }, {}, {}, now)).toBe(3000);
    expect(waitMilliseconds({ SecondsPath: '$.bake.seconds' }, { bake: { seconds: 7 } }, {}, now)).toBe(7000);
    expect(waitMilliseconds({ Timestamp: '2030-01-01T00:00:05Z' }, {}, {}, now)).toBe(5000);
    expect(waitMilliseconds({ TimestampPath: "$['until']" }, { until: '2029-12-31T00:00:00Z' }, {}, now)).toBe(0);
  });

  it('fails with States.Runtime when the path does not point at a usable value', () => {
    expect(() => waitMilliseconds({ SecondsPath: '$.missing' }, {}, {})).toThrow(expect.objectContaining({ name: 'States.Runtime' }));
    expect(() => waitMilliseconds({ SecondsPath: '$.n' }, { n: -1 }, {})).toThrow(/non-negative integer/);
  });
});

describe('runWorkflow putEvents errors', () => {
  it('names a bus error EventBridge.<Exception>, as service integrations do', async () => {
    // Prepare
    const { AwsServiceError } = await import('../../../src/aws-json.ts');
    const putEvents = async () => {
      throw new AwsServiceError('ValidationException', '1 validation error detected');
    };
    const definition = {
      StartAt: 'Put',
      States: { Put: { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents', Parameters: { Entries: [] }, End: true } },
    };

    // Act
    const outcome = await runWorkflow(definition, {}, { handlers: {}, putEvents });

    // Assess
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'EventBridge.ValidationException', cause: '1 validation error detected' });
  });
});
