// What the dashboard's server sends its page: plain JSON shapes shared by the server
// (src/dashboard/*.ts) and the page (src/dashboard/web/), so both sides read one contract.
import type { AppStatus, ClusterStatus } from '../local/runtime/status.ts';
import type { ExecutionSummary } from '../local/runtime/status-view.ts';

/** Where the data comes from: the local runtime, or a deployed stage read through the AWS SDK. */
export type DashboardMode = 'local' | 'aws';

/** A workflow's states as a graph: one node per top-level state (a Map or Parallel is one node). */
export interface WorkflowGraph {
  startAt: string;
  nodes: Array<{ id: string; type: string }>;
  edges: Array<{ from: string; to: string; kind: 'next' | 'choice' | 'default' | 'catch' }>;
}

/** Where an execution has been, from its history. */
export interface ExecutionPath {
  /** Top-level states entered, in order (a state entered twice appears twice). */
  visited: string[];
  /** The state it is in now (entered, not yet left), while it runs. */
  current?: string;
  /** The state it failed in, when it failed. */
  failedAt?: string;
}

export interface ExecutionItem extends ExecutionSummary {
  /** Filled for the running and the most recent executions. */
  path?: ExecutionPath;
}

export interface EventItem {
  time: string;
  source: string;
  detailType: string;
  summary: string;
}

export interface JournalItem {
  at: string;
  by: string;
  what: string;
  why?: string;
  cluster?: string;
  executionArn?: string;
}

/** One point of a series: a value per cluster at time `t` (epoch ms). */
export interface Sample {
  t: number;
  values: Record<string, number>;
  /** `requests` only: requests per second per cluster behind the percentages, and `errors` (answered by none). */
  rates?: Record<string, number>;
  /** `requests` only: the point covers the `windowMs` before `t`. */
  windowMs?: number;
}

/**
 * A line per cluster over time. `dns-share`: percent of DNS answers naming each cluster
 * (sampled from the local resolver); `health-check`: percent of Route 53 health checkers
 * reporting the cluster's check healthy; `requests`: percent of the requests `switchyard local
 * traffic` got answered that each cluster answered, as the generators report them.
 */
export type SeriesKind = 'dns-share' | 'health-check' | 'requests';

export interface SeriesInfo {
  kind: SeriesKind;
  title: string;
  unit: string;
  clusters: string[];
}

export interface Snapshot {
  mode: DashboardMode;
  stage: string;
  at: string;
  clusters: ClusterStatus[];
  apps: AppStatus[];
  executions: ExecutionItem[];
  /** Undefined where there is no timeline to read (AWS: EventBridge keeps no history). */
  events?: EventItem[];
  journal: JournalItem[];
  problems: string[];
}

/** Which buttons the page may show (the server refuses the others anyway). */
export type OperationKind = 'drain' | 'restore' | 'abort' | 'fail' | 'heal';

export interface PageConfig {
  mode: DashboardMode;
  stage: string;
  operations: OperationKind[];
  /** Sent back in X-Switchyard-Token with every operation. */
  token: string;
}

/** The first message on the event stream; then `snapshot` and `sample` messages. */
export interface InitMessage {
  snapshot: Snapshot | undefined;
  series: Array<SeriesInfo & { samples: Sample[] }>;
  graphs: Record<string, WorkflowGraph>;
}

export interface SampleMessage {
  kind: SeriesKind;
  sample: Sample;
}

export const DASHBOARD_PREFIX = '/_dashboard/';
export const TOKEN_HEADER = 'x-switchyard-token';
