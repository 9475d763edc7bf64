// What the workflow handlers need from the world, as small ports. The Lambda
// runtime builds them from the environment (lambda.ts); the local runtime and the
// tests inject their own, so the same handler code runs everywhere.
import type { FleetConfig } from '../core/config.ts';
import type { AppWeight, RecordChangeSummary } from '../core/events.ts';
import type { ClusterIntent, Problem, PublishedEndpoint } from '../core/model.ts';
import type { HealthView } from '../core/safety.ts';
import type { ObservedAlarm } from '../core/failover.ts';
import type { ExpectedGroup } from '../core/verify.ts';
import type { ReadBack } from '../aws/read-back.ts';
import type { StateTable } from '../aws/state-table.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Observed health of clusters (and of single apps on them). */
export interface HealthSource {
  snapshot(clusters: readonly string[]): Promise<HealthView>;
}

/** One app of one cluster that failover took out (a per-app alarm). */
export interface AppOut {
  cluster: string;
  hostname: string;
}

export interface DnsApplyRequest {
  /** The apps to converge (their records and health checks); undefined = every owned name (Reconcile). */
  hostnames?: string[];
  /** The catalogue's endpoints (an app in `hostnames` with none has its records removed). */
  endpoints: PublishedEndpoint[];
  /** Effective per-cluster intents (failover of a whole cluster folded in as 0 %). */
  intents: ClusterIntent[];
  /** Single apps taken out of single clusters. */
  appsOut: AppOut[];
  /** Only change this cluster's record sets (a weight step of an operation that holds its lock). */
  onlyCluster?: string;
  dryRun?: boolean;
  /** Comment on the Route 53 change batch. */
  reason: string;
}

/** One cluster's Route 53 weight for one app, before and after the apply. */
export interface RecordWeight extends AppWeight {
  cluster: string;
}

export interface DnsApplyResult {
  changes: RecordChangeSummary[];
  /** Route 53 change ids to wait for (INSYNC); empty when nothing was sent. */
  changeIds: string[];
  weights: RecordWeight[];
  /** Longest TTL resolvers may cache the changed answers (alias to a load balancer: 60 s). */
  ttlSeconds: number;
  problems: Problem[];
  /** Changes the plan wanted but the fleet's policy or another owner's records keep out of Route 53. */
  withheld: Array<{ subject: string; reason: string }>;
  /** What the apply intends at the sets in its scope, to read back once INSYNC (DnsPort.verify); empty for a whole-fleet apply (no `hostnames`). */
  expected: ExpectedGroup[];
}

/** A read-back: each set that differs from what was intended, and what the reading cost. */
export type DnsVerification = ReadBack;

/** The DNS side: desired state for some apps, made true in Route 53. */
export interface DnsPort {
  apply(request: DnsApplyRequest): Promise<DnsApplyResult>;
  /** Reads the expected sets back from Route 53 (call once the changes are INSYNC). */
  verify(expected: readonly ExpectedGroup[]): Promise<DnsVerification>;
  /** INSYNC once every change is; PENDING otherwise. */
  changeStatus(changeIds: readonly string[]): Promise<'PENDING' | 'INSYNC'>;
  /** Deletes owned health checks no desired record wants and no record carries (after records are gone). */
  cleanup(request: { endpoints: PublishedEndpoint[]; intents: ClusterIntent[]; appsOut: AppOut[] }): Promise<{ deleted: string[]; failures: string[] }>;
}

export const WORKFLOW_NAMES = ['OnboardApp', 'OffboardApp', 'Reconcile', 'Failover', 'DrainCluster', 'RestoreCluster', 'UpgradeGuard', 'RecoverOperation'] as const;
export type WorkflowName = (typeof WORKFLOW_NAMES)[number];

export interface StartedExecution {
  executionArn: string;
  /** False when an execution with this name existed already (a duplicate event). */
  started: boolean;
}

/** Starts state machines by workflow name (Step Functions, or the local runtime's). */
export interface WorkflowStarter {
  start(workflow: WorkflowName, name: string, input: unknown): Promise<StartedExecution>;
  /** Which of this stage's workflows a state machine ARN is; undefined for any other machine. */
  workflowOf(stateMachineArn: string): Promise<WorkflowName | undefined>;
}

/** One execution as DescribeExecution tells it. */
export interface ExecutionStatusView {
  executionArn: string;
  name: string;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE. */
  status: string;
  /** ISO 8601. */
  startDate?: string;
  error?: string;
  cause?: string;
}

/** Reads executions (DescribeExecution): recovery asks whether a lock's holder still runs. */
export interface ExecutionsPort {
  describe(executionArn: string): Promise<ExecutionStatusView>;
}

export interface EksUpdate {
  status: 'InProgress' | 'Successful' | 'Failed' | 'Cancelled';
  errors: string[];
}

/** The EKS call UpgradeGuard polls. */
export interface EksPort {
  describeUpdate(request: { eksClusterName: string; nodegroupName?: string; updateId: string; region: string; roleArn?: string }): Promise<EksUpdate>;
}

/** Published endpoints as the clusters say now (discovery); unreachable clusters keep their records. */
export interface DiscoveryPort {
  list(clusters?: readonly string[]): Promise<{ endpoints: PublishedEndpoint[]; problems: Problem[]; unreachable: string[] }>;
}

/** The fleet's alarm states as CloudWatch holds them now (DescribeAlarms), whatever events were lost. */
export interface AlarmStatesPort {
  /** Every alarm whose name starts with `prefix`, in every region the fleet's alarms live in. */
  list(prefix: string): Promise<ObservedAlarm[]>;
}

/** Everything a handler may use. Each handler takes only what it needs. */
export interface Deps {
  fleet: FleetConfig;
  /** The deployment stage this runs as (`local` in the local runtime): which alarms are ours (alarm-names.ts). */
  stage: string;
  table: StateTable;
  dns: DnsPort;
  health: HealthSource;
  workflows: WorkflowStarter;
  executions: ExecutionsPort;
  eks: EksPort;
  /** Absent: Reconcile converges DNS to the catalogue without asking the clusters. */
  discovery?: DiscoveryPort;
  /** Absent: Reconcile acts on the alarm states Failover recorded only (no re-read). */
  alarms?: AlarmStatesPort;
  clock: Clock;
}
