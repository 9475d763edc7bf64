// RecoverOperation's task, and what Reconcile does about locks nobody will release.
//
// A DrainCluster / RestoreCluster / UpgradeGuard run that is stopped (StopExecution),
// times out, or fails outside its Catch never reaches its Rollback: the cluster stays
// DRAINING or RESTORING at a partial weight, under a lock no running execution holds.
// Step Functions reports the run's end ("Execution Status Change"), the router starts
// RecoverOperation with the run's ARN, and this task rolls the run back with the same
// rollback task its Catch would have called (safety-checked, journaled, "Cluster Drain
// Aborted"). It is idempotent and fenced: a run that holds no lock (its Catch settled it,
// it never took one, a newer operation took the cluster over) needs nothing, and a
// second recovery of the same run finds the lock gone.
import * as z from 'zod';
import { HEALTH_WATCH_SECONDS, INSYNC_MAX_POLLS, INSYNC_POLL_SECONDS, parseInput, type OperationSpec } from '../../core/operation-spec.ts';
import { errorMessage, InvalidInput, LockHeld } from '../../core/errors.ts';
import type { EventToPut } from '../../core/events.ts';
import {
  expiredLocks,
  heldLockOf,
  intentOf,
  liveLocks,
  reclaimLock,
  RECOVERABLE_OPERATIONS,
  releaseLock,
  type FleetState,
  type Lock,
} from '../../core/fleet-document.ts';
import type { Deps, ExecutionStatusView } from '../../core/ports.ts';
import { executionName, recoverExecutionName } from './execution-names.ts';
import { rollbackOperation } from './operations.ts';

/** Execution statuses after which a run can no longer act: its lock is recovered. GONE: Step Functions no longer knows the run. */
export const ENDED_STATUSES: readonly string[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'GONE'];

/** DescribeExecution; a run Step Functions no longer knows (deleted machine, a reset local runtime) is GONE: it cannot act any more. */
async function describeRun(deps: Pick<Deps, 'executions'>, executionArn: string): Promise<ExecutionStatusView> {
  try {
    return await deps.executions.describe(executionArn);
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionDoesNotExist')
      return { executionArn, name: executionArn.slice(executionArn.lastIndexOf(':') + 1), status: 'GONE' };
    throw error;
  }
}

/** The input of RecoverOperation: the run to recover, nothing else (so every starter asks for the same execution). */
export const recoverInputSchema = z.strictObject({
  executionArn: z.string().regex(/^arn:[^:]+:states:[^:]*:\d*:execution:[^:]+:[^:]+$/, 'must be a Step Functions execution ARN'),
});

export interface Recovered {
  executionArn: string;
  /** The run's status when it was recovered. */
  status: string;
  cluster: string | null;
  /** True when the run still held a lock and this recovery settled it (rolled back or left as the safety rule says). */
  recovered: boolean;
  rolledBack: boolean;
  reason: string;
  /** "Cluster Drain Aborted", or null when there was nothing to recover. */
  event: EventToPut | null;
}

/** The error name the abort event carries for a run that ended without its own rollback. */
export function errorOfEnded(execution: ExecutionStatusView): { Error: string; Cause: string } {
  const error =
    execution.error ??
    { ABORTED: 'ExecutionAborted', TIMED_OUT: 'States.Timeout', FAILED: 'ExecutionFailed', GONE: 'ExecutionGone' }[execution.status] ??
    `Execution${execution.status}`;
  const how =
    { ABORTED: 'was stopped', TIMED_OUT: 'timed out', FAILED: 'failed', GONE: 'is no longer known to Step Functions', SUCCEEDED: 'succeeded' }[
      execution.status
    ] ?? `ended ${execution.status}`;
  return { Error: error, Cause: `execution ${execution.name} ${how} while holding the lock${execution.cause ? `: ${execution.cause}` : ''}` };
}

/** The plan the rollback task needs, rebuilt from the lock and the intent the run wrote when it took it. */
function planOf(state: FleetState, lock: Lock, execution: ExecutionStatusView): OperationSpec {
  const intent = intentOf(state, lock.cluster);
  return {
    operation: lock.operation as OperationSpec['operation'],
    cluster: lock.cluster,
    reason: intent.reason ?? `${lock.operation} ${lock.cluster}`,
    by: intent.by ?? 'switchyard',
    drainSteps: [],
    restoreSteps: [],
    bakeSeconds: 0,
    waitSeconds: 0,
    watchSeconds: HEALTH_WATCH_SECONDS,
    pollSeconds: INSYNC_POLL_SECONDS,
    maxPolls: INSYNC_MAX_POLLS,
    dryRun: false,
    force: false,
    noop: false,
    weightPercentBefore: intent.saved?.weightPercent ?? intent.weightPercent,
    holder: lock.holder,
    executionArn: execution.executionArn,
    journalPrefix: `${execution.startDate ?? lock.acquiredAt}#${execution.name}`,
  };
}

