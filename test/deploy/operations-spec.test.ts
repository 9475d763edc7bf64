// The deploy plan's production side (issue 14): agent roles and their trust, the VPC of
// the functions that read clusters, the node-group rules, the dashboard, the alarms and
// the notification topic, tracing, the partition and what production keeps.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { fleetSchema, type FleetConfig } from '../../src/core/config.ts';
import { InvalidInput } from '../../src/core/errors.ts';
import { AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT } from '../../stacks/agents.ts';
import { deployInfo } from '../../stacks/deploy-info.ts';
import { reconcileSilenceSeconds } from '../../stacks/monitoring.ts';
import { grants } from '../../stacks/iam-grants.ts';
import { CONTEXT, fixtureInputs, fixturePlan, ROOT } from './helpers.ts';

const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

async function planWith(change: (fleet: FleetConfig) => Record<string, unknown>) {
  const inputs = await fixtureInputs();
  const fleet = fleetSchema.parse({ ...inputs.fleet, ...change(inputs.fleet) });
  return fixturePlan({ fleet });
}

describe('agent roles', async () => {
  const plan = await fixturePlan();
  const east = plan.agentRoles.find((a) => a.cluster === 'east')!;
  const eu = plan.agentRoles.find((a) => a.cluster === 'eu')!;

  it('gives every cluster one role that may only put its own agent’s events on the stage bus', () => {
    expect(plan.agentRoles.map((a) => [a.cluster, a.roleArn])).toEqual([
      ['east', 'arn:aws:iam::111111111111:role/switchyard-dev-agent-east'],
      ['east-2', 'arn:aws:iam::111111111111:role/switchyard-dev-agent-east-2'],
      ['eu', 'arn:aws:iam::222222222222:role/switchyard-dev-agent-eu'],
    ]);
    expect(east.policy.Statement).toEqual([
      { Effect: 'Allow', Action: ['events:PutEvents'], Resource: [plan.busArn], Condition: { StringEquals: { 'events:source': ['switchyard.agent.east'] } } },
    ]);
  });

  it('is trusted by EKS Pod Identity for the agent’s service account on its own cluster only', () => {
    expect(east.trustPolicy.Statement).toEqual([
      {
        Sid: 'EksPodIdentity',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          StringEquals: {
            'aws:SourceAccount': '111111111111',
            'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:us-east-1:111111111111:cluster/mesh-east',
            'aws:RequestTag/kubernetes-namespace': 'switchyard-system',
            'aws:RequestTag/kubernetes-service-account': 'switchyard-agent',
          },
        },
      },
    ]);
    expect(east.podIdentityCommand).toBe(
      'aws eks create-pod-identity-association --region us-east-1 --cluster-name mesh-east --namespace switchyard-system --service-account switchyard-agent --role-arn arn:aws:iam::111111111111:role/switchyard-dev-agent-east',
    );
  });

  it('adds IRSA trust, for the agent’s service account and STS audience, when the fleet gives the OIDC issuer', async () => {
    const withIssuer = await planWith((fleet) => ({ clusters: fleet.clusters.map((c) => (c.name === 'east' ? { ...c, oidcIssuer: ISSUER } : c)) }));
    const role = withIssuer.agentRoles.find((a) => a.cluster === 'east')!;
    const provider = 'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
    expect(role.trustPolicy.Statement[1]).toEqual({
      Sid: 'Irsa',
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::111111111111:oidc-provider/${provider}` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { [`${provider}:sub`]: 'system:serviceaccount:switchyard-system:switchyard-agent', [`${provider}:aud`]: 'sts.amazonaws.com' },
      },
    });
    expect(role.irsaAnnotation).toBe(`eks.amazonaws.com/role-arn: ${role.roleArn}`);
    expect(east.trustPolicy.Statement).toHaveLength(1);
  });

  it('runs the agent where deploy/agent/base puts it', () => {
    const docs = parseAllDocuments(readFileSync(join(ROOT, 'deploy/agent/base/serviceaccount.yaml'), 'utf8')).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string } },
    );
    const account = docs.find((d) => d.kind === 'ServiceAccount')!;
    expect([account.metadata.namespace, account.metadata.name]).toEqual([AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT]);
  });

  it('prints, for a cluster in another account, the commands that make its role there, and lets only that role in through the bus policy', () => {
    expect(east.setupCommands).toEqual([]);
    expect(eu.crossAccount).toBe(true);
    expect(eu.setupCommands[0]).toMatch(
      /^aws iam create-role --role-name switchyard-dev-agent-eu --assume-role-policy-document '\{.*pods\.eks\.amazonaws\.com.*\}'$/,
    );
    expect(JSON.parse(eu.setupCommands[1]!.replace(/^.*--policy-document '(.*)'$/, '$1'))).toEqual(eu.policy);
    expect(plan.busPolicy?.Statement).toEqual([
      {
        Sid: 'EksForward222222222222',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::222222222222:root' },
        Action: 'events:PutEvents',
        Resource: plan.busArn,
        Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/switchyard-dev-eks-forward' } },
      },
      {
        Sid: 'Agenteu',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::222222222222:root' },
        Action: 'events:PutEvents',
        Resource: plan.busArn,
        Condition: { ArnEquals: { 'aws:PrincipalArn': eu.roleArn }, StringEquals: { 'events:source': 'switchyard.agent.eu' } },
      },
    ]);
  });

  it('has no bus policy when every cluster is in the stage’s account', async () => {
    const local = await planWith((fleet) => ({ clusters: fleet.clusters.map(({ accountId: _a, roleArn: _r, ...c }) => c) }));
    expect(local.busPolicy).toBeUndefined();
    expect(local.clusterAccounts).toEqual([]);
  });
});

describe('EKS calls of other accounts and node-group updates', async () => {
  const plan = await fixturePlan();

  it('forwards node-group version and config updates with the cluster calls, here and from other accounts', () => {
    const eks = plan.forwardRules.find((r) => r.kind === 'eks')!;
    expect((eks.pattern.detail as { eventName: string[] }).eventName).toEqual([
      'CreateCluster',
      'DeleteCluster',
      'UpdateClusterVersion',
      'UpdateNodegroupVersion',
      'UpdateNodegroupConfig',
    ]);
    const [setup] = plan.clusterAccounts;
    expect(setup).toMatchObject({ accountId: '222222222222', regions: ['eu-west-1'], ruleName: 'switchyard-dev-eks' });
    const putRule = setup!.commands.find((c) => c.startsWith('aws events put-rule'))!;
    const pattern = JSON.parse(putRule.replace(/^.*--event-pattern '(.*)'$/, '$1'));
    expect(pattern.detail.requestParameters).toEqual({ name: ['mesh-eu'] });
    expect(pattern.detail.eventName).toContain('UpdateNodegroupVersion');
    expect(setup!.commands).toContain(
      `aws events put-targets --region eu-west-1 --rule switchyard-dev-eks --targets Id=switchyard,Arn=${plan.busArn},RoleArn=arn:aws:iam::222222222222:role/switchyard-dev-eks-forward`,
    );
  });

  it('lets UpgradeGuard describe node-group updates of the fleet’s clusters', async () => {
    const inputs = await fixtureInputs({ registry: { ...(await fixtureInputs()).registry, poll: { description: 'x', actions: ['eks:DescribeUpdate'] } } });
    const poll = (await fixturePlan(inputs)).functions.find((f) => f.name === 'poll')!;
    const statement = poll.policy.Statement.find((s) => s.Action.includes('eks:DescribeUpdate'))!;
    expect(statement.Resource).toContain('arn:aws:eks:us-east-1:111111111111:nodegroup/mesh-east/*/*');
    expect(statement.Resource).toContain('arn:aws:eks:us-east-1:111111111111:cluster/mesh-east');
  });
});

describe('private clusters: fleet network', () => {
  it('puts only the functions that read clusters into the subnets, with ENI permissions scoped to them', async () => {
    const plan = await planWith(() => ({ network: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] } }));
    const discover = plan.functions.find((f) => f.name === 'discover')!;
    expect(discover.vpc).toEqual({ subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] });
    const create = discover.policy.Statement.find((s) => s.Action.includes('ec2:CreateNetworkInterface'))!;
    expect(create.Resource).toEqual([
      'arn:aws:ec2:eu-central-1:111111111111:network-interface/*',
      'arn:aws:ec2:eu-central-1:111111111111:security-group/sg-0123456789abcdef0',
      'arn:aws:ec2:eu-central-1:111111111111:subnet/subnet-0123456789abcdef0',
    ]);
    for (const action of ['ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'])
      expect(grants(discover.policy.Statement, action), action).toBe(true);
    for (const other of plan.functions.filter((f) => f.name !== 'discover')) {
      expect(other.vpc, other.name).toBeUndefined();
      expect(grants(other.policy.Statement, 'ec2:CreateNetworkInterface'), other.name).toBe(false);
    }
  });

  it('leaves every function outside any VPC without the option', async () => {
    const plan = await fixturePlan();
    expect(plan.functions.every((f) => f.vpc === undefined && !grants(f.policy.Statement, 'ec2:CreateNetworkInterface'))).toBe(true);
  });
});

describe('watching the control plane', async () => {
  const plan = await planWith(() => ({ notifications: { emails: ['ops@example.com'] } }));
  const m = plan.monitoring;

  it('creates one topic that this stage’s rule and alarms may publish to, with the fleet’s email subscriptions', () => {
    expect(m.topicArn).toBe('arn:aws:sns:eu-central-1:111111111111:switchyard-dev-notifications');
    expect(m.emails).toEqual(['ops@example.com']);
    expect(m.topicPolicy.Statement.map((s) => [s.Principal, s.Action, s.Condition])).toEqual([
      [
        { Service: 'events.amazonaws.com' },
        'sns:Publish',
        { ArnEquals: { 'aws:SourceArn': 'arn:aws:events:eu-central-1:111111111111:rule/switchyard-dev-bus/switchyard-dev-notify' } },
      ],
      [
        { Service: 'cloudwatch.amazonaws.com' },
        'sns:Publish',
        {
          ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-central-1:111111111111:alarm:switchyard-dev-*' },
          StringEquals: { 'aws:SourceAccount': '111111111111' },
        },
      ],
    ]);
    expect(m.notifyRule.pattern).toEqual({ source: ['switchyard'], 'detail-type': ['Cluster Drain Aborted', 'Cluster Upgrade Failed', 'Failover Performed'] });
    expect(m.notifyingAlarmNames).toEqual([plan.deadLetter.alarm.alarmName]);
  });

  it('alarms on failed executions of every workflow and on Reconcile not running', () => {
    expect(m.alarms.map((a) => a.alarmName)).toEqual([
      'switchyard-dev-DrainCluster-failed',
      'switchyard-dev-Reconcile-failed',
      'switchyard-dev-reconcile-not-running',
    ]);
    const drain = m.alarms[0]!;
    expect(drain.queries.filter((q) => q.metric).map((q) => [q.metric!.metricName, q.metric!.dimensions])).toEqual(
      ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'].map((name) => [name, { StateMachineArn: plan.machines[0]!.arn }]),
    );
    expect(drain).toMatchObject({ threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold', treatMissingData: 'notBreaching' });
    expect(m.alarms[2]).toMatchObject({ comparisonOperator: 'LessThanThreshold', threshold: 1, treatMissingData: 'breaching' });
    expect(m.alarms[2]!.queries[0]!.metric).toMatchObject({ metricName: 'ExecutionsStarted', periodSeconds: 900 });
    expect(reconcileSilenceSeconds('rate(1 hour)')).toBe(10_800);
    expect(reconcileSilenceSeconds('cron(0 * * * ? *)')).toBe(86_400);
  });

  it('draws executions by workflow and outcome, router errors, dead letters, Route 53 throttles and weights per cluster', () => {
    const titles = m.dashboard.widgets.map((w) => (w['properties'] as { title: string }).title);
    expect(titles).toEqual([
      'Executions by workflow and outcome',
      'Router errors and throttles',
      'Router dead-letter queue depth',
      'Route 53 throttled requests (retried)',
      'Weight per cluster (% of normal)',
      'Alarms',
    ]);
    const metricsOf = (i: number) => (m.dashboard.widgets[i]!['properties'] as { metrics: unknown[][] }).metrics;
    expect(metricsOf(0)).toHaveLength(plan.machines.length * 4);
    expect(metricsOf(1)[0]).toEqual(['AWS/Lambda', 'Errors', 'FunctionName', 'switchyard-dev-router', { label: 'errors' }]);
    expect(metricsOf(2)[0]!.slice(0, 4)).toEqual(['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', plan.deadLetter.queueName]);
    expect(metricsOf(3)[0]!.slice(0, 4)).toEqual(['Switchyard', 'Route53Throttled', 'service', 'switchyard']);
    expect(metricsOf(4).map((row) => row[5])).toEqual(['east', 'east-2', 'eu']);
    expect(m.dashboardName).toBe('switchyard-dev-control-plane');
  });
});

describe('tracing, partition and what production keeps', () => {
  it('switches X-Ray on for functions and state machines from the fleet setting, with its permissions', async () => {
    const off = await fixturePlan();
    expect(
      off.functions.every((f) => !f.tracing && f.environment['POWERTOOLS_TRACE_ENABLED'] === 'false' && !grants(f.policy.Statement, 'xray:PutTraceSegments')),
    ).toBe(true);
    const on = await planWith(() => ({ tracing: true }));
    expect(
      on.functions.every((f) => f.tracing && f.environment['POWERTOOLS_TRACE_ENABLED'] === 'true' && grants(f.policy.Statement, 'xray:PutTraceSegments')),
    ).toBe(true);
    expect(on.machines.every((m) => m.tracing && grants(m.policy.Statement, 'xray:PutTraceSegments'))).toBe(true);
  });

  it('refuses a partition other than the commercial one, naming it, before planning anything', async () => {
    await expect(fixturePlan({}, { partition: 'aws-us-gov' })).rejects.toThrow(InvalidInput);
    await expect(fixturePlan({}, { partition: 'aws-cn' })).rejects.toThrow(/partition "aws-cn": Switchyard deploys to the commercial AWS partition only/);
  });

  it('keeps the state table and the log groups of a production stage, and nothing of another', async () => {
    expect((await fixturePlan()).retained).toEqual([]);
    const prod = await fixturePlan({}, { stage: 'prod' });
    expect(prod.retained).toEqual([
      'DynamoDB table switchyard-prod-state',
      'log group /aws/vendedlogs/states/switchyard-prod-DrainCluster',
      'log group /aws/vendedlogs/states/switchyard-prod-Reconcile',
      ...prod.functions.map((f) => `log group /aws/lambda/${f.functionName}`),
    ]);
  });

  it('prints the pod-identity commands, the other accounts’ commands, the topic and what is kept', async () => {
    const info = deployInfo(await fixturePlan());
    expect(info.podIdentityAssociations).toHaveLength(3);
    expect(Object.keys(info.clusterAccountCommands ?? {})).toEqual(['222222222222']);
    expect(info.clusterAccountCommands?.['222222222222']?.[0]).toMatch(/^aws iam create-role --role-name switchyard-dev-agent-eu /);
    expect(info.notifications.topic).toBe(`arn:aws:sns:${CONTEXT.region}:${CONTEXT.accountId}:switchyard-dev-notifications`);
  });
});
