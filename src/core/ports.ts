// The contracts between the use cases (src/app) and the world: small ports the
// adapters implement (src/aws, src/k8s). The Lambda functions build them from their
// environment (src/lambda/env); the local runtime and the tests inject their own, so
// the same task code runs everywhere (docs/architecture.md).
import type { FleetConfig } from './config.ts';
import type { AppWeight, RecordChangeSummary } from './events.ts';
import type { Change, ClusterIntent, HealthCheckSpec, HostedZone, Problem, PublishedEndpoint, RecordSet } from './model.ts';
import type { HealthView } from './safety.ts';
import type { ObservedAlarm } from './failover.ts';
import type { ExpectedGroup, PageStart, ReadBackRef, ReadPage } from './verify.ts';
import type { EdgeForward } from './edge-discovery.ts';
import type { FleetState } from './fleet-document.ts';
import type { Tag } from './health-spec.ts';
import type { OwnedHealthCheck } from './health-check-plan.ts';

/** Wall-clock time: what the journal, the locks' leases and the events record. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Elapsed time and waiting, for pacing requests (Route 53's rate limit, retries with
 * backoff, INSYNC polls). Injected so tests never really wait. Not a Clock: `now()`
 * is monotonic milliseconds, not a date.
 */
export interface Pacer {
  /** Milliseconds, monotonic enough for spacing requests. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemPacer: Pacer = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** Observed health of clusters (and of single apps on them). */
/**
 * What a task already read in this invocation, handed to the port that would read it again
 * (one reading per task instead of two; a port without it reads for itself).
 */
export interface SharedReads {
  /** The state table's alarm records (StateTable.listAlarms). */
  alarms?: readonly AlarmRecord[];
  /** The health checks this fleet owns (DnsPort.ownedHealthChecks). */
  ownedHealthChecks?: readonly OwnedHealthCheck[];
}

export interface HealthSource {
  snapshot(clusters: readonly string[], reads?: SharedReads): Promise<HealthView>;
}

/** One app of one cluster that failover took out (a per-app alarm). */
export interface AppOut {
  cluster: string;
  hostname: string;
}

export interface DnsApplyRequest {
  /** The apps to converge (their records and health checks); undefined = every owned name (Reconcile). */
  hostnames?: string[];
  /**
   * The catalogue's endpoints (an app in `hostnames` with none has its records removed).
   * With `catalogue`, only the named apps' endpoints need be here.
   */
  endpoints: PublishedEndpoint[];
  /**
   * With `hostnames`: every app's endpoints, read only when planning the named apps' health
   * checks needs every check in use (health-check-plan.ts plannedAlone); without it,
   * `endpoints` holds every app's.
   */
  catalogue?: () => Promise<PublishedEndpoint[]>;
  /** Effective per-cluster intents (failover of a whole cluster folded in as 0 %). */
  intents: ClusterIntent[];
  /** Single apps taken out of single clusters. */
  appsOut: AppOut[];
  /** Only change this cluster's record sets (a weight step of an operation that holds its lock). */
  onlyCluster?: string;
  dryRun?: boolean;
  /** Comment on the Route 53 change batch. */
  reason: string;
  /** The owned health checks as the caller read them in this task: the first attempt plans with them instead of listing them again. */
  ownedHealthChecks?: readonly OwnedHealthCheck[];
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
  /** What the apply intends at the sets in its scope, to read back once INSYNC (DnsPort.verify); empty for a whole-fleet apply (no `hostnames`) and for `dryRuns`. */
  expected: ExpectedGroup[];
}

/** A read-back: each set that differs from what was intended, and what the reading cost. */
export interface DnsVerification {
  /** One line per set that is not as intended; empty when Route 53 holds the intention. */
  differences: string[];
  /** ListResourceRecordSets pages read. */
  pages: number;
  setsExpected: number;
  /** Record sets read at the expected names (every set at them: other clusters' and markers' too). */
  setsRead: number;
}

/** The DNS side: desired state for some apps, made true in Route 53. */
export interface DnsPort {
  /**
   * Between two GetChange polls when a task waits for INSYNC itself (settleAndVerify).
   * Undefined: 1 s, as on AWS; the local runtime scales it with its --time-scale.
   */
  readonly insyncPollMs?: number;
  apply(request: DnsApplyRequest): Promise<DnsApplyResult>;
  /**
   * Plans of several dry-run requests against one reading of the zones and health checks
   * (a dry run changes nothing, so the steps of a drain all plan against what is there now).
   * A dry run is never read back: each result's `expected` is empty.
   */
  dryRuns(requests: readonly DnsApplyRequest[]): Promise<DnsApplyResult[]>;
  /** Reads the expected sets back from Route 53 (call once the changes are INSYNC). */
  verify(expected: readonly ExpectedGroup[]): Promise<DnsVerification>;
  /** INSYNC once every change is; PENDING otherwise. */
  changeStatus(changeIds: readonly string[]): Promise<'PENDING' | 'INSYNC'>;
  /** The health checks this fleet owns, as apply lists them (to share one reading: SharedReads, DnsApplyRequest.ownedHealthChecks). */
  ownedHealthChecks?(): Promise<OwnedHealthCheck[]>;
  /** Deletes owned health checks no desired record wants and no record carries (after records are gone). */
  cleanup(request: { endpoints: PublishedEndpoint[]; intents: ClusterIntent[]; appsOut: AppOut[] }): Promise<{ deleted: string[]; failures: string[] }>;
}

export const WORKFLOW_NAMES = [
  'OnboardApp',
  'OffboardApp',
  'Reconcile',
  'Failover',
  'DrainCluster',
  'RestoreCluster',
  'UpgradeGuard',
  'RecoverOperation',
] as const;
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

/** What an endpoint source read. */
export interface EndpointList {
  endpoints: PublishedEndpoint[];
  problems: Problem[];
  /** Clusters that could not be read completely: their records must be left exactly as they are. */
  unreachable: string[];
  /** Where each edge cluster read forwards the hosts it publishes; absent when no edge cluster was read. */
  forwards?: EdgeForward[];
}

/**
 * Where published endpoints come from: Gateway discovery (src/k8s: each cluster's API
 * server through EKS, or its manifest folder) or the fleet's endpoints file
 * (src/aws/endpoints-file.ts). An unreachable cluster contributes nothing and is listed
 * in `unreachable` (a control-plane blip is not a delete).
 */
export interface EndpointSource {
  /** What it reads, for progress output (e.g. "manifests of east, west, eu"). */
  readonly description: string;
  /** Reads these clusters (fleet names; an unknown one is UnknownCluster), default every cluster of the source. */
  list(clusters?: readonly string[]): Promise<EndpointList>;
}

/** The fleet's alarm states as CloudWatch holds them now (DescribeAlarms), whatever events were lost. */
export interface AlarmStatesPort {
  /** Every alarm whose name starts with `prefix`, in every region the fleet's alarms live in. */
  list(prefix: string): Promise<ObservedAlarm[]>;
}

// The state table (DynamoDB on AWS, docs/workflows.md): the fleet document, the app
// catalogue, the last alarm states and the journal. aws/state-table.ts implements it.

/** One app in the catalogue: what each cluster publishes for the hostname. */
export interface AppEntry {
  hostname: string;
  endpoints: PublishedEndpoint[];
  updatedAt: string;
  /** Execution (or operator) that wrote it last. */
  updatedBy?: string;
  /**
   * Grows with every write through updateApp (compare-and-set), so concurrent writers of
   * one app never lose each other's endpoints. Absent on entries written by putApp.
   */
  version?: number;
}

/** What an app-entry change decides: a new entry, `null` to delete it, nothing (undefined) to leave it. */
export interface AppChange<T> {
  next?: AppEntry | null;
  result: T;
}

export interface AlarmRecord {
  alarmName: string;
  cluster: string;
  hostname?: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  /** The alarm's own state timestamp; older events never overwrite newer ones. */
  timestamp: string;
  reason?: string;
}

export interface JournalEntry {
  /** Deterministic per change (execution start, execution name, step), so a retried task writes it once. */
  id: string;
  at: string;
  /** Operator, or the execution that acted. */
  by: string;
  /** e.g. "drain step 50%", "rollback", "app onboarded". */
  what: string;
  why: string;
  cluster?: string;
  hostname?: string;
  operation?: string;
  executionArn?: string;
  before?: unknown;
  after?: unknown;
}

export interface JournalQuery {
  limit?: number;
  cluster?: string;
  /** ISO 8601: entries at or after. */
  since?: string;
}

/** The state-table port the handlers use; DynamoStateTable implements it. */
export interface StateTable {
  readFleet(): Promise<FleetState>;
  /**
   * Read-modify-write of the fleet document with a version check, retried on
   * conflict. `change` returns the next state (or undefined to write nothing) and a
   * result; it may throw (e.g. LockHeld), which aborts without writing.
   */
  updateFleet<T>(change: (current: FleetState) => { next?: FleetState; result: T }): Promise<T>;
  listApps(): Promise<AppEntry[]>;
  getApp(hostname: string): Promise<AppEntry | undefined>;
  /**
   * Read-modify-write of one app entry with a version check, retried on conflict (like
   * updateFleet): `change` sees the current entry (undefined: none) and is re-run on a
   * fresh read when another writer got there first.
   */
  updateApp<T>(hostname: string, change: (current: AppEntry | undefined) => AppChange<T>): Promise<T>;
  /** Unconditional write (seeding, tests); workflows use updateApp. */
  putApp(entry: AppEntry): Promise<void>;
  deleteApp(hostname: string): Promise<void>;
  /** False when a newer state of the alarm is already recorded. */
  recordAlarm(record: AlarmRecord): Promise<boolean>;
  listAlarms(): Promise<AlarmRecord[]>;
  /** False when an entry with this id exists (a retried task). */
  appendJournal(entry: JournalEntry): Promise<boolean>;
  /** Newest first. */
  listJournal(query?: JournalQuery): Promise<JournalEntry[]>;
  /**
   * Stores what a weight step intends in Route 53 under `key` (readBackKey), replacing what
   * was stored there, so the workflow carries only the returned reference to its read-back.
   */
  putReadBack(key: string, expected: readonly ExpectedGroup[]): Promise<ReadBackRef>;
  /** The sets stored by the putReadBack that returned `ref`; InvalidInput when they are gone or were replaced since. */
  getReadBack(ref: ReadBackRef): Promise<ExpectedGroup[]>;
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
  discovery?: EndpointSource;
  /** Absent: Reconcile acts on the alarm states Failover recorded only (no re-read). */
  alarms?: AlarmStatesPort;
  clock: Clock;
}

// Route 53, as the DNS use cases call it (src/app/dns); aws/route53.ts implements it over
// the SDK (rate-limited, retried), tests fake it.

export type ChangeStatus = 'PENDING' | 'INSYNC';

/** What Route 53 answered to a change batch; `dryRun` when nothing was sent. */
export type ChangeSubmitted = { dryRun: false; changeId: string; status: ChangeStatus } | { dryRun: true };

/** A health check as Route 53 holds it, mapped to the model where it can be. */
export interface HealthCheckRecord {
  id: string;
  callerReference: string;
  version: number;
  /** Undefined for kinds Switchyard never creates (CALCULATED, string match, by IP, a metric check not set as ours). */
  spec?: HealthCheckSpec;
}

/** The Route 53 calls the DNS sync needs; the adapter implements it, tests fake it. */
export interface Route53Port {
  /** True when writes are skipped right before the send (dry-run). */
  readonly dryRun?: boolean;
  listHostedZones(): Promise<HostedZone[]>;
  listRecordSets(zoneId: string): Promise<RecordSet[]>;
  /** One ListResourceRecordSets page (at most 300 sets) from `start`: reading back a few names without a zone scan. */
  listRecordSetsPage(zoneId: string, start: PageStart): Promise<ReadPage>;
  changeRecordSets(zoneId: string, changes: readonly Change[], comment?: string): Promise<ChangeSubmitted>;
  getChangeStatus(changeId: string): Promise<ChangeStatus>;
  listHealthChecks(): Promise<HealthCheckRecord[]>;
  /** Tags per health-check id (ids without tags map to []). */
  listHealthCheckTags(ids: readonly string[]): Promise<Map<string, Tag[]>>;
  createHealthCheck(callerReference: string, spec: HealthCheckSpec): Promise<HealthCheckRecord>;
  updateHealthCheck(id: string, version: number, spec: HealthCheckSpec): Promise<HealthCheckRecord>;
  tagHealthCheck(id: string, tags: readonly Tag[]): Promise<void>;
  /** Deleting a check that is already gone succeeds. */
  deleteHealthCheck(id: string): Promise<void>;
}

/** GetHealthCheckStatus (the health source's one call outside Route53Port). */
export interface HealthStatusReader {
  /** The latest observation of each Route 53 checker ("Success: ..." / "Failure: ..."). */
  getHealthCheckStatus(id: string): Promise<string[]>;
}