/** Rolls back what an ended run left under its lock (see the header). */
export async function recoverEnded(deps: Deps, execution: ExecutionStatusView): Promise<Recovered> {
  const base = { executionArn: execution.executionArn, status: execution.status };
  const nothing = (cluster: string | null, reason: string): Recovered => ({ ...base, cluster, recovered: false, rolledBack: false, reason, event: null });
  if (!ENDED_STATUSES.includes(execution.status)) {
    throw new InvalidInput(
      `execution ${execution.executionArn} is ${execution.status}: only an ended run is recovered (stop it first: switchyard abort <cluster>)`,
      { ...base },
    );
  }
  const state = await deps.table.readFleet();
  const lock = heldLockOf(state, execution);
  if (lock === undefined) return nothing(null, `${execution.name} holds no lock: nothing to roll back (its own rollback settled it, or it never took one)`);
  const now = deps.clock.now();
  try {
    // The lease may have run out since the run died: take it back, fenced by the run's token.
    await deps.table.updateFleet((current) => ({ next: reclaimLock(current, lock.cluster, lock.token, now, deps.fleet.safety.lockTtlSeconds), result: null }));
  } catch (error) {
    if (error instanceof LockHeld) return nothing(lock.cluster, `a newer operation holds ${lock.cluster}: left to it (${error.message})`);
    throw error;
  }
  let rolled: { rolledBack: boolean; event: EventToPut };
  try {
    rolled = await rollbackOperation(deps)({
      op: planOf(state, lock, execution),
      lock: { token: lock.token },
      error: errorOfEnded(execution),
      operation: lock.operation,
    });
  } catch (error) {
    // Another recovery of the same run released it first (both were started): nothing left to do.
    if (error instanceof LockHeld) return nothing(lock.cluster, `${lock.cluster} was settled meanwhile: ${error.message}`);
    throw error;
  }
  const after = intentOf(await deps.table.readFleet(), lock.cluster);
  return {
    ...base,
    cluster: lock.cluster,
    recovered: true,
    rolledBack: rolled.rolledBack,
    reason: `${execution.name} ${execution.status}: ${lock.cluster} ${rolled.rolledBack ? 'rolled back' : 'left'} at ${after.state} ${after.weightPercent}%, lock released`,
    event: rolled.event,
  };
}

/** RecoverOperation's task: the run's status from Step Functions, then recoverEnded. */
export const recoverOperation =
  (deps: Deps) =>
  async (raw: unknown): Promise<Recovered> => {
    const { executionArn } = parseInput(recoverInputSchema, raw, 'RecoverOperation input');
    return recoverEnded(deps, await describeRun(deps, executionArn));
  };

// ---------------------------------------------------------------------------
// Reconcile: locks nobody will release

export interface SettledLock {
  cluster: string;
  operation: string;
  holder: string;
  token: number;
  expiresAt: string;
  /** The holder's status (DescribeExecution), or UNKNOWN when it could not be read. */
  holderStatus: string;
  /** What Reconcile did: RecoverOperation started (its ARN), a short lock released, or left (why). */
  action: 'recovery-started' | 'released' | 'left';
  detail: string;
}

async function statusOf(deps: Deps, executionArn: string | undefined): Promise<{ status: string; error?: string }> {
  if (executionArn === undefined) return { status: 'UNKNOWN' };
  try {
    return { status: (await describeRun(deps, executionArn)).status };
  } catch (error) {
    return { status: 'UNKNOWN', error: errorMessage(error) };
  }
}

/**
 * Finds the locks whose holder no longer runs, and those past their lease, and settles
 * them the way a run's end event would: a drain, restore or upgrade is recovered by
 * starting RecoverOperation (named after the run and this Reconcile: a recovery that failed
 * is tried again next time; one that races the event's is harmless, the second finds the
 * lock gone); a failover's short lock (taken and
 * released inside one task) is released. A holder still RUNNING is left alone, even past
 * its lease: its next write fails the fence, and once it has ended the next Reconcile
 * recovers it.
 */
