// The deployment as plain data: every function with its role policy and environment,
// every state machine with its rendered definition and role, every rule, alarm and name.
// The SST stack (stacks/*.ts) turns this into resources one to one; the contract tests
// check this same value. Pure: no Pulumi, no AWS calls.
import { canaryAlarmName, alarmPrefix } from '../src/core/alarm-names.ts';
import { isWithin, type ClusterConfig, type FleetConfig } from '../src/core/config.ts';
import { InvalidInput } from '../src/core/errors.ts';
import { BUS_ENV, BUS_ENV_ALIAS } from '../src/core/events.ts';
import { canaryHealthCheck, deployCanaryTags, healthCheckConfigFor, type HealthCheckConfigFields } from '../src/core/health-spec.ts';
import { MANAGED_TYPES } from '../src/core/ownership.ts';
import { inspectWorkflow, renderDefinition, type WorkflowSource, type WorkflowWiring } from '../src/core/asl.ts';
import { checkStage, isProductionStage, NAME_LIMITS, resourceName } from './naming.ts';
import { RESOURCE_PARTS } from '../src/core/resource-names.ts';
import {
  grantsFor,
  STATE_MACHINE_LOG_ACTIONS,
  lambdaLogStatement,
  normalizedRecordName,
  policyDocument,
  type GrantScope,
  type PolicyDocument,
  type Statement,
} from './iam-grants.ts';
import type { FunctionRegistry } from './registry.ts';
import {
  ROUTE53_METRICS_REGION,
  alarmPattern,
  checkSchedule,
  eksPattern,
  executionsPattern,
  gatewayPattern,
  scheduledEvent,
  DEFAULT_RECONCILE_SCHEDULE,
  type EventPattern,
} from '../src/core/triggers.ts';
import { LOCK_HOLDING_WORKFLOWS } from '../src/core/events.ts';
import { agentRoles, type AgentRole } from './agents.ts';
import { busPolicy, clusterAccountSetups, type BusPolicy, type ClusterAccountSetup } from './cluster-accounts.ts';
import { describeMonitoring, type MonitoringSpec } from './monitoring.ts';
import { describeUpstream, type UpstreamAlarmSpec } from './upstream.ts';
import { managedZoneConfigs } from '../src/core/upstream.ts';

/** Environment every function gets; the Lambda shell (src/lambda) reads these names. */
export const RUNTIME_ENV = {
  fleetFile: 'SWITCHYARD_FLEET_FILE',
  stage: 'SWITCHYARD_STAGE',
  table: 'SWITCHYARD_TABLE',
  eventBus: BUS_ENV,
  /** The bus's earlier variable name, set too (readers try eventBus first, then this). */
  eventBusAlias: BUS_ENV_ALIAS,
  /** JSON object: workflow name → state machine ARN. */
  stateMachines: 'SWITCHYARD_STATE_MACHINES',
  /** Comma-separated regions where the fleet's alarms live (Reconcile re-reads them there). */
  alarmRegions: 'SWITCHYARD_ALARM_REGIONS',
} as const;

/** Where the fleet folder is copied inside every function package (Lambda's task root). */
export const FLEET_PACKAGE_DIR = 'fleet';
export const LAMBDA_TASK_ROOT = '/var/task';
/** Runtime and architecture of every function (docs/deploy.md). */
export const LAMBDA_RUNTIME = 'nodejs22.x';
export const LAMBDA_ARCHITECTURE = 'arm64';
export const DEFAULT_TIMEOUT_SECONDS = 60;
export const DEFAULT_MEMORY_MB = 256;
/** The function EventBridge and the schedule invoke; it starts the workflows. */
export const DEFAULT_ROUTER = 'router';
/** Kubernetes group the EKS access entries map the control plane's roles to (deploy/rbac.yaml binds it). */
export const KUBERNETES_READER_GROUP = 'switchyard-discovery';
export const METRIC_NAMESPACE = 'Switchyard';
/** Record types Switchyard writes: the managed types and its TXT ownership markers. */
export const WRITTEN_RECORD_TYPES: readonly string[] = [...MANAGED_TYPES, 'TXT'];

