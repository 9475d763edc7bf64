// IAM statements from the FUNCTIONS registry and the fleet: every action a handler
// declares is granted on exactly the resources Switchyard owns. Pure: the stack and the
// contract tests call the same functions, so what is tested is what is deployed.
//
// An action with no rule here is refused (InvalidInput), so nothing is ever granted on
// a guess. `Resource: "*"` appears only for actions AWS authorizes on "*" alone
// (RESOURCE_STAR_ACTIONS): the Service Authorization Reference lists no resource type
// for them.
import { InvalidInput } from '../src/core/errors.ts';

export type Condition = Record<string, Record<string, string[]>>;

export interface Statement {
  Effect: 'Allow';
  /** Resource policies only (e.g. the dead-letter queue's); identity policies have none. */
  Principal?: { Service: string };
  Action: string[];
  Resource: string[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

/** What the grants are scoped to; every field is known before deploy (deterministic names). */
export interface GrantScope {
  partition: string;
  region: string;
  accountId: string;
  /** Hosted zones Switchyard manages (ids without "/hostedzone/"). */
  hostedZoneIds: string[];
  /** Record names it may change, in IAM's normalized form; `*` is the StringLike wildcard. */
  recordNamePatterns: string[];
  recordTypes: string[];
  tableName: string;
  busName: string;
  stateMachineNames: string[];
  eksClusters: Array<{ region: string; accountId: string; name: string }>;
  /** Roles that reach clusters in other accounts (fleet clusters[].roleArn). */
  assumableRoleArns: string[];
  /** Regions where Switchyard's alarms live, and the prefix of their names. */
  alarmRegions: string[];
  alarmPrefix: string;
  /** With edge clusters: the upstream alarms' region and name prefix (stacks/upstream.ts). */
  upstreamAlarms?: { region: string; prefix: string };
  metricNamespace: string;
  /** Fleet `network`: the subnets and security groups of the functions that read clusters. */
  network?: { subnetIds: string[]; securityGroupIds: string[] };
}

/** Actions AWS authorizes only on "*" (no resource-level permissions). */
/** What Step Functions needs to deliver execution logs to CloudWatch Logs (all "*"-only actions). */
export const STATE_MACHINE_LOG_ACTIONS: readonly string[] = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

export const RESOURCE_STAR_ACTIONS: readonly string[] = [
  'route53:CreateHealthCheck',
  'route53:ListHealthChecks',
  'route53:ListHostedZones',
  'route53:ListHostedZonesByName',
  'route53:GetHealthCheckCount',
  'states:ListStateMachines',
  'eks:ListClusters',
  'cloudwatch:GetMetricData',
  'cloudwatch:PutMetricData',
  'sts:GetCallerIdentity',
  // Step Functions' log delivery to CloudWatch Logs (the state machines' roles).
  ...STATE_MACHINE_LOG_ACTIONS,
  // X-Ray (fleet `tracing`) and the ENI calls of functions in a VPC (fleet `network`).
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
];

export type Scoping = { resources: string[]; condition?: Condition } | { notApplicable: string };

const STAR: Scoping = { resources: ['*'] };

function zones(s: GrantScope): string[] {
  return s.hostedZoneIds.map((id) => `arn:${s.partition}:route53:::hostedzone/${id}`);
}
const healthChecks = (s: GrantScope): string[] => [`arn:${s.partition}:route53:::healthcheck/*`];
const table = (s: GrantScope): string => `arn:${s.partition}:dynamodb:${s.region}:${s.accountId}:table/${s.tableName}`;
const machines = (s: GrantScope): string[] => s.stateMachineNames.map((n) => `arn:${s.partition}:states:${s.region}:${s.accountId}:stateMachine:${n}`);
const executions = (s: GrantScope): string[] => s.stateMachineNames.map((n) => `arn:${s.partition}:states:${s.region}:${s.accountId}:execution:${n}:*`);
const eksClusters = (s: GrantScope): string[] => s.eksClusters.map((c) => `arn:${s.partition}:eks:${c.region}:${c.accountId}:cluster/${c.name}`);
const eksNodegroups = (s: GrantScope): string[] => s.eksClusters.map((c) => `arn:${s.partition}:eks:${c.region}:${c.accountId}:nodegroup/${c.name}/*/*`);
const alarms = (s: GrantScope): string[] => [
  ...s.alarmRegions.map((r) => `arn:${s.partition}:cloudwatch:${r}:${s.accountId}:alarm:${s.alarmPrefix}*`),
  ...(s.upstreamAlarms ? [`arn:${s.partition}:cloudwatch:${s.upstreamAlarms.region}:${s.accountId}:alarm:${s.upstreamAlarms.prefix}*`] : []),
];

const ec2 = (s: GrantScope, resource: string): string => `arn:${s.partition}:ec2:${s.region}:${s.accountId}:${resource}`;
const networkInterfaces = (s: GrantScope): string => ec2(s, 'network-interface/*');
const NO_NETWORK: Scoping = { notApplicable: 'the fleet sets no network' };

function onZones(s: GrantScope): Scoping {
  return s.hostedZoneIds.length > 0 ? { resources: zones(s) } : { notApplicable: 'the fleet manages no hosted zone' };
}

/** How each action the handlers may declare is scoped. */
const RULES: Record<string, (s: GrantScope) => Scoping> = {
  'route53:ChangeResourceRecordSets': (s) =>
    s.hostedZoneIds.length === 0
      ? { notApplicable: 'the fleet manages no hosted zone' }
      : {
          resources: zones(s),
          condition: {
            'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': s.recordNamePatterns },
            'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': s.recordTypes },
          },
        },
  'route53:ListResourceRecordSets': onZones,
  'route53:GetHostedZone': onZones,
  'route53:GetChange': (s) => ({ resources: [`arn:${s.partition}:route53:::change/*`] }),
  'route53:GetHealthCheck': (s) => ({ resources: healthChecks(s) }),
  'route53:GetHealthCheckStatus': (s) => ({ resources: healthChecks(s) }),
  'route53:GetHealthCheckLastFailureReason': (s) => ({ resources: healthChecks(s) }),
  'route53:UpdateHealthCheck': (s) => ({ resources: healthChecks(s) }),
  'route53:DeleteHealthCheck': (s) => ({ resources: healthChecks(s) }),
  // Switchyard tags its health checks (ownership); it never tags zones.
  'route53:ChangeTagsForResource': (s) => ({ resources: healthChecks(s) }),
  'route53:ListTagsForResource': (s) => ({ resources: [...healthChecks(s), ...zones(s)] }),
  'route53:ListTagsForResources': (s) => ({ resources: [...healthChecks(s), ...zones(s)] }),
  'route53:CreateHealthCheck': () => STAR,
  'route53:ListHealthChecks': () => STAR,
  'route53:ListHostedZones': () => STAR,
  'route53:ListHostedZonesByName': () => STAR,
  'route53:GetHealthCheckCount': () => STAR,

