import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/endpoint.ts';
import { LocalStepFunctions } from '../../src/stepfunctions/engine.ts';
import { stepFunctionsService } from '../../src/stepfunctions/service.ts';
import { clientConfig, hasBoto3, rawCall, runPython, serve, temporaryFolder } from './harness.ts';

const fixtures = join(import.meta.dirname, '../fixtures');
const retryCatch = readFileSync(join(fixtures, 'retry-catch.asl.json'), 'utf8');
const ROLE = 'arn:aws:iam::000000000000:role/switchyard-local';
const LONG_WAIT = JSON.stringify({ StartAt: 'Long', States: { Long: { Type: 'Wait', SecondsPath: '$.seconds', End: true } } });

async function thrown(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, message: failure.message, status: failure.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('local Step Functions over HTTP (SDK v3 SFNClient)', () => {
  let engine: LocalStepFunctions;
  let endpoint: Endpoint;
  let sfn: SFNClient;
  let flakyCalls = 0;

  beforeAll(async () => {
    engine = await LocalStepFunctions.open({
      handlers: {
        flaky: async (event: { fail?: boolean }) => {
          flakyCalls += 1;
          if (event.fail === true) throw Object.assign(new Error('not safe'), { name: 'DrainUnsafe' });
          return { calls: flakyCalls };
        },
      },
      waitScale: 1,
    });
    endpoint = await serve(stepFunctionsService(engine));
    sfn = new SFNClient(clientConfig(endpoint));
  });

  afterAll(async () => {
    sfn.destroy();
    await endpoint.close();
  });

  it('creates, describes and lists state machines; creating the same one again is idempotent', async () => {
    // Act
    const created = await sfn.send(new CreateStateMachineCommand({ name: 'RetryCatch', definition: retryCatch, roleArn: ROLE }));
    const again = await sfn.send(new CreateStateMachineCommand({ name: 'RetryCatch', definition: retryCatch, roleArn: ROLE }));
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    const listed = await sfn.send(new ListStateMachinesCommand({}));

    // Assess
    expect(created.stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:RetryCatch');
    expect(created.creationDate).toBeInstanceOf(Date);
    expect(again.stateMachineArn).toBe(created.stateMachineArn);
    expect(described).toMatchObject({ name: 'RetryCatch', definition: retryCatch, roleArn: ROLE, type: 'STANDARD', status: 'ACTIVE' });
    expect(listed.stateMachines?.map((machine) => machine.name)).toContain('RetryCatch');
  });

  it('refuses a second machine of the same name with another definition', async () => {
    const failure = await thrown(sfn.send(new CreateStateMachineCommand({ name: 'RetryCatch', definition: LONG_WAIT, roleArn: ROLE })));
    expect(failure).toMatchObject({ name: 'StateMachineAlreadyExists', status: 400 });
  });

  it('refuses invalid definitions, names and ARNs with the errors Step Functions uses', async () => {
    const badJson = await thrown(sfn.send(new CreateStateMachineCommand({ name: 'Bad', definition: '{', roleArn: ROLE })));
    const badState = await thrown(sfn.send(new CreateStateMachineCommand({ name: 'Bad', definition: '{"StartAt":"X","States":{}}', roleArn: ROLE })));
    const unknownFunction = await thrown(
      sfn.send(new CreateStateMachineCommand({ name: 'Bad', definition: readFileSync(join(fixtures, 'unknown-function.asl.json'), 'utf8'), roleArn: ROLE })),
    );
    const badName = await thrown(sfn.send(new CreateStateMachineCommand({ name: 'has space', definition: LONG_WAIT, roleArn: ROLE })));
    const badRole = await thrown(sfn.send(new CreateStateMachineCommand({ name: 'Ok', definition: LONG_WAIT, roleArn: 'not-an-arn' })));
    const badArn = await thrown(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:execution:A:b' })));
    const missing = await thrown(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Nope' })));
    const missingExecution = await thrown(sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:Nope:x' })));

    expect(badJson.name).toBe('InvalidDefinition');
    expect(badState.name).toBe('InvalidDefinition');
    expect(unknownFunction).toMatchObject({ name: 'InvalidDefinition', message: expect.stringContaining('doesNotExist') });
    expect(badName).toMatchObject({ name: 'InvalidName', message: "Invalid Name: 'has space'" });
    expect(badRole.name).toBe('InvalidArn');
    expect(badArn.name).toBe('InvalidArn');
    expect(missing).toMatchObject({ name: 'StateMachineDoesNotExist', status: 400, message: expect.stringContaining('stateMachine:Nope') });
    expect(missingExecution.name).toBe('ExecutionDoesNotExist');
  });

  it('runs an execution asynchronously and reports its output and history', async () => {
    // Prepare
    const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:RetryCatch';

    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'first', input: '{"cluster":"a"}' }));
    await engine.waitForExecution(started.executionArn!);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));

    // Assess
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:RetryCatch:first');
    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'first', input: '{"cluster":"a"}' });
    expect(JSON.parse(described.output!)).toEqual({ cluster: 'a', flaky: { value: { calls: expect.any(Number) }, status: 200 } });
    expect(described.stopDate).toBeInstanceOf(Date);
    const types = history.events!.map((event) => event.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.events![2]!.taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: 'us-east-1' });
    expect(history.events![0]!.timestamp).toBeInstanceOf(Date);
  });

  it('reports a failed execution with its error and cause', async () => {
    // Act
    await sfn.send(
      new CreateStateMachineCommand({
        name: 'Failing',
        definition: readFileSync(join(fixtures, 'fail.asl.json'), 'utf8').replace('${check}', '${flaky}'),
        roleArn: ROLE,
      }),
    );
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Failing' }));
    await engine.waitForExecution(started.executionArn!);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));

    // Assess
    expect(described).toMatchObject({ status: 'FAILED', error: 'HealthDegraded', cause: 'a remaining cluster failed' });
  });

  it('treats StartExecution with the same name as AWS does: same input while running is the same call, anything else is taken', async () => {
    // Prepare
    const created = await sfn.send(new CreateStateMachineCommand({ name: 'Waiter', definition: LONG_WAIT, roleArn: ROLE }));

    // Act
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn, name: 'drain-a', input: '{"seconds": 30}' }));
    const same = await sfn.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn, name: 'drain-a', input: '{"seconds":30}' }));
    const different = await thrown(sfn.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn, name: 'drain-a', input: '{"seconds":31}' })));
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn, error: 'Operator', cause: 'test over' }));
    await engine.waitForExecution(first.executionArn!);
    const afterClose = await thrown(
      sfn.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn, name: 'drain-a', input: '{"seconds":30}' })),
    );
    const stopped = await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }));

    // Assess
    expect(same.executionArn).toBe(first.executionArn);
    expect(same.startDate?.getTime()).toBe(first.startDate?.getTime());
    expect(different).toMatchObject({ name: 'ExecutionAlreadyExists', status: 400 });
    expect(afterClose.name).toBe('ExecutionAlreadyExists');
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'test over' });
  });

  it('refuses input that is not JSON', async () => {
    const failure = await thrown(
      sfn.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Waiter', input: '{nope' })),
    );
    expect(failure.name).toBe('InvalidExecutionInput');
  });

  it('lists executions newest first, filtered by status, a page at a time', async () => {
    // Prepare
    const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:Waiter';
    for (const name of ['quick-1', 'quick-2']) {
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: '{"seconds":0}' }));
      await engine.waitForExecution(started.executionArn!);
    }
    const running = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'slow', input: '{"seconds":60}' }));

    // Act
    const firstPage = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2 }));
    const secondPage = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken: firstPage.nextToken }));
    const onlyRunning = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
    const badToken = await thrown(sfn.send(new ListExecutionsCommand({ stateMachineArn, nextToken: 'garbage' })));
    const badFilter = await thrown(sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SLEEPING' as never })));
    await sfn.send(new StopExecutionCommand({ executionArn: running.executionArn }));

    // Assess
    const names = [...firstPage.executions!, ...secondPage.executions!].map((execution) => execution.name);
    expect(names).toEqual(['slow', 'quick-2', 'quick-1', 'drain-a']);
    expect(secondPage.nextToken).toBeUndefined();
    expect(onlyRunning.executions!.map((execution) => execution.name)).toEqual(['slow']);
    expect(badToken.name).toBe('InvalidToken');
    expect(badFilter.name).toBe('ValidationException');
  });

  it('updates a definition; new executions run the new one', async () => {
    // Act
    const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:Waiter';
    await sfn.send(
      new UpdateStateMachineCommand({
        stateMachineArn: arn,
        definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: 'v2', End: true } } }),
      }),
    );
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    await engine.waitForExecution(started.executionArn!);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));

    // Assess
    expect(described.output).toBe('"v2"');
  });

  it('answers unknown operations and malformed JSON like AWS', async () => {
    const unknown = await rawCall(endpoint, 'AWSStepFunctions.FlyToTheMoon', '{}');
    const malformed = await rawCall(endpoint, 'AWSStepFunctions.ListStateMachines', '{not json');
    const missingField = await rawCall(endpoint, 'AWSStepFunctions.DescribeExecution', '{}');

    expect(unknown).toMatchObject({ status: 400, json: { __type: expect.stringMatching(/UnknownOperationException$/) } });
    expect(malformed).toMatchObject({ status: 400, json: { __type: expect.stringMatching(/SerializationException$/) } });
    expect(missingField).toMatchObject({
      status: 400,
      json: { __type: expect.stringMatching(/ValidationException$/), message: expect.stringContaining("'executionArn'") },
    });
  });

  it.skipIf(!hasBoto3)('serves boto3 too (cross-check)', async () => {
    // Act
    const result = await runPython(
      `
import boto3, json, os
sfn = boto3.client('stepfunctions', endpoint_url=os.environ['ENDPOINT'])
machines = [m['name'] for m in sfn.list_state_machines()['stateMachines']]
execution = sfn.describe_execution(executionArn='arn:aws:states:us-east-1:000000000000:execution:RetryCatch:first')
try:
    sfn.describe_state_machine(stateMachineArn='arn:aws:states:us-east-1:000000000000:stateMachine:Nope')
    code = None
except sfn.exceptions.StateMachineDoesNotExist as error:
    code = error.response['Error']['Code']
print(json.dumps({'machines': machines, 'status': execution['status'], 'code': code}))
`,
      endpoint,
    );

    // Assess
    expect(result).toMatchObject({ machines: expect.arrayContaining(['RetryCatch', 'Waiter']), status: 'SUCCEEDED', code: 'StateMachineDoesNotExist' });
  });
});

