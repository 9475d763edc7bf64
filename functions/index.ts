// The FUNCTIONS registry: every Lambda function (functions/<name>.ts exporting `handler`,
// the `${name}` placeholders in workflows/*.asl.json), what it does and exactly the IAM
// actions its code calls. The SST stack grants precisely these (scoped in stacks/policy.ts);
// the deploy's bundle check holds each list equal to the AWS calls in the function's
// bundle; the local runtime runs the same tasks in process (createTasks).
export { createTasks, TASK_FACTORIES, type Task, type TaskName } from '../src/app/tasks/index.ts';

export interface FunctionSpec {
  description: string;
  /** IAM actions the handler calls, `service:Action`, never a wildcard. */
  actions: string[];
  timeoutSeconds?: number;
  memoryMB?: number;
}

// Action groups, by the port the function builds (src/lambda/env/*). The Route 53
// adapter is one class, so every function with DNS access can call all of its operations.
const TABLE = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'];
const ROUTE53 = [
  'route53:ListHostedZones',
  'route53:ListResourceRecordSets',
  'route53:ChangeResourceRecordSets',
  'route53:GetChange',
  'route53:ListHealthChecks',
  'route53:ListTagsForResources',
  'route53:CreateHealthCheck',
  'route53:UpdateHealthCheck',
  'route53:DeleteHealthCheck',
  'route53:ChangeTagsForResource',
  'route53:GetHealthCheckStatus',
];
/** The health source reads the canary checks' status with the same adapter (GetHealthCheckStatus is one of its calls). */
const HEALTH = ROUTE53;
const EKS_UPDATES = ['eks:DescribeUpdate', 'sts:AssumeRole'];
const DISCOVERY = ['eks:DescribeCluster', 'sts:AssumeRole'];
/** Is a lock's holder still running? (recovery of stopped, timed-out and failed runs) */
const EXECUTIONS = ['states:DescribeExecution'];

const union = (...groups: string[][]): string[] => [...new Set(groups.flat())].sort();

export const FUNCTIONS = {
  router: {
    description: 'Turns alarm state changes, EKS CloudTrail calls, Gateway Published/Withdrawn, ended lock-holding runs and the schedule into StartExecution calls with deterministic names',
    actions: ['states:StartExecution'],
    timeoutSeconds: 30,
  },
  prepareDrain: {
    description: 'DrainCluster: validates the input, resolves defaults, checks safety; a dry run plans every step',
    actions: union(TABLE, HEALTH),
    timeoutSeconds: 120,
  },
  prepareRestore: {
    description: 'RestoreCluster: validates the input, resolves defaults, checks the cluster is healthy; a dry run plans every step',
    actions: union(TABLE, HEALTH),
    timeoutSeconds: 120,
  },
  acquireLock: {
    description: 'Takes the cluster lease and a fleet drain slot, re-checks safety and saves the weights in one conditional write',
    actions: union(TABLE, HEALTH),
    timeoutSeconds: 60,
  },
  applyWeights: {
    description: "One weight step: safety re-check under the lease, then the intent and the cluster's Route 53 weights",
    actions: union(TABLE, HEALTH),
    timeoutSeconds: 120,
  },
  changeStatus: {
    description: "One GetChange poll of the changes a step sent; renews the operation's lease",
    actions: union(TABLE, ROUTE53),
    timeoutSeconds: 30,
  },
  healthGate: {
    description: 'Drain: the remaining clusters still carry every app; restore: the cluster is healthy. Renews the lease',
    actions: union(TABLE, HEALTH),
    timeoutSeconds: 60,
  },
  finishOperation: {
    description: 'Final intent (DRAINED or ACTIVE), lock released, journal, the event to emit',
    actions: union(TABLE),
    timeoutSeconds: 30,
  },
  rollbackOperation: {
    description: 'Saved weights back (a lowering only when safe), lock released, journal, Cluster Drain Aborted',
    actions: union(TABLE, HEALTH),
    timeoutSeconds: 120,
  },
  recoverOperation: {
    description: 'RecoverOperation: a stopped, timed-out or failed run that still holds its lock is rolled back to the saved weights, lock released',
    actions: union(TABLE, HEALTH, EXECUTIONS),
    timeoutSeconds: 120,
  },
  resolveUpgrade: {
    description: 'UpgradeGuard: which fleet cluster an UpdateClusterVersion call upgrades, and the plan',
    actions: union(TABLE),
    timeoutSeconds: 30,
  },
  describeUpdate: {
    description: 'UpgradeGuard: one eks:DescribeUpdate poll; renews the lease',
    actions: union(TABLE, EKS_UPDATES),
    timeoutSeconds: 30,
  },
  failoverDecide: {
    description: 'Failover: records the alarm state (newer wins) and decides take-out or failback',
    actions: union(TABLE),
    timeoutSeconds: 30,
  },
  failoverApply: {
    description: 'Failover: takes the cluster or app out where another healthy cluster serves it, else fails open',
    actions: union(TABLE, HEALTH),
    timeoutSeconds: 120,
  },
  failbackCheck: {
    description: 'Failover: after the hold-down, is the alarm still OK and the cluster not unhealthy?',
    actions: union(TABLE, HEALTH),
    timeoutSeconds: 60,
  },
  failbackApply: {
    description: 'Failover: brings the cluster or app back (DNS first, then the intent)',
    actions: union(TABLE, ROUTE53),
    timeoutSeconds: 120,
  },
  onboardApp: {
    description: "OnboardApp: the app's endpoints into the catalogue, its records and health checks into Route 53",
    actions: union(TABLE, ROUTE53),
    timeoutSeconds: 300,
  },
  offboardApp: {
    description: "OffboardApp: the cluster's endpoint out of the catalogue, its record sets out of Route 53",
    actions: union(TABLE, ROUTE53),
    timeoutSeconds: 300,
  },
  reconcile: {
    description: 'Reconcile: discovery into the catalogue (unreachable clusters kept), alarm states re-read (lost ALARM/OK acted on), apps that failed open re-examined, locks of ended runs recovered, every owned record converged',
    actions: union(TABLE, HEALTH, DISCOVERY, EXECUTIONS, ['cloudwatch:DescribeAlarms', 'states:StartExecution']),
    timeoutSeconds: 600,
    memoryMB: 512,
  },
  cleanupHealthChecks: {
    description: 'Deletes owned health checks no record uses any more (after INSYNC)',
    actions: union(TABLE, ROUTE53),
    timeoutSeconds: 120,
  },
} satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;