export async function settleStaleLocks(deps: Deps, attempt: string): Promise<SettledLock[]> {
  const state = await deps.table.readFleet();
  const now = deps.clock.now();
  const expired = new Set(expiredLocks(state, now).map((lock) => lock.cluster));
  const stale: SettledLock[] = [];
  for (const lock of Object.values(state.locks).sort((a, b) => a.cluster.localeCompare(b.cluster))) {
    const intent = intentOf(state, lock.cluster);
    const recoverable = RECOVERABLE_OPERATIONS.includes(lock.operation) && intent.executionArn !== undefined && intent.executionArn.endsWith(`:${lock.holder}`);
    const holder = recoverable ? await statusOf(deps, intent.executionArn) : { status: 'UNKNOWN' };
    const ended = ENDED_STATUSES.includes(holder.status);
    if (!expired.has(lock.cluster) && !ended) continue;
    const entry = {
      cluster: lock.cluster,
      operation: lock.operation,
      holder: lock.holder,
      token: lock.token,
      expiresAt: lock.expiresAt,
      holderStatus: holder.status,
    };
    if (recoverable && ended) {
      const started = await deps.workflows.start('RecoverOperation', recoverExecutionName(intent.executionArn!, attempt), {
        executionArn: intent.executionArn,
      });
      stale.push({
        ...entry,
        action: 'recovery-started',
        detail: `${started.started ? 'RecoverOperation started' : 'RecoverOperation already started'}: ${started.executionArn}`,
      });
    } else if (!recoverable && expired.has(lock.cluster)) {
      const released = await deps.table.updateFleet((current) => {
        const outcome = releaseLock(current, lock.cluster, lock.token);
        return outcome.released ? { next: outcome.state, result: true } : { result: false };
      });
      stale.push({
        ...entry,
        action: released ? 'released' : 'left',
        detail: released ? `${lock.operation} lease ran out at ${lock.expiresAt}: released` : 'taken over meanwhile',
      });
    } else {
      const why =
        holder.status === 'RUNNING'
          ? 'its holder is still RUNNING past its lease (its next write fails the fence; recovered once it ends)'
          : `its holder's status is ${holder.status}${holder.error ? ` (${holder.error})` : ''}`;
      stale.push({ ...entry, action: 'left', detail: why });
    }
  }
  return stale;
}

// ---------------------------------------------------------------------------
// Reconcile: drains past their expiry

export interface ExpiredDrain {
  cluster: string;
  expiresAt: string;
  /** RestoreCluster started for it (its ARN), or left (why). */
  action: 'restore-started' | 'restore-already-started' | 'left';
  detail: string;
}

/**
 * A DRAINED intent whose `expiresAt` has passed is restored: Reconcile starts RestoreCluster
 * for it, as a zonal shift that expires returns traffic. One restore per expiry (the
 * execution name is derived from the cluster and the expiry), so a restore that is refused
 * (the cluster is unhealthy) is not retried every period: the cluster stays drained and
 * `status` shows the expired drain until an operator acts. A cluster under a live lock is
 * left to its operation.
 */
export async function restoreExpiredDrains(deps: Deps): Promise<ExpiredDrain[]> {
  const state = await deps.table.readFleet();
  const now = deps.clock.now();
  const live = new Set(liveLocks(state, now).map((lock) => lock.cluster));
  const expired: ExpiredDrain[] = [];
  for (const intent of Object.values(state.intents).sort((a, b) => a.cluster.localeCompare(b.cluster))) {
    if (intent.state !== 'DRAINED' || intent.expiresAt === undefined || Date.parse(intent.expiresAt) > now.getTime()) continue;
    if (live.has(intent.cluster)) {
      expired.push({ cluster: intent.cluster, expiresAt: intent.expiresAt, action: 'left', detail: `an operation holds ${intent.cluster}'s lock` });
      continue;
    }
    const input = {
      cluster: intent.cluster,
      reason: `drain expired at ${intent.expiresAt}${intent.reason ? ` (drained for: ${intent.reason})` : ''}`,
      by: 'switchyard reconcile (drain expiry)',
    };
    const started = await deps.workflows.start('RestoreCluster', executionName('restore-expired', intent.cluster, [intent.cluster, intent.expiresAt]), input);
    expired.push({
      cluster: intent.cluster,
      expiresAt: intent.expiresAt,
      action: started.started ? 'restore-started' : 'restore-already-started',
      detail: started.executionArn,
    });
  }
  return expired;
}
