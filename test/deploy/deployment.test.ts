import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../src/core/errors.ts';
import { RUNTIME_ENV, recordNamePatterns } from '../../stacks/deployment.ts';
import { parseFleetConfig } from '../../src/core/config.ts';
import { fixtureInputs, fixturePlan } from './helpers.ts';

describe('describeDeployment (fixture checkout)', () => {
  it('names everything <app>-<stage>-<part> and derives the ARNs from the names', async () => {
    const plan = await fixturePlan();
    expect(plan.tableName).toBe('switchyard-dev-state');
    expect(plan.busArn).toBe('arn:aws:events:eu-central-1:111111111111:event-bus/switchyard-dev-bus');
    expect(plan.functions.map((f) => f.functionName)).toEqual([
      'switchyard-dev-discover',
      'switchyard-dev-publisher',
      'switchyard-dev-reader',
      'switchyard-dev-router',
    ]);
    expect(plan.machines.map((m) => m.arn)).toEqual([
      'arn:aws:states:eu-central-1:111111111111:stateMachine:switchyard-dev-DrainCluster',
      'arn:aws:states:eu-central-1:111111111111:stateMachine:switchyard-dev-Reconcile',
    ]);
    expect(plan.production).toBe(false);
    expect((await fixturePlan({}, { stage: 'prod' })).production).toBe(true);
  });

  it('takes timeout and memory from the registry, with defaults', async () => {
    const plan = await fixturePlan();
    const byName = Object.fromEntries(plan.functions.map((f) => [f.name, f]));
    expect(byName['reader']?.timeoutSeconds).toBe(30);
    expect(byName['publisher']?.memoryMB).toBe(512);
    expect(byName['router']).toMatchObject({ timeoutSeconds: 60, memoryMB: 256, handler: 'functions/router.handler' });
  });

  it('gives every function the runtime environment: fleet file, stage, table, bus and state machines', async () => {
    const plan = await fixturePlan();
    const env = plan.functions[0]!.environment;
    expect(env[RUNTIME_ENV.fleetFile]).toBe('/var/task/fleet/fleet.yaml');
    expect(env[RUNTIME_ENV.stage]).toBe('dev');
    expect(env[RUNTIME_ENV.table]).toBe('switchyard-dev-state');
    expect(env[RUNTIME_ENV.eventBus]).toBe('switchyard-dev-bus');
    expect(JSON.parse(env[RUNTIME_ENV.stateMachines]!)).toEqual({
      DrainCluster: 'arn:aws:states:eu-central-1:111111111111:stateMachine:switchyard-dev-DrainCluster',
      Reconcile: 'arn:aws:states:eu-central-1:111111111111:stateMachine:switchyard-dev-Reconcile',
    });
  });

  it('renders each workflow with the ARNs of the functions it invokes and lets its role invoke only those', async () => {
    const plan = await fixturePlan();
    const drain = plan.machines.find((m) => m.workflow === 'DrainCluster')!;
    expect(drain.definition).toContain('arn:aws:lambda:eu-central-1:111111111111:function:switchyard-dev-reader');
    expect(drain.definition).not.toContain('${');
    const invoke = drain.policy.Statement.find((s) => s.Action.includes('lambda:InvokeFunction'))!;
    expect(invoke.Resource).toEqual([
      'arn:aws:lambda:eu-central-1:111111111111:function:switchyard-dev-publisher',
      'arn:aws:lambda:eu-central-1:111111111111:function:switchyard-dev-publisher:*',
      'arn:aws:lambda:eu-central-1:111111111111:function:switchyard-dev-reader',
      'arn:aws:lambda:eu-central-1:111111111111:function:switchyard-dev-reader:*',
    ]);
    expect(drain.policy.Statement.find((s) => s.Action.includes('events:PutEvents'))?.Resource).toEqual([plan.busArn]);
    const reconcile = plan.machines.find((m) => m.workflow === 'Reconcile')!;
    expect(reconcile.policy.Statement.some((s) => s.Action.includes('events:PutEvents'))).toBe(false);
    expect(drain.logDestination).toBe('arn:aws:logs:eu-central-1:111111111111:log-group:/aws/vendedlogs/states/switchyard-dev-DrainCluster:*');
  });

  it('forwards alarms from the app region, us-east-1 and every cluster region, and EKS calls per cluster region', async () => {
    const plan = await fixturePlan();
    const alarms = plan.forwardRules.filter((r) => r.kind === 'alarms');
    expect(alarms.map((r) => r.region)).toEqual(['eu-central-1', 'eu-west-1', 'us-east-1']);
    expect(alarms[0]?.pattern.detail).toEqual({ alarmName: [{ prefix: 'switchyard-dev-fixture-' }] });
    const eks = plan.forwardRules.filter((r) => r.kind === 'eks');
    expect(eks.map((r) => [r.region, (r.pattern.detail?.['requestParameters'] as { name: string[] }).name])).toEqual([
      ['eu-west-1', ['mesh-eu']],
      ['us-east-1', ['mesh-east', 'mesh-east-2']],
    ]);
    expect(plan.forwardRolePolicy.Statement).toEqual([{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [plan.busArn] }]);
  });

  it('routes alarms, EKS calls and Gateway events to the router, and schedules Reconcile', async () => {
    const plan = await fixturePlan({ reconcileSchedule: 'rate(10 minutes)' });
    expect(plan.router).toBe('router');
    expect(plan.routerSubscriptions.map((s) => s.pattern.source[0])).toEqual(['aws.cloudwatch', 'aws.eks', 'switchyard']);
    expect(plan.schedule.expression).toBe('rate(10 minutes)');
    expect(plan.schedule.event).toMatchObject({ source: 'aws.events', 'detail-type': 'Scheduled Event', account: '111111111111' });
    await expect(fixturePlan({ reconcileSchedule: 'every 5 minutes' })).rejects.toThrow(/SWITCHYARD_RECONCILE_SCHEDULE "every 5 minutes"/);
  });

  it("gives the router's rules a dead-letter queue that only they (and the router's failed invocations) may fill, with an alarm on its depth", async () => {
    // Prepare
    const plan = await fixturePlan();
    const dl = plan.deadLetter;
    // Assess: the queue and who may send to it
    expect(dl.queueName).toBe('switchyard-dev-router-dlq');
    expect(dl.queueArn).toBe('arn:aws:sqs:eu-central-1:111111111111:switchyard-dev-router-dlq');
    expect(dl.retentionSeconds).toBe(1_209_600);
    expect(plan.routerSubscriptions.map((s) => s.ruleArn)).toEqual([
      'arn:aws:events:eu-central-1:111111111111:rule/switchyard-dev-bus/switchyard-dev-router-alarms',
      'arn:aws:events:eu-central-1:111111111111:rule/switchyard-dev-bus/switchyard-dev-router-eks',
      'arn:aws:events:eu-central-1:111111111111:rule/switchyard-dev-bus/switchyard-dev-router-gateways',
    ]);
    expect(dl.queuePolicy.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['sqs:SendMessage'],
        Resource: [dl.queueArn],
        Condition: { ArnEquals: { 'aws:SourceArn': plan.routerSubscriptions.map((s) => s.ruleArn) } },
      },
    ]);
    // Lambda's on-failure destination sends with the router's own role; no other function may send.
    const senders = plan.functions.filter((f) => f.policy.Statement.some((s) => s.Action.includes('sqs:SendMessage')));
    expect(senders.map((f) => f.name)).toEqual(['router']);
    expect(senders[0]!.policy.Statement.find((s) => s.Action.includes('sqs:SendMessage'))!.Resource).toEqual([dl.queueArn]);
    expect(dl.eventRetry.maximumRetryAttempts).toBeGreaterThan(0);
    expect(dl.invokeRetry).toEqual({ maximumEventAgeSeconds: 3600, maximumRetryAttempts: 2 });
    // The alarm: the first message waiting is an ALARM; it is not one of the fleet's alarms (the router ignores it).
    expect(dl.alarm.alarmName).toBe('switchyard-dev-router-dead-letters');
    expect(dl.alarm.alarmName.startsWith(plan.alarmPrefix)).toBe(false);
    expect(dl.alarm.metric).toMatchObject({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    });
  });

  it('tells every function where the alarms live, so Reconcile can re-read them', async () => {
    const plan = await fixturePlan();
    expect(plan.functions[0]!.environment[RUNTIME_ENV.alarmRegions]).toBe('eu-central-1,eu-west-1,us-east-1');
  });

  it('creates canary alarms only where the cluster brings none', async () => {
    const plan = await fixturePlan();
    expect(plan.canaryAlarms.map((a) => a.alarmName)).toEqual(['switchyard-dev-fixture-east-canary', 'switchyard-dev-fixture-eu-canary']);
    expect(plan.canaryAlarms[0]?.healthCheck).toMatchObject({
      Type: 'HTTP',
      FullyQualifiedDomainName: 'canary-east.example.com',
      Port: 80,
      ResourcePath: '/status/200',
    });
    expect(plan.canaryAlarms[0]?.metric).toMatchObject({ namespace: 'AWS/Route53', metricName: 'HealthCheckStatus', comparisonOperator: 'LessThanThreshold' });
  });

  it('gives two stages of one fleet in one account disjoint alarms: names, rule prefixes and IAM scope', async () => {
    // Prepare: the same fleet deployed as dev and dev2 (a stage whose name starts with the other's).
    const dev = await fixturePlan();
    const dev2 = await fixturePlan({}, { stage: 'dev2' });
    const prefixOf = (plan: typeof dev) =>
      (plan.routerSubscriptions.find((r) => r.name === 'Alarms')!.pattern.detail as { alarmName: Array<{ prefix: string }> }).alarmName[0]!.prefix;
    // Assess
    expect([dev.alarmPrefix, dev2.alarmPrefix]).toEqual(['switchyard-dev-fixture-', 'switchyard-dev2-fixture-']);
    expect([prefixOf(dev), prefixOf(dev2)]).toEqual([dev.alarmPrefix, dev2.alarmPrefix]);
    for (const [mine, theirs] of [
      [dev, dev2],
      [dev2, dev],
    ] as const) {
      for (const alarm of theirs.canaryAlarms) expect(alarm.alarmName.startsWith(mine.alarmPrefix)).toBe(false);
      for (const alarm of mine.canaryAlarms) expect(alarm.alarmName.startsWith(mine.alarmPrefix)).toBe(true);
    }
    expect(dev2.scope.alarmPrefix).toBe('switchyard-dev2-fixture-');
  });

  it('lists one EKS access entry per cluster for the roles that reach clusters; the role of another account where one is set', async () => {
    const plan = await fixturePlan();
    expect(plan.accessEntries.map((e) => [e.eksClusterName, e.principalArn])).toEqual([
      ['mesh-east', 'arn:aws:iam::111111111111:role/switchyard-dev-discover-fn'],
      ['mesh-east-2', 'arn:aws:iam::111111111111:role/switchyard-dev-discover-fn'],
      ['mesh-eu', 'arn:aws:iam::222222222222:role/switchyard-reader'],
    ]);
    expect(plan.accessEntries[0]?.command).toBe(
      'aws eks create-access-entry --region us-east-1 --cluster-name mesh-east --principal-arn arn:aws:iam::111111111111:role/switchyard-dev-discover-fn --kubernetes-groups switchyard-discovery',
    );
  });

  it('needs a hosted-zone id for every fleet zone', async () => {
    await expect(fixturePlan({ zoneIds: { 'example.com': 'Z0EXAMPLE1' } })).rejects.toThrow(/fleet zones without a hosted-zone id: internal\.example\.org/);
  });

  it('needs the router among the functions', async () => {
    const inputs = await fixtureInputs({ router: 'dispatcher' });
    const { describeDeployment } = await import('../../stacks/deployment.ts');
    expect(() => describeDeployment({ app: 'switchyard', stage: 'dev', partition: 'aws', region: 'eu-central-1', accountId: '1' }, inputs)).toThrow(
      /router function "dispatcher" is not in FUNCTIONS/,
    );
  });

  it('refuses a workflow that invokes a function missing from the registry', async () => {
    const inputs = await fixtureInputs();
    const { reader: _dropped, ...registry } = inputs.registry;
    const { describeDeployment } = await import('../../stacks/deployment.ts');
    expect(() =>
      describeDeployment({ app: 'switchyard', stage: 'dev', partition: 'aws', region: 'eu-central-1', accountId: '1' }, { ...inputs, registry }),
    ).toThrow(InvalidInput);
  });
});

describe('recordNamePatterns', () => {
  it('allows the domain filters inside managed zones, and managed zones inside broader filters', () => {
    const fleet = parseFleetConfig(
      `
ownerId: o
zones: [{ name: example.com }, { name: sub.other.org }]
clusters:
  - { name: a, region: us-east-1, eksClusterName: a, canaryHostname: c.apps.example.com, domainFilter: [apps.example.com, other.org] }
  - { name: b, region: us-east-1, eksClusterName: b, canaryHostname: c.unmanaged.net, domainFilter: [unmanaged.net] }
`,
      'fleet.yaml',
    );
    expect(recordNamePatterns(fleet)).toEqual(['*.apps.example.com', '*.sub.other.org', 'apps.example.com', 'sub.other.org']);
  });
});

describe('trustPolicy', () => {
  it('pins the account for Step Functions and EventBridge, and trusts the Lambda service alone', async () => {
    const { trustPolicy } = await import('../../stacks/deployment.ts');
    expect(trustPolicy('states.amazonaws.com', '111111111111')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'states.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
        },
      ],
    });
    expect(trustPolicy('lambda.amazonaws.com', '111111111111')).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
  });
});