describe('local Step Functions persistence', () => {
  it('keeps machines and executions across a restart and reports executions the dead process left RUNNING', async () => {
    // Prepare
    const folder = await temporaryFolder('sfn');
    const options = { handlers: {}, stateDir: folder.path, waitScale: 1 };
    try {
      const first = await LocalStepFunctions.open(options);
      const { stateMachineArn } = first.createStateMachine({ name: 'Waiter', definition: LONG_WAIT, roleArn: ROLE });
      const done = first.startExecution({ stateMachineArn, name: 'done', input: '{"seconds":0}' });
      await first.waitForExecution(done.executionArn);
      const running = first.startExecution({ stateMachineArn, name: 'running', input: '{"seconds":1}' });
      const stoppable = first.startExecution({ stateMachineArn, name: 'stoppable', input: '{"seconds":600}' });
      await first.close(); // the process "dies": nothing more is written

      // Act
      const second = await LocalStepFunctions.open(options);
      const interrupted = second
        .interruptedExecutions()
        .map((record) => record.name)
        .sort();
      second.resumeExecution(running.executionArn);
      const resumed = await second.waitForExecution(running.executionArn);
      second.stopExecution({ executionArn: stoppable.executionArn, error: 'Rollback', cause: 'process died mid-run' });
      await second.flush();
      const third = await LocalStepFunctions.open(options);

      // Assess
      expect(interrupted).toEqual(['running', 'stoppable']);
      expect(second.describeStateMachine(stateMachineArn).definition).toBe(LONG_WAIT);
      expect(await second.describeExecution(done.executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '{"seconds":0}' });
      expect(resumed).toMatchObject({ status: 'SUCCEEDED', resumeCount: 1 });
      expect(resumed.history.filter((event) => event.type === 'ExecutionStarted')).toHaveLength(2);
      expect(await third.describeExecution(stoppable.executionArn)).toMatchObject({ status: 'ABORTED', error: 'Rollback' });
      expect((await third.describeExecution(running.executionArn)).status).toBe('SUCCEEDED');
      expect(third.interruptedExecutions()).toEqual([]);
      await second.close();
      await third.close();
    } finally {
      await folder.remove();
    }
  });
});
