import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../src/core/errors.ts';
import {
  RESOURCE_STAR_ACTIONS,
  SCOPED_ACTIONS,
  grantsFor,
  lambdaLogStatement,
  normalizedRecordName,
  scopeOf,
  type GrantScope,
} from '../../stacks/iam-grants.ts';

const scope: GrantScope = {
  partition: 'aws',
  region: 'eu-central-1',
  accountId: '111111111111',
  hostedZoneIds: ['Z0EXAMPLE1'],
  recordNamePatterns: ['example.com', '*.example.com'],
  recordTypes: ['A', 'AAAA', 'TXT'],
  tableName: 'switchyard-dev-state',
  busName: 'switchyard-dev-bus',
  stateMachineNames: ['switchyard-dev-DrainCluster'],
  eksClusters: [{ region: 'us-east-1', accountId: '111111111111', name: 'mesh-east' }],
  assumableRoleArns: [],
  alarmRegions: ['us-east-1'],
  alarmPrefix: 'switchyard-dev-acme-',
  metricNamespace: 'Switchyard',
};

describe('grantsFor', () => {
  it('grants record changes only on the managed zones, for the managed names and types', () => {
    const { statements } = grantsFor(['route53:ChangeResourceRecordSets'], scope, 'FUNCTIONS.apply');
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['route53:ChangeResourceRecordSets'],
        Resource: ['arn:aws:route53:::hostedzone/Z0EXAMPLE1'],
        Condition: {
          'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['example.com', '*.example.com'] },
          'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'AAAA', 'TXT'] },
        },
      },
    ]);
  });

  it('scopes each service to Switchyard’s own resources', () => {
    const { statements } = grantsFor(
      ['dynamodb:Query', 'dynamodb:GetItem', 'states:StartExecution', 'states:DescribeExecution', 'events:PutEvents', 'eks:DescribeCluster'],
      scope,
      'FUNCTIONS.x',
    );
    const resourcesOf = (action: string) => statements.find((s) => s.Action.includes(action))?.Resource;
    expect(resourcesOf('dynamodb:GetItem')).toEqual(['arn:aws:dynamodb:eu-central-1:111111111111:table/switchyard-dev-state']);
    expect(resourcesOf('dynamodb:Query')).toEqual([
      'arn:aws:dynamodb:eu-central-1:111111111111:table/switchyard-dev-state',
      'arn:aws:dynamodb:eu-central-1:111111111111:table/switchyard-dev-state/index/*',
    ]);
    expect(resourcesOf('states:StartExecution')).toEqual(['arn:aws:states:eu-central-1:111111111111:stateMachine:switchyard-dev-DrainCluster']);
    expect(resourcesOf('states:DescribeExecution')).toEqual(['arn:aws:states:eu-central-1:111111111111:execution:switchyard-dev-DrainCluster:*']);
    expect(resourcesOf('events:PutEvents')).toEqual(['arn:aws:events:eu-central-1:111111111111:event-bus/switchyard-dev-bus']);
    expect(resourcesOf('eks:DescribeCluster')).toEqual(['arn:aws:eks:us-east-1:111111111111:cluster/mesh-east']);
  });

  it('groups actions with the same resources into one statement, in a stable order', () => {
    const a = grantsFor(['route53:GetHealthCheck', 'route53:DeleteHealthCheck', 'route53:UpdateHealthCheck'], scope, 'f');
    const b = grantsFor(['route53:UpdateHealthCheck', 'route53:GetHealthCheck', 'route53:DeleteHealthCheck', 'route53:GetHealthCheck'], scope, 'f');
    expect(a).toEqual(b);
    expect(a.statements).toHaveLength(1);
    expect(a.statements[0]?.Action).toEqual(['route53:DeleteHealthCheck', 'route53:GetHealthCheck', 'route53:UpdateHealthCheck']);
  });

  it('refuses an action it has no least-privilege rule for, naming who declared it', () => {
    expect(() => grantsFor(['s3:GetObject'], scope, 'FUNCTIONS.reader')).toThrow(InvalidInput);
    expect(() => grantsFor(['s3:GetObject'], scope, 'FUNCTIONS.reader')).toThrow(/FUNCTIONS\.reader: no least-privilege rule for "s3:GetObject"/);
    expect(() => grantsFor(['route53:*'], scope, 'FUNCTIONS.reader')).toThrow(/no least-privilege rule for "route53:\*"/);
  });

  it('reports an action with nothing to act on instead of granting it on nothing', () => {
    const grants = grantsFor(['sts:AssumeRole'], scope, 'f');
    expect(grants.statements).toEqual([]);
    expect(grants.notApplicable).toEqual([{ action: 'sts:AssumeRole', reason: 'no fleet cluster has a roleArn' }]);
    expect(grantsFor(['sts:AssumeRole'], { ...scope, assumableRoleArns: ['arn:aws:iam::2:role/r'] }, 'f').statements[0]?.Resource).toEqual([
      'arn:aws:iam::2:role/r',
    ]);
  });

  it('limits metric writes to Switchyard’s namespace', () => {
    expect(grantsFor(['cloudwatch:PutMetricData'], scope, 'f').statements[0]?.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': ['Switchyard'] } });
  });
});

describe('every rule', () => {
  it('uses Resource "*" only for actions AWS authorizes on "*" alone, and never a wildcard action', () => {
    const fullScope = {
      ...scope,
      assumableRoleArns: ['arn:aws:iam::2:role/r'],
      network: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
    };
    for (const action of SCOPED_ACTIONS) {
      expect(action).not.toContain('*');
      const scoping = scopeOf(action, fullScope, 'test');
      expect('resources' in scoping, action).toBe(true);
      if (!('resources' in scoping)) continue;
      expect(scoping.resources.length, action).toBeGreaterThan(0);
      if (scoping.resources.includes('*')) expect(RESOURCE_STAR_ACTIONS, action).toContain(action);
      else expect(RESOURCE_STAR_ACTIONS, action).not.toContain(action);
      for (const resource of scoping.resources) if (resource !== '*') expect(resource, action).toMatch(/^arn:aws:/);
    }
  });
});

describe('lambdaLogStatement', () => {
  it('lets a function write its own log group only', () => {
    expect(lambdaLogStatement(scope, 'switchyard-dev-router')).toEqual({
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: ['arn:aws:logs:eu-central-1:111111111111:log-group:/aws/lambda/switchyard-dev-router:*'],
    });
  });
});

describe('normalizedRecordName', () => {
  it('writes names as IAM compares them: lower case, no trailing dot, octal escapes', () => {
    expect(normalizedRecordName('Shop.Example.COM.')).toBe('shop.example.com');
    expect(normalizedRecordName('_switchyard.api.example.com')).toBe('_switchyard.api.example.com');
    expect(normalizedRecordName('*.example.com')).toBe('\\052.example.com');
  });
});
