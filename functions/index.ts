// The FUNCTIONS registry: every Lambda function (functions/<name>.ts exporting `handler`,
// the `${name}` placeholders in workflows/*.asl.json), declared once each: what it does
// and the ports its handler builds (functions/<name>.ts passes exactly these to
// containerDeps). Its IAM actions are derived from those ports through PORT_ACTIONS, the
// one list of what each port calls. The SST stack grants precisely these (scoped in stacks/iam-grants.ts);
// the deploy's bundle check holds each list equal to the AWS calls in the function's
// bundle; the local runtime runs the same tasks in process (createTasks).
import type { PortName } from '../src/lambda/env/build-deps.ts';
export { createTasks, TASK_FACTORIES, type Task, type TaskName } from '../src/app/tasks/index.ts';

export interface FunctionSpec {
  description: string;
  /** IAM actions the handler calls, `service:Action`, never a wildcard (derived from `ports`). */
  actions: string[];
  timeoutSeconds?: number;
  memoryMB?: number;
}

/** Every call of the Route 53 adapter (src/aws/route53.ts). */
const ROUTE53_ADAPTER = [
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
] as const;

/**
 * What Route 53 checks with the caller's own credentials inside CreateHealthCheck and
 * UpdateHealthCheck of a CLOUDWATCH_METRIC check (the upstream records' checks,
 * docs/edge.md): that it may read the alarm. No SDK call of ours shows it; the bundle
 * check derives it from those two calls (scripts/bundle-check.ts IMPLIED_ACTIONS).
 */
const ROUTE53_ALARM_READS = ['cloudwatch:DescribeAlarms'] as const;

/**
 * The IAM actions behind each port a handler can build (src/lambda/env/*): the one list
 * of them. The Route 53 adapter is one class, so every port built on it (dns, health) can
 * call all of its operations; the health source also reads the alarm states in the table.
 */
export const PORT_ACTIONS = {
  table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
  dns: [...ROUTE53_ADAPTER, ...ROUTE53_ALARM_READS],
  health: [...ROUTE53_ADAPTER, ...ROUTE53_ALARM_READS, 'dynamodb:Query'],
  workflows: ['states:StartExecution'],
  /** Is a lock's holder still running? (recovery of stopped, timed-out and failed runs) */
  executions: ['states:DescribeExecution'],
  /** UpgradeGuard's DescribeUpdate; a cluster in another account through its role. */
  eks: ['eks:DescribeUpdate', 'sts:AssumeRole'],
  /** The clusters' API endpoints and CA (DescribeCluster); another account through its role. */
  discovery: ['eks:DescribeCluster', 'sts:AssumeRole'],
  alarms: ['cloudwatch:DescribeAlarms'],
} as const satisfies Record<PortName, readonly string[]>;

/** One function as declared: what it does and the ports it builds (its handler passes exactly these to containerDeps). */
export interface FunctionDeclaration {
  description: string;
  ports: readonly PortName[];
  timeoutSeconds?: number;
  memoryMB?: number;
}

/** The declaration with its IAM actions, derived from its ports (sorted, no duplicates). */
function declare<const D extends FunctionDeclaration>(declaration: D): D & { actions: string[] } {
  if (declaration.ports.includes('health') && !declaration.ports.includes('table')) {
    throw new Error(`a function with the health port needs the table port too (the health source reads alarm states from it): ${declaration.description}`);
  }
  const actions = [...new Set(declaration.ports.flatMap((port) => PORT_ACTIONS[port]))].sort();
  return { ...declaration, actions };
}

