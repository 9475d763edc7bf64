import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateEventBusCommand,
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/endpoint.ts';
import { LocalEventBus } from '../../src/eventbridge/bus.ts';
import type { BusEvent } from '../../src/eventbridge/envelope.ts';
import { eventBridgeService } from '../../src/eventbridge/service.ts';
import { LocalStepFunctions } from '../../src/stepfunctions/engine.ts';
import { stepFunctionsService } from '../../src/stepfunctions/service.ts';
import { clientConfig, hasBoto3, rawCall, runPython, serve, temporaryFolder } from './harness.ts';

const ROLE = 'arn:aws:iam::000000000000:role/switchyard-local';
const sampleEvent = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'Gateway Published',
  source: 'switchyard',
  account: '000000000000',
  time: '2030-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { hostname: 'shop.example.com', cluster: 'east' },
};

async function thrown(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, message: failure.message, status: failure.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('local EventBridge over HTTP (SDK v3 EventBridgeClient)', () => {
  let bus: LocalEventBus;
  let sfn: LocalStepFunctions;
  let endpoint: Endpoint;
  let events: EventBridgeClient;
  const routed: unknown[] = [];
  const called: Array<{ input: unknown; event: BusEvent }> = [];

  beforeAll(async () => {
    sfn = await LocalStepFunctions.open({ handlers: {} });
    bus = await LocalEventBus.open({
      startExecution: (arn, input) => sfn.startExecution({ stateMachineArn: arn, input }),
      handlers: { router: async (event: unknown) => void routed.push(event) },
      recentLimit: 5,
    });
    bus.registerTarget('local:callback:recorder', (input, event) => void called.push({ input, event }));
    endpoint = await serve(eventBridgeService(bus), stepFunctionsService(sfn));
    events = new EventBridgeClient(clientConfig(endpoint));
  });

  afterAll(async () => {
    events.destroy();
    await endpoint.close();
  });

  it('accepts valid entries and refuses each invalid one with the error EventBridge gives', async () => {
    // Act
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'switchyard', DetailType: 'Gateway Published', Detail: '{"hostname":"shop.example.com"}' },
          { DetailType: 'Gateway Published', Detail: '{}' },
          { Source: 'switchyard', Detail: '{}' },
          { Source: 'switchyard', DetailType: 'Gateway Published' },
          { Source: 'switchyard', DetailType: 'Gateway Published', Detail: '[1,2]' },
          { Source: 'aws.cloudwatch', DetailType: 'CloudWatch Alarm State Change', Detail: '{}' },
          { Source: 'switchyard', DetailType: 'x', Detail: '{}', EventBusName: 'nope' },
        ],
      }),
    );

    // Assess
    expect(result.FailedEntryCount).toBe(6);
    expect(result.Entries![0]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.Entries!.slice(1).map((entry) => entry.ErrorCode)).toEqual([
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'NotAuthorizedForSourceException',
      'ResourceNotFoundException',
    ]);
    expect(result.Entries![1]!.ErrorMessage).toBe('Parameter Source is not valid. Reason: Source is a required argument.');
  });

  it('starts a state machine execution with the full event envelope when a rule matches', async () => {
    // Prepare
    const { stateMachineArn } = sfn.createStateMachine({
      name: 'Onboard',
      definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
      roleArn: ROLE,
    });
    await events.send(
      new PutRuleCommand({ Name: 'on-published', EventPattern: JSON.stringify({ source: ['switchyard'], 'detail-type': ['Gateway Published'] }) }),
    );
    await events.send(new PutTargetsCommand({ Rule: 'on-published', Targets: [{ Id: 'onboard', Arn: stateMachineArn, RoleArn: ROLE }] }));

    // Act
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'switchyard',
            DetailType: 'Gateway Published',
            Detail: '{"hostname":"shop.example.com"}',
            Resources: ['r1'],
            Time: new Date('2030-01-01T00:00:00Z'),
          },
        ],
      }),
    );
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'switchyard', DetailType: 'Gateway Withdrawn', Detail: '{}' }] }));
    await bus.idle();
    const executions = sfn.listExecutions({ stateMachineArn }).items;

    // Assess
    expect(executions).toHaveLength(1);
    const finished = await sfn.waitForExecution(executions[0]!.executionArn);
    expect(JSON.parse(finished.input)).toEqual({
      version: '0',
      id: put.Entries![0]!.EventId,
      'detail-type': 'Gateway Published',
      source: 'switchyard',
      account: '000000000000',
      time: '2030-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: ['r1'],
      detail: { hostname: 'shop.example.com' },
    });
    const recent = bus.recentEvents().find((record) => record.event.id === put.Entries![0]!.EventId);
    expect(recent?.deliveries).toEqual([{ rule: 'on-published', targetId: 'onboard', arn: stateMachineArn, status: 'delivered' }]);
  });

  it('delivers to in-process Lambda handlers and callbacks, honouring Input and InputPath', async () => {
    // Prepare
    await events.send(new PutRuleCommand({ Name: 'alarms', EventPattern: JSON.stringify({ detail: { state: [{ prefix: 'ALARM' }] } }) }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'alarms',
        Targets: [
          { Id: 'router', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:router', InputPath: '$.detail' },
          { Id: 'recorder', Arn: 'local:callback:recorder', Input: '{"fixed":true}' },
          { Id: 'nowhere', Arn: 'arn:aws:sqs:us-east-1:000000000000:queue' },
        ],
      }),
    );

    // Act
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'switchyard.test', DetailType: 'Alarm', Detail: '{"state":"ALARM","cluster":"east"}' }] }));
    await bus.idle();

    // Assess
    expect(routed).toEqual([{ state: 'ALARM', cluster: 'east' }]);
    expect(called.map((call) => call.input)).toEqual([{ fixed: true }]);
    const deliveries = bus.recentEvents().at(-1)!.deliveries;
    expect(deliveries.find((delivery) => delivery.targetId === 'nowhere')).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('no local target'),
    });
  });

  it('describes, lists, disables and deletes rules like EventBridge', async () => {
    // Act
    const described = await events.send(new DescribeRuleCommand({ Name: 'alarms' }));
    const firstPage = await events.send(new ListRulesCommand({ Limit: 1 }));
    const secondPage = await events.send(new ListRulesCommand({ Limit: 1, NextToken: firstPage.NextToken }));
    const prefixed = await events.send(new ListRulesCommand({ NamePrefix: 'on-' }));
    const targets = await events.send(new ListTargetsByRuleCommand({ Rule: 'alarms' }));
    const blocked = await thrown(events.send(new DeleteRuleCommand({ Name: 'alarms' })));
    await events.send(new DisableRuleCommand({ Name: 'alarms' }));
    await events.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'Alarm', Detail: '{"state":"ALARM"}' }] }));
    await bus.idle();
    await events.send(new RemoveTargetsCommand({ Rule: 'alarms', Ids: ['router', 'recorder', 'nowhere'] }));
    await events.send(new DeleteRuleCommand({ Name: 'alarms' }));
    const missing = await thrown(events.send(new DescribeRuleCommand({ Name: 'alarms' })));

    // Assess
    expect(described).toMatchObject({ Name: 'alarms', Arn: 'arn:aws:events:us-east-1:000000000000:rule/alarms', State: 'ENABLED', EventBusName: 'default' });
    expect(JSON.parse(described.EventPattern!)).toEqual({ detail: { state: [{ prefix: 'ALARM' }] } });
    expect(firstPage.Rules!.map((rule) => rule.Name)).toEqual(['alarms']);
    expect(secondPage.Rules!.map((rule) => rule.Name)).toEqual(['on-published']);
    expect(prefixed.Rules!.map((rule) => rule.Name)).toEqual(['on-published']);
    expect(targets.Targets!.map((target) => target.Id)).toEqual(['router', 'recorder', 'nowhere']);
    expect(blocked).toMatchObject({ name: 'ValidationException', message: "Rule can't be deleted since it has targets." });
    expect(bus.recentEvents().at(-1)!.deliveries).toEqual([]);
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', status: 400, message: 'Rule alarms does not exist on EventBus default.' });
  });

  it('refuses rules with invalid patterns, and rules with neither pattern nor schedule', async () => {
    const badPattern = await thrown(events.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"switchyard"}' })));
    const nothing = await thrown(events.send(new PutRuleCommand({ Name: 'bad' })));
    const badSchedule = await thrown(events.send(new PutRuleCommand({ Name: 'bad', ScheduleExpression: 'rate(1 minutes)' })));
    const noBus = await thrown(events.send(new PutRuleCommand({ Name: 'bad', EventBusName: 'missing', EventPattern: '{"source":["x"]}' })));

    expect(badPattern).toMatchObject({
      name: 'InvalidEventPatternException',
      message: 'Event pattern is not valid. Reason: "source" must be an object or an array',
    });
    expect(nothing).toMatchObject({ name: 'ValidationException', message: 'Parameter(s) EventPattern or ScheduleExpression must be specified.' });
    expect(badSchedule.name).toBe('ValidationException');
    expect(noBus.name).toBe('ResourceNotFoundException');
  });

  it("routes events on a custom bus only to that bus's rules", async () => {
    // Prepare
    await events.send(new CreateEventBusCommand({ Name: 'switchyard' }));
    await events.send(new PutRuleCommand({ Name: 'everything', EventBusName: 'switchyard', EventPattern: '{"source":[{"exists":true}]}' }));
    await events.send(new PutTargetsCommand({ Rule: 'everything', EventBusName: 'switchyard', Targets: [{ Id: 'recorder', Arn: 'local:callback:recorder' }] }));
    called.length = 0;

    // Act
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'switchyard', DetailType: 'A', Detail: '{}', EventBusName: 'switchyard' }] }));
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'switchyard', DetailType: 'B', Detail: '{}' }] }));
    await bus.idle();

    // Assess
    expect(called.map((call) => call.event['detail-type'])).toEqual(['A']);
  });

  it('answers TestEventPattern exactly as EventBridge would', async () => {
    const yes = await events.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"cluster":["east"]}}', Event: JSON.stringify(sampleEvent) }));
    const no = await events.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"cluster":["west"]}}', Event: JSON.stringify(sampleEvent) }));
    const badPattern = await thrown(
      events.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"cluster":[{"nope":1}]}}', Event: JSON.stringify(sampleEvent) })),
    );
    const { id: _id, ...withoutId } = sampleEvent;
    const badEvent = await thrown(events.send(new TestEventPatternCommand({ EventPattern: '{"source":["switchyard"]}', Event: JSON.stringify(withoutId) })));
    const badTime = await thrown(
      events.send(new TestEventPatternCommand({ EventPattern: '{"source":["switchyard"]}', Event: JSON.stringify({ ...sampleEvent, time: 'yesterday' }) })),
    );
    const { resources: _resources, ...withoutResources } = sampleEvent;
    const noResources = await events.send(new TestEventPatternCommand({ EventPattern: '{"source":["switchyard"]}', Event: JSON.stringify(withoutResources) }));

    expect(yes.Result).toBe(true);
    expect(no.Result).toBe(false);
    expect(badPattern).toMatchObject({ name: 'InvalidEventPatternException', message: 'Event pattern is not valid. Reason: Unrecognized match type nope' });
    expect(badEvent).toMatchObject({ name: 'ValidationException', message: 'Parameter Event is not valid.' });
    expect(badTime.name).toBe('ValidationException');
    expect(noResources.Result).toBe(true);
  });

  it('takes the patterns EventBridge takes and refuses the ones it refuses, in PutRule and TestEventPattern alike', async () => {
    // Prepare
    const dotted = { ...sampleEvent, detail: { 'cluster.name': 'east', state: 'initializing' } };
    const anythingButList = '{"detail":{"state":[{"anything-but":{"prefix":["init","error"]}}]}}';
    const dottedKey = '{"detail.cluster":{"name":["east"]}}';
    const tooComplex = JSON.stringify({ resources: ['A', 'B', 'C', 'D'].map((name) => ({ wildcard: `*:stack/${name}/*` })) });
    const tooLong = JSON.stringify({ source: ['x'.repeat(2100)] });
    const overApiLimit = JSON.stringify({ source: ['x'.repeat(4100)] });

    // Act
    const putList = await events.send(new PutRuleCommand({ Name: 'not-starting', EventPattern: anythingButList }));
    const listResult = await events.send(new TestEventPatternCommand({ EventPattern: anythingButList, Event: JSON.stringify(dotted) }));
    const dottedResult = await events.send(new TestEventPatternCommand({ EventPattern: dottedKey, Event: JSON.stringify(dotted) }));
    const complexRule = await thrown(events.send(new PutRuleCommand({ Name: 'complex', EventPattern: tooComplex })));
    const complexTest = await thrown(events.send(new TestEventPatternCommand({ EventPattern: tooComplex, Event: JSON.stringify(sampleEvent) })));
    const longRule = await thrown(events.send(new PutRuleCommand({ Name: 'long', EventPattern: tooLong })));
    const overLimit = await thrown(events.send(new PutRuleCommand({ Name: 'long', EventPattern: overApiLimit })));
    const rules = await events.send(new ListRulesCommand({ NamePrefix: 'complex' }));
    await events.send(new DeleteRuleCommand({ Name: 'not-starting' }));

    // Assess
    expect(putList.RuleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/not-starting');
    expect(listResult.Result).toBe(false);
    expect(dottedResult.Result).toBe(true);
    const complexity =
      'Event pattern is not valid. Reason: Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';
    expect(complexRule).toMatchObject({ name: 'InvalidEventPatternException', status: 400, message: complexity });
    expect(complexTest).toMatchObject({ name: 'InvalidEventPatternException', status: 400, message: complexity });
    expect(longRule).toMatchObject({ name: 'InvalidEventPatternException', status: 400 });
    expect(longRule.message).toMatch(/over the event pattern size quota of 2048/);
    expect(overLimit).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(overLimit.message).toMatch(/at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to 4096$/);
    expect(rules.Rules).toEqual([]);
  });

  it('keeps a bounded log of recent events', () => {
    expect(bus.recentEvents().length).toBeLessThanOrEqual(5);
  });

  it('answers unknown operations and malformed JSON like AWS', async () => {
    const unknown = await rawCall(endpoint, 'AWSEvents.Teleport', '{}', '1.1');
    const malformed = await rawCall(endpoint, 'AWSEvents.PutEvents', '{"Entries":', '1.1');
    expect(unknown).toMatchObject({ status: 400, json: { __type: 'UnknownOperationException' } });
    expect(malformed).toMatchObject({ status: 400, json: { __type: 'SerializationException' } });
  });

  it.skipIf(!hasBoto3)('serves boto3 too (cross-check)', async () => {
    const result = await runPython(
      `
import boto3, json, os
events = boto3.client('events', endpoint_url=os.environ['ENDPOINT'])
put = events.put_events(Entries=[{'Source': 'switchyard', 'DetailType': 'Probe', 'Detail': '{}'}, {'Source': 'switchyard', 'DetailType': 'Probe', 'Detail': 'nope'}])
matched = events.test_event_pattern(EventPattern='{"source":["switchyard"]}', Event=${JSON.stringify(JSON.stringify(sampleEvent))})
try:
    events.describe_rule(Name='missing')
    code = None
except events.exceptions.ResourceNotFoundException as error:
    code = error.response['Error']['Code']
print(json.dumps({'failed': put['FailedEntryCount'], 'codes': [e.get('ErrorCode') for e in put['Entries']], 'matched': matched['Result'], 'code': code}))
`,
      endpoint,
    );
    expect(result).toEqual({ failed: 1, codes: [null, 'MalformedDetail'], matched: true, code: 'ResourceNotFoundException' });
  });
});

