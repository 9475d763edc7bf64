// Powertools Tracer in the functions: loaded and used only when the deploy turns tracing on.
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTracing, traced } from '../../../src/lambda/tracing.ts';
import { weightStep } from '../../../src/lambda/handler.ts';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

const stackOf = (client: SFNClient): string[] => client.middlewareStack.identify();

describe('tracing', () => {
  it('loads nothing and leaves clients untouched when tracing is off', async () => {
    expect(await loadTracing({ POWERTOOLS_TRACE_ENABLED: 'false' })).toBeUndefined();
    const client = new SFNClient({ region: 'us-east-1' });
    const before = stackOf(client);
    expect(stackOf(traced(client))).toEqual(before);
  });

  it('traces each invocation and captures every AWS SDK client when tracing is on', async () => {
    // As in a traced Lambda function (the Tracer records nothing outside Lambda).
    Object.assign(process.env, {
      POWERTOOLS_TRACE_ENABLED: 'true',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'switchyard-dev-router',
    });
    const middleware = await loadTracing(process.env);
    expect(typeof middleware?.before).toBe('function');
    expect(typeof middleware?.after).toBe('function');
    const client = new SFNClient({ region: 'us-east-1' });
    const before = stackOf(client);
    const after = stackOf(traced(client));
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.join(' ')).toMatch(/xray/i);
  });
});

describe('weightStep (the dashboard’s weight per cluster)', () => {
  it('reads the cluster from a weight step’s input and the weight from its result', () => {
    expect(weightStep({ op: { cluster: 'east' } }, { weightPercentBefore: 100, weightPercentAfter: 50 })).toEqual({ cluster: 'east', percent: 50 });
    expect(weightStep({ op: { cluster: 'east' } }, { status: 'INSYNC' })).toBeUndefined();
    expect(weightStep(null, { weightPercentAfter: 0 })).toBeUndefined();
  });
});
