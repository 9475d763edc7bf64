import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../../src/stepfunctions/runner.ts';

const LAMBDA = 'arn:aws:states:::lambda:invoke';

describe('local Step Functions: "ResultPath": "$" replaces the input, as on AWS', () => {
  it('on a Pass state: the output is the result alone, with no field named "$"', async () => {
    // Prepare
    const definition = { StartAt: 'Replace', States: { Replace: { Type: 'Pass', Result: { answer: 42 }, ResultPath: '$', End: true } } };

    // Act
    const outcome = await runWorkflow(definition, { kept: 'no' }, { handlers: {} });

    // Assess
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { answer: 42 } });
  });

  it("on a Task and on its Catch: the Lambda's payload, then the error output, replace the state input", async () => {
    // Prepare: the same Task twice, once succeeding and once failing into its Catch
    const task = (fn: string) => ({
      Type: 'Task',
      Resource: LAMBDA,
      Parameters: { FunctionName: fn, 'Payload.$': '$' },
      ResultSelector: { 'value.$': '$.Payload' },
      ResultPath: '$',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$', Next: 'Caught' }],
      End: true,
    });
    const definition = (fn: string) => ({ StartAt: 'Call', States: { Call: task(fn), Caught: { Type: 'Pass', End: true } } });
    const handlers = {
      answers: async () => ({ ok: true }),
      fails: async () => {
        throw Object.assign(new Error('nope'), { name: 'Refused' });
      },
    };

    // Act
    const succeeded = await runWorkflow(definition('answers'), { input: 1 }, { handlers });
    const caught = await runWorkflow(definition('fails'), { input: 1 }, { handlers });

    // Assess
    expect(succeeded).toMatchObject({ status: 'SUCCEEDED', output: { value: { ok: true } } });
    expect(caught.status).toBe('SUCCEEDED');
    expect(caught.output).toMatchObject({ Error: 'Refused' });
    expect(caught.output).not.toHaveProperty('input');
    expect(caught.output).not.toHaveProperty('$');
  });
});
