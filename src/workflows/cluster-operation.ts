// The pieces of a cluster operation (DrainCluster, RestoreCluster, UpgradeGuard): the lock,
// the finish, the rollback, and the whole Prepare → lock → steps → finish machine that
// DrainCluster and RestoreCluster share.
import type { ErrorName } from '../core/errors.ts';
import {
  announce,
  catcher,
  choice,
  END,
  EXECUTION,
  failWithCaught,
  isTrue,
  lambdaTask,
  next,
  pass,
  stateMachine,
  states,
  succeed,
  type JsonObject,
  type State,
  type StateMachine,
  type States,
} from './asl.ts';
import { weightSteps, type Phase } from './steps.ts';

/** Every failure after the lock is taken goes here: saved weights back, lock released. */
export const ROLLBACK = 'Rollback';

/** AcquireLock: the cluster's lease, the fleet's drain slot, the safety check and the saved weights in one write. */
export function acquireLock(nextState: string): State {
  return lambdaTask(
    'acquireLock',
    {
      comment: 'Cluster lease + fleet drain slot + safety check + saved weights, in one conditional write.',
      payload: { 'op.$': '$.op' },
      resultSelector: { 'token.$': '$.Payload.token', 'event.$': '$.Payload.event' },
      resultPath: '$.lock',
      catch: [catcher(ROLLBACK, '$.error', ['LockHeld', 'DrainUnsafe']), catcher(ROLLBACK)],
    },
    next(nextState),
  );
}

/** finishOperation with `outcome` (and `extra` fields); its {result, event} at `resultPath`. A failure rolls back. */
export function finishOperation(
  outcome: string,
  nextState: string,
  { resultPath = '$.finish', extra = {} }: { resultPath?: string; extra?: JsonObject } = {},
): State {
  return lambdaTask(
    'finishOperation',
    {
      payload: { 'op.$': '$.op', 'lock.$': '$.lock', outcome, ...extra },
      resultSelector: { 'result.$': '$.Payload.result', 'event.$': '$.Payload.event' },
      resultPath,
      catch: [catcher(ROLLBACK)],
    },
    next(nextState),
  );
}

/** Rollback → Cluster Drain Aborted → Failed (the named error), or RollbackFailed when even the rollback fails. */
export function rollbackStates(operation: 'drain' | 'restore' | 'upgrade'): States {
  return {
    [ROLLBACK]: lambdaTask(
      'rollbackOperation',
      {
        comment: 'Saved weights back (if this execution still holds the lock), lock released, journal.',
        payload: { 'op.$': '$.op', 'lock.$': '$.lock', 'error.$': '$.error', operation },
        resultSelector: { 'rolledBack.$': '$.Payload.rolledBack', 'event.$': '$.Payload.event' },
        resultPath: '$.rollback',
        maxAttempts: 10,
        catch: [catcher('RollbackFailed', '$.rollbackError')],
      },
      next('AnnounceAborted'),
    ),
    AnnounceAborted: announce({ detailType: 'Cluster Drain Aborted', detail: '$.rollback.event.Detail' }, 'Failed'),
    RollbackFailed: { Type: 'Fail', Error: 'RollbackFailed', CausePath: '$.rollbackError.Cause' },
    Failed: failWithCaught('Ends with the named error that stopped the operation.'),
  };
}

export interface ClusterOperationSpec {
  comment: string;
  phase: Phase;
  /** The Prepare task's function. */
  prepare: string;
  /** Refusals Prepare may raise: reported (RefusedAtPrepare), nothing changed. */
  refusals: ErrorName[];
  /** The outcome when there is nothing to do (the cluster is already there). */
  noopOutcome: string;
  stepsComment: string;
  /** The event sent once the lock is taken, if any. */
  startedEvent?: string;
  /** finishOperation's outcome; the event it announces is `Cluster <Outcome>`, the Succeed state `<Outcome>`. */
  outcome: 'drained' | 'restored';
}

/**
 * Prepare → DryRunOrNothingToDo → AcquireLock → [started event] → Steps → Finish →
 * [finished event] → Succeed; refusals at Prepare are reported, any later failure rolls back.
 */
export function clusterOperation(spec: ClusterOperationSpec): StateMachine {
  const finishedState = spec.outcome === 'drained' ? 'Drained' : 'Restored';
  const finishedEvent = `Cluster ${finishedState}`;
  const announced = `Announce${finishedState}`;
  return stateMachine(
    spec.comment,
    'Prepare',
    states(
      {
        Prepare: lambdaTask(
          spec.prepare,
          {
            comment: 'Validates the input, resolves defaults, checks safety; a dry run plans every step and reports refusals instead of failing.',
            payload: { 'input.$': '$', execution: EXECUTION },
            resultSelector: { 'op.$': '$.Payload.op', 'dryRun.$': '$.Payload.dryRun', lock: null },
            catch: [catcher('RefusedAtPrepare', '$.error', spec.refusals), catcher('Failed')],
          },
          next('DryRunOrNothingToDo'),
        ),
        DryRunOrNothingToDo: choice([isTrue('$.op.dryRun', 'DryRunPlan'), isTrue('$.op.noop', 'NothingToDo')], 'AcquireLock'),
        DryRunPlan: succeed('$.dryRun'),
        NothingToDo: pass({ parameters: { 'cluster.$': '$.op.cluster', outcome: spec.noopOutcome, 'weightPercent.$': '$.op.weightPercentBefore' } }, END),
        AcquireLock: acquireLock(spec.startedEvent === undefined ? 'Steps' : 'AnnounceStarted'),
      },
      spec.startedEvent === undefined
        ? {}
        : { AnnounceStarted: announce({ detailType: spec.startedEvent, detail: '$.lock.event.Detail', forget: '$.lock.event' }, 'Steps') },
      {
        Steps: weightSteps(spec.phase, { comment: spec.stepsComment, onError: ROLLBACK, next: 'Finish' }),
        Finish: finishOperation(spec.outcome, announced),
        [announced]: announce({ detailType: finishedEvent, detail: '$.finish.event.Detail' }, finishedState),
        [finishedState]: succeed('$.finish.result'),
        RefusedAtPrepare: lambdaTask(
          'rollbackOperation',
          {
            comment: 'Refused before anything changed: report it, change nothing.',
            payload: { 'input.$': '$$.Execution.Input', execution: EXECUTION, 'error.$': '$.error', operation: spec.phase },
            resultSelector: { 'event.$': '$.Payload.event' },
            resultPath: '$.rollback',
            catch: [catcher('Failed', '$.rollbackError')],
          },
          next('AnnounceRefused'),
        ),
        AnnounceRefused: announce({ detailType: 'Cluster Drain Aborted', detail: '$.rollback.event.Detail' }, 'Failed'),
      },
      rollbackStates(spec.phase),
    ),
  );
}
