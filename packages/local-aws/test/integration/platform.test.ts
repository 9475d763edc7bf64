import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { deployWorkflows, openLocalPlatform } from '../../src/platform.ts';
import { clientConfig, serve, temporaryFolder } from './harness.ts';

const drain = {
  StartAt: 'Weigh',
  States: {
    Weigh: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: '${weigh}', 'Payload.$': '$' },
      ResultSelector: { 'weight.$': '$.Payload' },
      ResultPath: '$.result',
      Next: 'Bake',
    },
    Bake: { Type: 'Wait', Seconds: 300, Next: 'Announce' },
    Announce: {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: { Entries: [{ Source: 'switchyard', DetailType: 'Cluster Drained', EventBusName: '${EventBusName}', Detail: { 'cluster.$': '$.cluster' } }] },
      End: true,
    },
  },
};
const notify = {
  StartAt: 'Record',
  States: {
    Record: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: '${record}', 'Payload.$': '$' },
      OutputPath: '$.Payload',
      End: true,
    },
  },
};

describe('the local platform on one endpoint', () => {
  it('runs a workflow whose event starts another workflow through a bus rule, with DynamoDB alongside', async () => {
    const folder = await temporaryFolder('platform');
    const recorded: unknown[] = [];
    const platform = await openLocalPlatform({
      stateDir: folder.path,
      waitScale: 0,
      eventBusName: 'switchyard',
      handlers: { weigh: async () => 0, record: async (event: unknown) => (recorded.push(event), 'recorded') },
    });
    const endpoint = await serve(...platform.services);
    const config = clientConfig(endpoint);
    const sfn = new SFNClient(config);
    const events = new EventBridgeClient(config);
    const ddb = new DynamoDBClient(config);
    try {
      // Prepare
      const arns = deployWorkflows(
        platform.stepFunctions,
        new Map<string, Record<string, unknown>>([
          ['DrainCluster', drain],
          ['Notify', notify],
        ]),
        { prefix: 'switchyard-local-' },
      );
      await events.send(new PutRuleCommand({ Name: 'drained', EventBusName: 'switchyard', EventPattern: '{"detail-type":["Cluster Drained"]}' }));
      await events.send(new PutTargetsCommand({ Rule: 'drained', EventBusName: 'switchyard', Targets: [{ Id: 'notify', Arn: arns.get('Notify')! }] }));

      // Act
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arns.get('DrainCluster'), input: '{"cluster":"east"}' }));
      await platform.stepFunctions.waitForExecution(executionArn!);
      await platform.eventBus.idle();
      const notified = platform.stepFunctions.listExecutions({ stateMachineArn: arns.get('Notify')! }).items;
      await platform.stepFunctions.waitForExecution(notified[0]!.executionArn);
      const drained = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      const tables = await ddb.send(new ListTablesCommand({}));
      const redeployed = deployWorkflows(platform.stepFunctions, new Map([['DrainCluster', drain]]), { prefix: 'switchyard-local-' });

      // Assess
      expect(drained.status).toBe('SUCCEEDED');
      expect(recorded).toMatchObject([
        { source: 'switchyard', 'detail-type': 'Cluster Drained', detail: { cluster: 'east' }, resources: [executionArn, arns.get('DrainCluster')] },
      ]);
      expect(tables.TableNames).toEqual([]);
      expect(redeployed.get('DrainCluster')).toBe(arns.get('DrainCluster'));
    } finally {
      sfn.destroy();
      events.destroy();
      ddb.destroy();
      await endpoint.close();
      await platform.close();
      await folder.remove();
    }
  });

  it('puts a Step Functions Execution Status Change on the default bus when a run starts, succeeds or is stopped, as AWS does', async () => {
    const folder = await temporaryFolder('platform-status');
    const recorded: Array<{
      detail: { name: string; status: string; stateMachineArn: string; executionArn: string; error: string | null; cause: string | null };
    }> = [];
    const platform = await openLocalPlatform({
      stateDir: folder.path,
      // Real waits: the drain's 300 s Bake keeps it RUNNING until it is stopped.
      waitScale: 1,
      eventBusName: 'switchyard',
      handlers: { weigh: async () => 0, record: async (event: unknown) => (recorded.push(event as (typeof recorded)[number]), 'recorded') },
    });
    const endpoint = await serve(...platform.services);
    const config = clientConfig(endpoint);
    const sfn = new SFNClient(config);
    const events = new EventBridgeClient(config);
    try {
      // Prepare: a rule on the default bus for the drain machine's status changes, as the deploy writes it
      const arns = deployWorkflows(
        platform.stepFunctions,
        new Map<string, Record<string, unknown>>([
          ['DrainCluster', drain],
          ['Notify', notify],
        ]),
        { prefix: 'switchyard-local-' },
      );
      const machine = platform.stepFunctions.describeStateMachine(arns.get('DrainCluster')!).stateMachineArn;
      const pattern = { source: ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'], detail: { stateMachineArn: [machine] } };
      await events.send(new PutRuleCommand({ Name: 'runs', EventPattern: JSON.stringify(pattern) }));
      await events.send(new PutTargetsCommand({ Rule: 'runs', Targets: [{ Id: 'record', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:record' }] }));
      // Act
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'drain-east-stopped', input: '{"cluster":"east"}' }));
      await sfn.send(new StopExecutionCommand({ executionArn, error: 'OperatorAbort', cause: 'stopped by a test' }));
      await platform.stepFunctions.waitForExecution(executionArn!);
      await platform.eventBus.idle();
      // Assess
      expect(recorded.map((e) => `${e.detail.name} ${e.detail.status}`)).toEqual(['drain-east-stopped RUNNING', 'drain-east-stopped ABORTED']);
      expect(recorded[1]!.detail).toMatchObject({ executionArn, stateMachineArn: machine, error: 'OperatorAbort', cause: 'stopped by a test' });
      expect(recorded[1]).toMatchObject({ source: 'aws.states', resources: [executionArn] });
    } finally {
      sfn.destroy();
      events.destroy();
      await endpoint.close();
      await platform.close();
      await folder.remove();
    }
  });
});