  'dynamodb:GetItem': (s) => ({ resources: [table(s)] }),
  'dynamodb:PutItem': (s) => ({ resources: [table(s)] }),
  'dynamodb:UpdateItem': (s) => ({ resources: [table(s)] }),
  'dynamodb:DeleteItem': (s) => ({ resources: [table(s)] }),
  'dynamodb:ConditionCheckItem': (s) => ({ resources: [table(s)] }),
  'dynamodb:BatchGetItem': (s) => ({ resources: [table(s)] }),
  'dynamodb:BatchWriteItem': (s) => ({ resources: [table(s)] }),
  'dynamodb:DescribeTable': (s) => ({ resources: [table(s)] }),
  'dynamodb:Query': (s) => ({ resources: [table(s), `${table(s)}/index/*`] }),
  'dynamodb:Scan': (s) => ({ resources: [table(s), `${table(s)}/index/*`] }),

  'states:StartExecution': (s) => ({ resources: machines(s) }),
  'states:DescribeStateMachine': (s) => ({ resources: machines(s) }),
  'states:ListExecutions': (s) => ({ resources: machines(s) }),
  'states:DescribeExecution': (s) => ({ resources: executions(s) }),
  'states:StopExecution': (s) => ({ resources: executions(s) }),
  'states:GetExecutionHistory': (s) => ({ resources: executions(s) }),
  'states:ListStateMachines': () => STAR,

  'events:PutEvents': (s) => ({ resources: [`arn:${s.partition}:events:${s.region}:${s.accountId}:event-bus/${s.busName}`] }),

  'eks:DescribeCluster': (s) => ({ resources: eksClusters(s) }),
  // A node-group update is described on the cluster and its node group (UpgradeGuard, src/core/upgrades.ts).
  'eks:DescribeUpdate': (s) => ({ resources: [...eksClusters(s), ...eksNodegroups(s)] }),
  'eks:ListUpdates': (s) => ({ resources: eksClusters(s) }),
  'eks:ListClusters': () => STAR,

  'cloudwatch:DescribeAlarms': (s) => ({ resources: alarms(s) }),
  'cloudwatch:GetMetricData': () => STAR,
  'cloudwatch:PutMetricData': (s) => ({ resources: ['*'], condition: { StringEquals: { 'cloudwatch:namespace': [s.metricNamespace] } } }),