export const FUNCTIONS = {
  router: declare({
    description:
      'Turns alarm state changes, EKS CloudTrail calls, Gateway Published/Withdrawn, ended lock-holding runs and the schedule into StartExecution calls with deterministic names',
    ports: ['workflows'],
    timeoutSeconds: 30,
  }),
  prepareDrain: declare({
    description: 'DrainCluster: validates the input, resolves defaults, checks safety; a dry run plans every step',
    ports: ['table', 'dns', 'health'],
    timeoutSeconds: 120,
  }),
  prepareRestore: declare({
    description: 'RestoreCluster: validates the input, resolves defaults, checks the cluster is healthy; a dry run plans every step',
    ports: ['table', 'dns', 'health'],
    timeoutSeconds: 120,
  }),
  acquireLock: declare({
    description: 'Takes the cluster lease and a fleet drain slot, re-checks safety and saves the weights in one conditional write',
    ports: ['table', 'health'],
    timeoutSeconds: 60,
  }),
  applyWeights: declare({
    description: "One weight step: safety re-check under the lease, then the intent and the cluster's Route 53 weights",
    ports: ['table', 'dns', 'health'],
    timeoutSeconds: 120,
  }),
  changeStatus: declare({
    description: "One GetChange poll of the changes a step sent; renews the operation's lease",
    ports: ['table', 'dns'],
    timeoutSeconds: 30,
  }),
  healthGate: declare({
    description: 'Drain: the remaining clusters still carry every app; restore: the cluster is healthy. Renews the lease',
    ports: ['table', 'health'],
    timeoutSeconds: 60,
  }),
  finishOperation: declare({
    description: 'Final intent (DRAINED or ACTIVE), lock released, journal, the event to emit',
    ports: ['table'],
    timeoutSeconds: 30,
  }),
  rollbackOperation: declare({
    description: 'Saved weights back (a lowering only when safe), lock released, journal, Cluster Drain Aborted',
    ports: ['table', 'dns', 'health'],
    timeoutSeconds: 120,
  }),
  recoverOperation: declare({
    description: 'RecoverOperation: a stopped, timed-out or failed run that still holds its lock is rolled back to the saved weights, lock released',
    ports: ['table', 'dns', 'executions', 'health'],
    timeoutSeconds: 120,
  }),
  resolveUpgrade: declare({
    description: 'UpgradeGuard: which fleet cluster an EKS update that moves pods (cluster version, node group) is about, and the plan',
    ports: ['table'],
    timeoutSeconds: 30,
  }),
  describeUpdate: declare({
    description: 'UpgradeGuard: one eks:DescribeUpdate poll; renews the lease',
    ports: ['table', 'eks'],
    timeoutSeconds: 30,
  }),
  failoverDecide: declare({
    description: 'Failover: records the alarm state (newer wins) and decides take-out or failback',
    ports: ['table'],
    timeoutSeconds: 30,
  }),
  failoverApply: declare({
    description: 'Failover: takes the cluster or app out where another healthy cluster serves it, else fails open',
    ports: ['table', 'dns', 'health'],
    timeoutSeconds: 120,
  }),
  failbackApply: declare({
    description:
      'Failover: after the hold-down, re-checks that the alarm is still OK and the cluster not unhealthy, then brings the cluster or app back (DNS first, then the intent)',
    ports: ['table', 'dns', 'health'],
    timeoutSeconds: 120,
  }),
  onboardApp: declare({
    description: "OnboardApp: the app's endpoints into the catalogue, its records and health checks into Route 53",
    ports: ['table', 'dns'],
    timeoutSeconds: 300,
  }),
  offboardApp: declare({
    description: "OffboardApp: the cluster's endpoint out of the catalogue, its record sets out of Route 53",
    ports: ['table', 'dns'],
    timeoutSeconds: 300,
  }),
  reconcile: declare({
    description:
      'Reconcile: discovery into the catalogue (unreachable clusters kept), alarm states re-read (lost ALARM/OK acted on), apps that failed open re-examined, locks of ended runs recovered, every owned record converged',
    ports: ['table', 'dns', 'discovery', 'alarms', 'health', 'executions', 'workflows'],
    timeoutSeconds: 600,
    memoryMB: 512,
  }),
  cleanupHealthChecks: declare({
    description: 'Deletes owned health checks no record uses any more (after INSYNC)',
    ports: ['table', 'dns'],
    timeoutSeconds: 120,
  }),
} satisfies Record<string, FunctionSpec & FunctionDeclaration>;

export type FunctionName = keyof typeof FUNCTIONS;