export interface DeployContext {
  app: string;
  stage: string;
  partition: string;
  region: string;
  accountId: string;
}

export interface DeployInputs {
  fleet: FleetConfig;
  /** Name of the fleet file inside the fleet folder (copied to every function). */
  fleetFileName: string;
  registry: FunctionRegistry;
  workflows: WorkflowSource[];
  /** Hosted-zone id of every fleet zone, by zone name (pinned in fleet.yaml or looked up). */
  zoneIds: Record<string, string>;
  reconcileSchedule?: string;
  router?: string;
}

export interface DeployedFunction {
  name: string;
  functionName: string;
  arn: string;
  handler: string;
  description: string;
  timeoutSeconds: number;
  memoryMB: number;
  roleName: string;
  roleArn: string;
  policy: PolicyDocument;
  notApplicable: Array<{ action: string; reason: string }>;
  environment: Record<string, string>;
  /** It talks to the clusters' Kubernetes API, so each cluster needs an access entry for its role. */
  needsClusterAccess: boolean;
  /** Fleet `network`: a function that reads clusters runs in these subnets (private API endpoints). */
  vpc?: { subnetIds: string[]; securityGroupIds: string[] };
  /** Fleet `tracing`: X-Ray active tracing. */
  tracing: boolean;
}

export interface DeployedMachine {
  workflow: string;
  file: string;
  stateMachineName: string;
  arn: string;
  roleName: string;
  policy: PolicyDocument;
  logGroupName: string;
  /** `arn:...:log-group:<name>:*`, as Step Functions' logging configuration wants it. */
  logDestination: string;
  definition: string;
  functions: string[];
  wiring: WorkflowWiring;
  /** Fleet `tracing`: X-Ray tracing of its executions. */
  tracing: boolean;
}

export interface ForwardRule {
  /** Region of the default bus the rule lives on. */
  region: string;
  kind: 'alarms' | 'eks' | 'executions';
  ruleName: string;
  pattern: EventPattern;
}

/**
 * A cluster's canary: its one Route 53 health check, created and owned by the deploy, and
 * the alarm watching it. The check carries the runtime's tags (owner, key, cluster) and
 * `switchyard:managed-by: deploy`, so the runtime's records, the drain safety gate and
 * Failover's alarm all use this same check, and the runtime never changes or deletes it.
 */
export interface CanaryAlarm {
  cluster: string;
  alarmName: string;
  /** The key the runtime computes for the cluster's canary check (src/core/health-spec.ts). */
  healthCheckKey: string;
  healthCheck: HealthCheckConfigFields;
  healthCheckTags: Record<string, string>;
  metric: typeof CANARY_ALARM_METRIC;
}

/**
 * The alarm on a canary health check: ALARM when Route 53's checkers see the cluster
 * unhealthy for a minute. Missing data keeps the last state, so a gap in the metric
 * never moves traffic by itself (Route 53's own failover still acts on the check).
 */
export const CANARY_ALARM_METRIC = {
  namespace: 'AWS/Route53',
  metricName: 'HealthCheckStatus',
  statistic: 'Minimum',
  periodSeconds: 60,
  evaluationPeriods: 1,
  threshold: 1,
  comparisonOperator: 'LessThanThreshold',
  treatMissingData: 'missing',
} as const;

/**
 * Services that pass the calling account when they assume a role, so the trust policy can
 * pin it (confused-deputy protection). Lambda assumes execution roles without that context,
 * so its trust stays service-only.
 */
export const SOURCE_ACCOUNT_SERVICES: readonly string[] = ['states.amazonaws.com', 'events.amazonaws.com'];