  'logs:CreateLogDelivery': () => STAR,
  'logs:GetLogDelivery': () => STAR,
  'logs:UpdateLogDelivery': () => STAR,
  'logs:DeleteLogDelivery': () => STAR,
  'logs:ListLogDeliveries': () => STAR,
  'logs:PutResourcePolicy': () => STAR,
  'logs:DescribeResourcePolicies': () => STAR,
  'logs:DescribeLogGroups': () => STAR,

  'sts:GetCallerIdentity': () => STAR,
  'xray:PutTraceSegments': () => STAR,
  'xray:PutTelemetryRecords': () => STAR,
  'xray:GetSamplingRules': () => STAR,
  'xray:GetSamplingTargets': () => STAR,
  // Lambda creates and deletes the function's ENIs with its role (what the managed policy
  // AWSLambdaVPCAccessExecutionRole grants on "*"), here only in the fleet's subnets and groups.
  'ec2:CreateNetworkInterface': (s) =>
    s.network
      ? {
          resources: [
            networkInterfaces(s),
            ...s.network.subnetIds.map((id) => ec2(s, `subnet/${id}`)),
            ...s.network.securityGroupIds.map((id) => ec2(s, `security-group/${id}`)),
          ],
        }
      : NO_NETWORK,
  'ec2:DeleteNetworkInterface': (s) => (s.network ? { resources: [networkInterfaces(s)] } : NO_NETWORK),
  'ec2:AssignPrivateIpAddresses': (s) => (s.network ? { resources: [networkInterfaces(s)] } : NO_NETWORK),
  'ec2:UnassignPrivateIpAddresses': (s) => (s.network ? { resources: [networkInterfaces(s)] } : NO_NETWORK),
  'ec2:DescribeNetworkInterfaces': () => STAR,
  'ec2:DescribeSubnets': () => STAR,
  'sts:AssumeRole': (s) => (s.assumableRoleArns.length > 0 ? { resources: s.assumableRoleArns } : { notApplicable: 'no fleet cluster has a roleArn' }),
};

/** Actions the deploy knows how to scope. */
export const SCOPED_ACTIONS: readonly string[] = Object.keys(RULES).sort();

/** The resources (and condition) `action` is granted on; InvalidInput when there is no rule. */
export function scopeOf(action: string, scope: GrantScope, who: string): Scoping {
  const rule = RULES[action];
  if (rule === undefined) {
    throw new InvalidInput(
      `${who}: no least-privilege rule for "${action}" in stacks/iam-grants.ts (add one that names its resources; known: ${SCOPED_ACTIONS.join(', ')})`,
      { who, action },
    );
  }
  return rule(scope);
}

export interface Grants {
  statements: Statement[];
  /** Declared actions that have nothing to act on in this fleet, and why. */
  notApplicable: Array<{ action: string; reason: string }>;
}

/** Statements for `actions`, one per distinct (resources, condition), in a stable order. */
export function grantsFor(actions: readonly string[], scope: GrantScope, who: string): Grants {
  const groups = new Map<string, Statement>();
  const notApplicable: Grants['notApplicable'] = [];
  for (const action of [...new Set(actions)].sort()) {
    const scoping = scopeOf(action, scope, who);
    if ('notApplicable' in scoping) {
      notApplicable.push({ action, reason: scoping.notApplicable });
      continue;
    }
    const resources = [...new Set(scoping.resources)].sort();
    const key = JSON.stringify([resources, scoping.condition ?? null]);
    const group = groups.get(key);
    if (group) group.Action.push(action);
    else groups.set(key, { Effect: 'Allow', Action: [action], Resource: resources, ...(scoping.condition ? { Condition: scoping.condition } : {}) });
  }
  return { statements: [...groups.values()], notApplicable };
}

/** A Lambda function writing its own log group, and nothing else in CloudWatch Logs. */
export function lambdaLogStatement(scope: Pick<GrantScope, 'partition' | 'region' | 'accountId'>, functionName: string): Statement {
  return {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: [`arn:${scope.partition}:logs:${scope.region}:${scope.accountId}:log-group:/aws/lambda/${functionName}:*`],
  };
}

/** IAM's normalized form of a DNS name: lower case, no trailing dot, other characters as \NNN. */
export function normalizedRecordName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/[^a-z0-9\-_.]/g, (ch) => `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** True when `statement` grants `action` (exact action, no wildcards are ever used). */
export function grants(statements: readonly Statement[], action: string): boolean {
  return statements.some((statement) => statement.Action.includes(action));
}

export function policyDocument(statements: Statement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}