describe('local EventBridge persistence and schedules', () => {
  it('keeps buses, rules and targets across a restart', async () => {
    const folder = await temporaryFolder('events');
    try {
      // Prepare
      const first = await LocalEventBus.open({ stateDir: folder.path });
      first.createEventBus('switchyard');
      first.putRule({ Name: 'r', EventBusName: 'switchyard', EventPattern: '{"source":["switchyard"]}' });
      first.putTargets({ Rule: 'r', EventBusName: 'switchyard', Targets: [{ Id: 't', Arn: 'local:callback:x' }] });
      await first.close();

      // Act
      const second = await LocalEventBus.open({ stateDir: folder.path });
      const seen: unknown[] = [];
      second.registerTarget('local:callback:x', (input) => void seen.push(input));
      second.putEvents([{ Source: 'switchyard', DetailType: 'D', Detail: '{"n":1}', EventBusName: 'switchyard' }]);
      await second.idle();

      // Assess
      expect(second.listTargetsByRule({ Rule: 'r', EventBusName: 'switchyard' })).toEqual([{ Id: 't', Arn: 'local:callback:x' }]);
      expect(seen).toMatchObject([{ source: 'switchyard', detail: { n: 1 } }]);
      await second.close();
    } finally {
      await folder.remove();
    }
  });

  it('starts with a stored rule whose pattern it now refuses: the rule is kept, matches nothing, and is reported', async () => {
    const folder = await temporaryFolder('events');
    try {
      // Prepare: a rules file written by an earlier version that took four wildcards on one field
      const tooComplex = JSON.stringify({ resources: ['A', 'B', 'C', 'D'].map((name) => ({ wildcard: `*:stack/${name}/*` })) });
      const first = await LocalEventBus.open({ stateDir: folder.path });
      first.putRule({ Name: 'fine', EventPattern: '{"source":["switchyard"]}' });
      await first.close();
      const file = join(folder.path, 'eventbridge', 'rules.json');
      const stored = JSON.parse(await readFile(file, 'utf8')) as { rules: Array<Record<string, unknown>> };
      stored.rules.push({ ...stored.rules[0], Name: 'legacy', Arn: 'arn:aws:events:us-east-1:000000000000:rule/legacy', EventPattern: tooComplex });
      await writeFile(file, JSON.stringify(stored));

      // Act
      const second = await LocalEventBus.open({ stateDir: folder.path });
      const seen: string[] = [];
      second.putTargets({ Rule: 'legacy', Targets: [{ Id: 't', Arn: 'local:callback:legacy' }] });
      second.registerTarget('local:callback:legacy', () => void seen.push('legacy'));
      second.putEvents([{ Source: 'switchyard', DetailType: 'D', Detail: '{}', Resources: ['x:stack/A/y'] }]);
      await second.idle();

      // Assess
      expect(second.describeRule({ Name: 'legacy' })).toMatchObject({ Name: 'legacy', EventPattern: tooComplex });
      expect(second.loadProblems()).toEqual([
        expect.stringMatching(
          /^rule legacy on bus default matches nothing until its pattern is fixed: Event pattern is not valid\. Reason: Rule is too complex/,
        ),
      ]);
      expect(seen).toEqual([]);
      await second.close();
    } finally {
      await folder.remove();
    }
  });

  it('fires a scheduled rule with a Scheduled Event', async () => {
    // Prepare
    const bus = await LocalEventBus.open();
    const seen: BusEvent[] = [];
    bus.putRule({ Name: 'reconcile', ScheduleExpression: 'rate(5 minutes)' });
    bus.putTargets({ Rule: 'reconcile', Targets: [{ Id: 't', Arn: 'local:callback:tick' }] });
    bus.registerTarget('local:callback:tick', (_input, event) => void seen.push(event));

    // Act
    bus.triggerRule('reconcile');
    await bus.idle();

    // Assess
    expect(seen).toMatchObject([
      { source: 'aws.events', 'detail-type': 'Scheduled Event', resources: ['arn:aws:events:us-east-1:000000000000:rule/reconcile'], detail: {} },
    ]);
    await bus.close();
  });

  it('publishes AWS service events that PutEvents would refuse', async () => {
    const bus = await LocalEventBus.open();
    const seen: BusEvent[] = [];
    bus.putRule({ Name: 'alarm', EventPattern: '{"source":["aws.cloudwatch"]}' });
    bus.putTargets({ Rule: 'alarm', Targets: [{ Id: 't', Arn: 'local:callback:alarm' }] });
    bus.registerTarget('local:callback:alarm', (_input, event) => void seen.push(event));

    bus.injectEvent({ source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', detail: { state: { value: 'ALARM' } } });
    await bus.idle();

    expect(seen).toHaveLength(1);
    await bus.close();
  });
});