/** Who may assume a role: one AWS service, and for services that say so, for this account only. */
export function trustPolicy(service: string, accountId: string): Record<string, unknown> {
  const statement: Record<string, unknown> = { Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' };
  if (SOURCE_ACCOUNT_SERVICES.includes(service)) statement['Condition'] = { StringEquals: { 'aws:SourceAccount': accountId } };
  return { Version: '2012-10-17', Statement: [statement] };
}

/**
 * Where an event the router could not take ends up, instead of being lost: EventBridge
 * sends an event it could not deliver to the router (after its retries) to this queue,
 * and Lambda sends an invocation whose router run failed (after its two async retries)
 * to the same queue. An alarm fires on its first message. Reconcile re-reads the alarm
 * states, so a lost alarm event is acted on anyway; the queue says that one was lost.
 */
export interface DeadLetterSpec {
  queueName: string;
  queueArn: string;
  /** SQS's longest retention, so an operator has two weeks to look. */
  retentionSeconds: number;
  /** EventBridge may send to the queue, from this stage's router rules only. */
  queuePolicy: PolicyDocument;
  /** EventBridge's delivery to the router: how long and how often it tries before the queue. */
  eventRetry: { maximumEventAgeSeconds: number; maximumRetryAttempts: number };
  /** Lambda's asynchronous invocation of the router: retries before the queue. */
  invokeRetry: { maximumEventAgeSeconds: number; maximumRetryAttempts: number };
  alarm: { alarmName: string; metric: typeof DEAD_LETTER_ALARM_METRIC };
}

/** ALARM as soon as one message waits in the dead-letter queue; an empty queue sends no data and is OK. */
export const DEAD_LETTER_ALARM_METRIC = {
  namespace: 'AWS/SQS',
  metricName: 'ApproximateNumberOfMessagesVisible',
  statistic: 'Maximum',
  periodSeconds: 60,
  evaluationPeriods: 1,
  threshold: 0,
  comparisonOperator: 'GreaterThanThreshold',
  treatMissingData: 'notBreaching',
} as const;

export interface RouterSubscription {
  name: string;
  /** The rule on the app bus; its ARN is `arn:...:rule/<bus>/<ruleName>`. */
  ruleName: string;
  ruleArn: string;
  pattern: EventPattern;
}

export interface AccessEntry {
  cluster: string;
  eksClusterName: string;
  region: string;
  principalArn: string;
  command: string;
}

export interface DeploymentSpec {
  context: DeployContext;
  production: boolean;
  tableName: string;
  tableArn: string;
  busName: string;
  busArn: string;
  scope: GrantScope;
  functions: DeployedFunction[];
  machines: DeployedMachine[];
  router: string;
  routerSubscriptions: RouterSubscription[];
  deadLetter: DeadLetterSpec;
  forwardRules: ForwardRule[];
  forwardRoleName: string;
  forwardRolePolicy: PolicyDocument;
  schedule: { expression: `rate(${string})` | `cron(${string})`; event: Record<string, unknown> };
  alarmPrefix: string;
  canaryAlarms: CanaryAlarm[];
  /** With edge clusters: one alarm per workload cluster on the edges' canary metric (stacks/upstream.ts). */
  upstreamAlarms: UpstreamAlarmSpec[];
  accessEntries: AccessEntry[];
  /** One role per cluster for its in-cluster agent (stacks/agents.ts). */
  agentRoles: AgentRole[];
  /** What to run in each other account the fleet's clusters live in (stacks/cluster-accounts.ts). */
  clusterAccounts: ClusterAccountSetup[];
  /** The stage bus's resource policy, when other accounts send to it. */
  busPolicy?: BusPolicy;
  /** Dashboard, alarms on the control plane itself, and the notification topic (stacks/monitoring.ts). */
  monitoring: MonitoringSpec;
  /** Removed with the stage unless production: exactly what `sst remove` keeps there. */
  retained: string[];
}

/** Partitions the deploy supports: Route 53's metrics region and the ASL's integration ARNs are the commercial ones. */
export const SUPPORTED_PARTITIONS: readonly string[] = ['aws'];

/** The ENI calls Lambda makes with a function's role to attach it to a VPC (as AWSLambdaVPCAccessExecutionRole). */
export const VPC_ACCESS_ACTIONS: readonly string[] = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/** What X-Ray needs from a traced function or state machine (all "*"-only actions). */
export const TRACING_ACTIONS: readonly string[] = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** StringLike patterns of the record names the fleet may publish: each managed suffix and what lies below it. */
export function recordNamePatterns(fleet: FleetConfig): string[] {
  const suffixes = new Set<string>();
  for (const zone of fleet.zones) {
    for (const cluster of fleet.clusters) {
      for (const raw of cluster.domainFilter) {
        const filter = raw.replace(/^\*\./, '');
        if (isWithin(filter, zone.name)) suffixes.add(filter);
        else if (isWithin(zone.name, filter)) suffixes.add(zone.name);
      }
    }
  }
  // The upstream zone holds `<host>.<upstream zone>` (src/core/tiers.ts) and its ownership markers.
  if (fleet.upstream) suffixes.add(fleet.upstream.zone);
  return sorted([...suffixes].flatMap((suffix) => [normalizedRecordName(suffix), `*.${normalizedRecordName(suffix)}`]));
}

function hostedZoneIds(fleet: FleetConfig, zoneIds: Record<string, string>): string[] {
  // fleet.zones and, with edges, the private upstream zone.
  const zones = managedZoneConfigs(fleet);
  const missing = zones.filter((zone) => !zoneIds[zone.name]);
  if (missing.length > 0) {
    throw new InvalidInput(
      `fleet zones without a hosted-zone id: ${missing.map((z) => z.name).join(', ')} (pin ${missing.map((z) => (z.path === 'upstream' ? 'upstream.id' : 'zones[].id')).join(', ')} in fleet.yaml or let the deploy look it up)`,
      {
        zones: missing.map((z) => z.name),
      },
    );
  }
  return sorted(zones.map((zone) => zoneIds[zone.name]!));
}

function accountOf(cluster: ClusterConfig, ctx: DeployContext): string {
  return cluster.accountId ?? ctx.accountId;
}

/** The alarm name, or InvalidInput when CloudWatch would refuse it (too long). */
function checkedAlarmName(name: string): string {
  if (name.length > NAME_LIMITS.alarm) {
    throw new InvalidInput(
      `alarm name "${name}" is ${name.length} characters, CloudWatch allows ${NAME_LIMITS.alarm}: use a shorter stage, ownerId or cluster name`,
      { name, limit: NAME_LIMITS.alarm },
    );
  }
  return name;
}

export function describeDeployment(ctx: DeployContext, inputs: DeployInputs): DeploymentSpec {
  const { app, partition, region, accountId } = ctx;
  const stage = checkStage(ctx.stage);
  if (!SUPPORTED_PARTITIONS.includes(partition)) {
    throw new InvalidInput(
      `partition "${partition}": Switchyard deploys to the commercial AWS partition only (Route 53 metrics in ${ROUTE53_METRICS_REGION}, arn:aws integration ARNs); see docs/deploy.md`,
      { partition },
    );
  }
  const { fleet, registry } = inputs;
  const functionNames = Object.keys(registry).sort();
  const router = inputs.router ?? DEFAULT_ROUTER;
  if (!functionNames.includes(router)) {
    throw new InvalidInput(
      `router function "${router}" is not in FUNCTIONS (known: ${functionNames.join(', ') || 'none'}); EventBridge and the schedule invoke it`,
      { router },
    );
  }

  const tableName = resourceName(app, stage, RESOURCE_PARTS.stateTable, 'table');
  const busName = resourceName(app, stage, RESOURCE_PARTS.bus, 'bus');
  const wirings = [...inputs.workflows].sort((a, b) => a.name.localeCompare(b.name)).map((source) => inspectWorkflow(source, functionNames));
  const machineName = (workflow: string): string => resourceName(app, stage, workflow, 'stateMachine');
  const machineArn = (name: string): string => `arn:${partition}:states:${region}:${accountId}:stateMachine:${name}`;
  const functionName = (name: string): string => resourceName(app, stage, name, 'function');
  const functionArn = (name: string): string => `arn:${partition}:lambda:${region}:${accountId}:function:${functionName(name)}`;
  // The stage is in every alarm name, so two stages of one fleet in one account never share alarms.
  const alarmScope = { stage, ownerId: fleet.ownerId };
  const prefix = alarmPrefix(alarmScope);
  const upstream = describeUpstream(fleet, accountId);

  const scope: GrantScope = {
    partition,
    region,
    accountId,
    hostedZoneIds: hostedZoneIds(fleet, inputs.zoneIds),
    recordNamePatterns: recordNamePatterns(fleet),
    recordTypes: [...WRITTEN_RECORD_TYPES],
    tableName,
    busName,
    stateMachineNames: wirings.map((w) => machineName(w.name)),
    eksClusters: fleet.clusters.map((c) => ({ region: c.region, accountId: accountOf(c, ctx), name: c.eksClusterName })),
    assumableRoleArns: sorted(fleet.clusters.flatMap((c) => (c.roleArn ? [c.roleArn] : []))),
    alarmRegions: sorted([region, ROUTE53_METRICS_REGION, ...fleet.clusters.map((c) => c.region)]),
    alarmPrefix: prefix,
    // Route 53 reads an upstream check's alarm with the caller's DescribeAlarms (docs/edge.md).
    ...(upstream ? { upstreamAlarms: { region: upstream.region, prefix: upstream.alarmPrefix } } : {}),
    metricNamespace: METRIC_NAMESPACE,
    ...(fleet.network ? { network: fleet.network } : {}),
  };

  const stateMachines = Object.fromEntries(wirings.map((w) => [w.name, machineArn(machineName(w.name))]));
  const environment: Record<string, string> = {
    [RUNTIME_ENV.fleetFile]: `${LAMBDA_TASK_ROOT}/${FLEET_PACKAGE_DIR}/${inputs.fleetFileName}`,
    [RUNTIME_ENV.stage]: stage,
    [RUNTIME_ENV.table]: tableName,
    [RUNTIME_ENV.eventBus]: busName,
    [RUNTIME_ENV.eventBusAlias]: busName,
    [RUNTIME_ENV.stateMachines]: JSON.stringify(stateMachines),
    [RUNTIME_ENV.alarmRegions]: scope.alarmRegions.join(','),
    POWERTOOLS_SERVICE_NAME: app,
    POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
    // Fleet `tracing`: Powertools Tracer records the handlers and their AWS SDK calls.
    POWERTOOLS_TRACE_ENABLED: fleet.tracing ? 'true' : 'false',
  };

  const busArn = `arn:${partition}:events:${region}:${accountId}:event-bus/${busName}`;
  // Runs of the lock-holding workflows that end without their own rollback are recovered (RecoverOperation).
  const lockHolding = wirings.filter((w) => (LOCK_HOLDING_WORKFLOWS as readonly string[]).includes(w.name)).map((w) => machineArn(machineName(w.name)));
  const executions = lockHolding.length > 0 && wirings.some((w) => w.name === 'RecoverOperation') ? executionsPattern(lockHolding) : undefined;
  const subscriptions: Array<readonly [string, EventPattern]> = [
    ['Alarms', alarmPattern(prefix)],
    ['Eks', eksPattern(fleet.clusters.map((c) => c.eksClusterName))],
    ['Gateways', gatewayPattern()],
    ...(executions ? [['Executions', executions] as const] : []),
  ];
  const routerSubscriptions: RouterSubscription[] = subscriptions.map(([name, pattern]) => {
    const ruleName = resourceName(app, stage, `router-${name.toLowerCase()}`, 'rule');
    return { name, ruleName, ruleArn: `arn:${partition}:events:${region}:${accountId}:rule/${busName}/${ruleName}`, pattern };
  });
  const queueName = resourceName(app, stage, 'router-dlq', 'queue');
  const queueArn = `arn:${partition}:sqs:${region}:${accountId}:${queueName}`;
  const deadLetter: DeadLetterSpec = {
    queueName,
    queueArn,
    retentionSeconds: 14 * 24 * 3600,
    queuePolicy: policyDocument([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['sqs:SendMessage'],
        Resource: [queueArn],
        Condition: { ArnEquals: { 'aws:SourceArn': routerSubscriptions.map((s) => s.ruleArn) } },
      },
    ]),
    eventRetry: { maximumEventAgeSeconds: 3600, maximumRetryAttempts: 24 },
    invokeRetry: { maximumEventAgeSeconds: 3600, maximumRetryAttempts: 2 },
    alarm: { alarmName: checkedAlarmName(resourceName(app, stage, 'router-dead-letters', 'alarm')), metric: DEAD_LETTER_ALARM_METRIC },
  };

  const functions: DeployedFunction[] = functionNames.map((name) => {
    const spec = registry[name]!;
    const who = `FUNCTIONS.${name}`;
    const grants = grantsFor(spec.actions, scope, who);
    const roleName = resourceName(app, stage, `${name}-fn`, 'role');
    const statements: Statement[] = [lambdaLogStatement(scope, functionName(name)), ...grants.statements];
    const needsClusterAccess = spec.actions.includes('eks:DescribeCluster');
    const inVpc = needsClusterAccess && fleet.network !== undefined;
    if (inVpc) statements.push(...grantsFor(VPC_ACCESS_ACTIONS, scope, `FUNCTIONS.${name} (fleet network)`).statements);
    if (fleet.tracing) statements.push(...grantsFor(TRACING_ACTIONS, scope, `FUNCTIONS.${name} (fleet tracing)`).statements);
    // Lambda sends a failed asynchronous invocation of the router to its dead-letter queue with the router's role.
    if (name === router) statements.push({ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [queueArn] });
    return {
      name,
      functionName: functionName(name),
      arn: functionArn(name),
      handler: `functions/${name}.handler`,
      description: spec.description,
      timeoutSeconds: spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      memoryMB: spec.memoryMB ?? DEFAULT_MEMORY_MB,
      roleName,
      roleArn: `arn:${partition}:iam::${accountId}:role/${roleName}`,
      policy: policyDocument(statements),
      notApplicable: grants.notApplicable,
      environment,
      needsClusterAccess,
      ...(inVpc ? { vpc: { subnetIds: [...fleet.network!.subnetIds], securityGroupIds: [...fleet.network!.securityGroupIds] } } : {}),
      tracing: fleet.tracing,
    };
  });

  const machines: DeployedMachine[] = wirings.map((wiring) => {
    const name = machineName(wiring.name);
    const functionArns = Object.fromEntries(wiring.functions.map((f) => [f, functionArn(f)]));
    const statements: Statement[] = [];
    if (wiring.functions.length > 0) {
      const arns = wiring.functions.map(functionArn);
      statements.push({ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: sorted([...arns, ...arns.map((a) => `${a}:*`)]) });
    }
    if (wiring.putEventsStates.length > 0) statements.push({ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [busArn] });
    statements.push(...grantsFor(STATE_MACHINE_LOG_ACTIONS, scope, `state machine ${wiring.name}`).statements);
    if (fleet.tracing) statements.push(...grantsFor(TRACING_ACTIONS, scope, `state machine ${wiring.name} (fleet tracing)`).statements);
    return {
      workflow: wiring.name,
      file: wiring.file,
      stateMachineName: name,
      arn: machineArn(name),
      roleName: resourceName(app, stage, `${wiring.name}-sfn`, 'role'),
      policy: policyDocument(statements),
      logGroupName: `/aws/vendedlogs/states/${name}`,
      logDestination: `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/vendedlogs/states/${name}:*`,
      definition: renderDefinition(wiring, { functionArns, eventBusName: busName }),
      functions: wiring.functions,
      wiring,
      tracing: fleet.tracing,
    };
  });

  const clusterRegions = sorted(fleet.clusters.map((c) => c.region));
  const forwardRules: ForwardRule[] = [
    ...scope.alarmRegions.map((r): ForwardRule => ({
      region: r,
      kind: 'alarms',
      ruleName: resourceName(app, stage, 'alarms', 'rule'),
      pattern: alarmPattern(prefix),
    })),
    ...clusterRegions.map((r): ForwardRule => ({
      region: r,
      kind: 'eks',
      ruleName: resourceName(app, stage, 'eks', 'rule'),
      pattern: eksPattern(fleet.clusters.filter((c) => c.region === r).map((c) => c.eksClusterName)),
    })),
  ];

  if (executions) forwardRules.push({ region, kind: 'executions', ruleName: resourceName(app, stage, 'executions', 'rule'), pattern: executions });

  const canaryAlarms: CanaryAlarm[] = fleet.clusters
    .filter((c) => c.canaryAlarm !== false)
    .map((c) => {
      const check = canaryHealthCheck(fleet.healthCheck, c);
      return {
        cluster: c.name,
        alarmName: checkedAlarmName(canaryAlarmName(alarmScope, c.name)),
        healthCheckKey: check.key,
        healthCheck: healthCheckConfigFor(check.spec),
        healthCheckTags: Object.fromEntries(deployCanaryTags(fleet.ownerId, c.name, check).map((tag) => [tag.Key, tag.Value])),
        metric: CANARY_ALARM_METRIC,
      };
    });

  const readers = functions.filter((f) => f.needsClusterAccess);
  const accessEntries: AccessEntry[] = readers.flatMap((fn) =>
    fleet.clusters.map((c) => {
      // A cluster in another account is reached through its roleArn: that role is the principal there.
      const principalArn = c.roleArn ?? fn.roleArn;
      return {
        cluster: c.name,
        eksClusterName: c.eksClusterName,
        region: c.region,
        principalArn,
        command: `aws eks create-access-entry --region ${c.region} --cluster-name ${c.eksClusterName} --principal-arn ${principalArn} --kubernetes-groups ${KUBERNETES_READER_GROUP}`,
      };
    }),
  );

  const agentContext = { app, stage, partition, accountId, busArn };
  const agents = agentRoles(agentContext, fleet, upstream);
  const clusterAccounts = clusterAccountSetups(agentContext, fleet);
  const production = isProductionStage(stage);
  const reconcileSchedule = checkSchedule(inputs.reconcileSchedule ?? DEFAULT_RECONCILE_SCHEDULE);

  return {
    context: { ...ctx, stage },
    production,
    tableName,
    tableArn: `arn:${partition}:dynamodb:${region}:${accountId}:table/${tableName}`,
    busName,
    busArn,
    scope,
    functions,
    machines,
    router,
    routerSubscriptions,
    deadLetter,
    forwardRules,
    forwardRoleName: resourceName(app, stage, 'forward', 'role'),
    forwardRolePolicy: policyDocument([{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [busArn] }]),
    schedule: { expression: reconcileSchedule, event: scheduledEvent(region, accountId) },
    alarmPrefix: prefix,
    canaryAlarms,
    upstreamAlarms: upstream?.alarms ?? [],
    accessEntries: uniqueEntries(accessEntries),
    agentRoles: agents,
    clusterAccounts,
    ...optional('busPolicy', busPolicy(agentContext, agents, clusterAccounts)),
    monitoring: describeMonitoring({
      app,
      stage,
      partition,
      region,
      accountId,
      busName,
      tableName,
      fleet,
      machines,
      functions,
      router,
      deadLetter,
      canaryAlarms,
      schedule: reconcileSchedule,
      metricNamespace: METRIC_NAMESPACE,
    }),
    retained: production
      ? [
          `DynamoDB table ${tableName}`,
          ...machines.map((m) => `log group ${m.logGroupName}`),
          ...functions.map((f) => `log group /aws/lambda/${f.functionName}`),
        ]
      : [],
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function uniqueEntries(entries: AccessEntry[]): AccessEntry[] {
  const seen = new Map<string, AccessEntry>();
  for (const entry of entries) seen.set(`${entry.region}|${entry.eksClusterName}|${entry.principalArn}`, entry);
  return [...seen.values()];
}
