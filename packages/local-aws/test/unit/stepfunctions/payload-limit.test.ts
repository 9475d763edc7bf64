import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../../src/stepfunctions/runner.ts';
import { MAX_PAYLOAD_BYTES, payloadBytes } from '../../../src/stepfunctions/payload-limit.ts';

const LAMBDA = 'arn:aws:states:::lambda:invoke';
const RESULT_TOO_LARGE = (what: string) => `The state/task '${what}' returned a result with a size exceeding the maximum number of bytes service limit.`;

/** A JSON string value whose JSON text is exactly `bytes` UTF-8 bytes, made of `char`. */
function jsonStringOf(bytes: number, char = 'x'): string {
  const each = Buffer.byteLength(char, 'utf8');
  const value = char.repeat(Math.floor((bytes - 2) / each));
  expect(Buffer.byteLength(JSON.stringify(value), 'utf8')).toBe(bytes);
  return value;
}

const invoke = (next: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: LAMBDA,
  Parameters: { FunctionName: 'big', 'Payload.$': '$' },
  ...extra,
  ...next,
});

describe('local Step Functions: the 256 KiB payload quota while an execution runs', () => {
  it('passes a state output of exactly 262,144 bytes and refuses one byte more, counted in UTF-8 bytes, not characters', async () => {
    // Prepare: a Pass state hands its input on as its output
    const definition = { StartAt: 'Hand on', States: { 'Hand on': { Type: 'Pass', End: true } } };
    const atLimit = jsonStringOf(MAX_PAYLOAD_BYTES, 'é');
    const overLimit = `${atLimit}é`;

    // Act
    const passed = await runWorkflow(definition, atLimit, { handlers: {} });
    const refused = await runWorkflow(definition, overLimit, { handlers: {} });

    // Assess: 131,074 characters of JSON text are 262,146 bytes
    expect(payloadBytes(overLimit)).toBe(MAX_PAYLOAD_BYTES + 2);
    expect(passed.status).toBe('SUCCEEDED');
    expect(refused).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded', cause: RESULT_TOO_LARGE('Hand on') });
    expect(refused.history.map((event) => event.type)).not.toContain('PassStateExited');
  });

  it('fails a Task whose Lambda result is over the quota; its Catch (States.ALL) handles it as AWS does', async () => {
    // Prepare
    const definition = {
      StartAt: 'Invoke',
      States: {
        Invoke: invoke({ Next: 'Done' }, { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handled' }] }),
        Done: { Type: 'Succeed' },
        Handled: { Type: 'Pass', End: true },
      },
    };
    const handlers = { big: async () => ({ blob: 'x'.repeat(MAX_PAYLOAD_BYTES) }) };

    // Act
    const outcome = await runWorkflow(definition, { app: 'shop' }, { handlers });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output).toEqual({ app: 'shop', error: { Error: 'States.DataLimitExceeded', Cause: RESULT_TOO_LARGE('lambda') } });
    const failed = outcome.history.find((event) => event.type === 'TaskFailed');
    expect(failed?.['taskFailedEventDetails']).toMatchObject({ error: 'States.DataLimitExceeded', cause: RESULT_TOO_LARGE('lambda') });
  });

  it('fails the execution when a Task result over the quota is not caught', async () => {
    // Prepare
    const definition = { StartAt: 'Invoke', States: { Invoke: invoke({ End: true }) } };
    const handlers = { big: async () => 'x'.repeat(MAX_PAYLOAD_BYTES) };

    // Act
    const outcome = await runWorkflow(definition, {}, { handlers });

    // Assess
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded', cause: RESULT_TOO_LARGE('lambda') });
  });

  it("ends the execution when a state's output grows over the quota through ResultPath, whatever its Catch says", async () => {
    // Prepare: the input is 200 KB, the result 100 KB: each fits, the merged output does not
    const definition = {
      StartAt: 'Invoke',
      States: {
        Invoke: invoke(
          { Next: 'Done' },
          {
            Parameters: { FunctionName: 'big', Payload: {} },
            ResultPath: '$.result',
            Catch: [{ ErrorEquals: ['States.DataLimitExceeded', 'States.ALL'], ResultPath: '$.error', Next: 'Handled' }],
          },
        ),
        Done: { Type: 'Succeed' },
        Handled: { Type: 'Pass', End: true },
      },
    };
    const handlers = { big: async () => 'y'.repeat(100_000) };

    // Act
    const outcome = await runWorkflow(definition, { carried: 'x'.repeat(200_000) }, { handlers });

    // Assess
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded', cause: RESULT_TOO_LARGE('Invoke') });
    expect(outcome.history.map((event) => event.type)).not.toContain('PassStateEntered');
  });

  it("ends the execution before the Lambda runs when a Task's input after Parameters is over the quota", async () => {
    // Prepare: Parameters hands the same 150 KB twice
    let calls = 0;
    const definition = {
      StartAt: 'Invoke',
      States: {
        Invoke: invoke(
          { Next: 'Done' },
          {
            Parameters: { FunctionName: 'big', Payload: { 'a.$': '$.half', 'b.$': '$.half' } },
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }],
          },
        ),
        Done: { Type: 'Succeed' },
        Handled: { Type: 'Pass', End: true },
      },
    };
    const handlers = {
      big: async () => {
        calls += 1;
        return {};
      },
    };

    // Act
    const outcome = await runWorkflow(definition, { half: 'x'.repeat(150_000) }, { handlers });

    // Assess
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(outcome.cause).toContain("'Invoke'");
    expect(calls).toBe(0);
    expect(outcome.history.map((event) => event.type)).not.toContain('TaskScheduled');
  });

  it("fails a Map whose collected results pass the quota, and the Map's Catch does not take it", async () => {
    // Prepare: ten iterations of 30 KB each, 300 KB together
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'One',
            States: { One: invoke({ End: true }, { ResultSelector: { 'v.$': '$.Payload' } }) },
          },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
        Handled: { Type: 'Pass', End: true },
      },
    };
    const handlers = { big: async () => 'x'.repeat(30_000) };

    // Act
    const outcome = await runWorkflow(definition, { items: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] }, { handlers });

    // Assess
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded', cause: RESULT_TOO_LARGE('Each') });
  });

  it("ends the execution when a state inside a Map iteration passes the quota; the Map's Catch does not take it", async () => {
    // Prepare
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Grow',
            States: { Grow: { Type: 'Pass', Parameters: { 'a.$': '$', 'b.$': '$' }, End: true } },
          },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
        Handled: { Type: 'Pass', End: true },
      },
    };

    // Act
    const outcome = await runWorkflow(definition, { items: ['x'.repeat(150_000)] }, { handlers: {} });

    // Assess
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded', cause: RESULT_TOO_LARGE('Grow') });
  });

  it('refuses an events:putEvents state whose entries are over the quota before anything is put: the limit a workflow event meets', async () => {
    // Prepare: two entries of 150 KB each, built by Parameters from a 150 KB input
    const sent: unknown[] = [];
    const definition = {
      StartAt: 'Announce',
      States: {
        Announce: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: {
            Entries: [
              { Source: 'switchyard', DetailType: 'Cluster Drained', 'Detail.$': '$.detail' },
              { Source: 'switchyard', DetailType: 'Cluster Drained', 'Detail.$': '$.detail' },
            ],
          },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Pass', End: true },
      },
    };
    const putEvents = async (entries: unknown[]) => {
      sent.push(...entries);
      return { Entries: entries.map(() => ({ EventId: 'id' })), FailedEntryCount: 0 };
    };

    // Act
    const outcome = await runWorkflow(definition, { detail: { apps: 'x'.repeat(150_000) } }, { handlers: {}, putEvents });

    // Assess
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(sent).toEqual([]);
  });
});
