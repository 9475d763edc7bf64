// How long the local Step Functions keeps closed executions. Pure.
//
// AWS keeps a closed execution for 90 days, then it is gone (DescribeExecution answers
// ExecutionDoesNotExist and its name may be used again). The local service does the same
// and also keeps at most a number of closed executions per state machine, so a runtime
// that runs for months (a Reconcile every 5 minutes) holds a bounded state.
import type { ExecutionSummary } from './execution-store.ts';

export interface RetentionPolicy {
  /** Days a closed execution is kept after it stopped (AWS: 90). */
  closedDays: number;
  /** Closed executions kept per state machine, newest first; older ones go. */
  maxClosedPerStateMachine: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { closedDays: 90, maxClosedPerStateMachine: 10_000 };

const DAY_MS = 86_400_000;

/**
 * The closed executions the policy no longer keeps: those that stopped more than
 * `closedDays` ago, and per state machine those past the newest `keep` (by stop time).
 * `keep` defaults to the policy's maximum; passing less prunes further in one go.
 * RUNNING executions are never chosen.
 */
export function executionsToPrune(
  summaries: Iterable<ExecutionSummary>,
  now: number,
  policy: RetentionPolicy,
  keep = policy.maxClosedPerStateMachine,
): string[] {
  const cutoff = now - policy.closedDays * DAY_MS;
  const doomed: string[] = [];
  const closedByMachine = new Map<string, ExecutionSummary[]>();
  for (const summary of summaries) {
    if (summary.status === 'RUNNING') continue;
    const stoppedAt = summary.stopDate ?? summary.startDate;
    if (stoppedAt < cutoff) {
      doomed.push(summary.executionArn);
      continue;
    }
    let closed = closedByMachine.get(summary.stateMachineArn);
    if (closed === undefined) closedByMachine.set(summary.stateMachineArn, (closed = []));
    closed.push(summary);
  }
  for (const closed of closedByMachine.values()) {
    if (closed.length <= keep) continue;
    closed.sort((a, b) => (b.stopDate ?? b.startDate) - (a.stopDate ?? a.startDate) || b.startDate - a.startDate);
    for (const summary of closed.slice(keep)) doomed.push(summary.executionArn);
  }
  return doomed;
}
