// UpgradeGuard: DrainCluster's steps, the EKS update, RestoreCluster's steps, all in one
// execution under one lock. Built from the same pieces as DrainCluster and RestoreCluster
// (acquireLock, weightSteps, finishOperation, rollbackStates) rather than nesting their
// executions: docs/workflows.md, "UpgradeGuard", says why.
import {
  announce,
  catcher,
  choice,
  END,
  equals,
  EXECUTION,
  fail,
  isFalse,
  isTrue,
  lambdaTask,
  next,
  pass,
  stateMachine,
  states,
  succeed,
  wait,
} from './asl.ts';
import { acquireLock, finishOperation, ROLLBACK, rollbackStates } from './cluster-operation.ts';
import { weightSteps } from './steps.ts';

/** Where a failed DescribeUpdate or pre-restore health gate goes: the cluster stays drained. */
const KEEP_DRAINED_AFTER_ERROR = catcher('KeepDrainedAfterError', '$.gateError');

export const upgradeGuard = stateMachine(
  'UpgradeGuard: on an EKS UpdateClusterVersion call, drain the cluster, poll eks:DescribeUpdate until the update ends, health-gate the cluster, restore it. If the update fails (or the cluster stays unhealthy), the cluster stays drained, the lock is released and Cluster Upgrade Failed is emitted.',
  'Resolve',
  states(
    {
      Resolve: lambdaTask(
        'resolveUpgrade',
        {
          comment: 'Which fleet cluster is upgrading (ignores failed calls and clusters outside the fleet).',
          payload: { 'event.$': '$', execution: EXECUTION },
          resultSelector: { 'op.$': '$.Payload.op', 'ignore.$': '$.Payload.ignore', 'reason.$': '$.Payload.reason', lock: null },
          catch: [catcher('Failed')],
        },
        next('IgnoreOrGuard'),
      ),
      IgnoreOrGuard: choice([isTrue('$.ignore', 'Ignored')], 'AcquireLock'),
      Ignored: pass({ parameters: { ignored: true, 'reason.$': '$.reason' } }, END),
      AcquireLock: acquireLock('AnnounceStarted'),
      AnnounceStarted: announce({ detailType: 'Cluster Drain Started', detail: '$.lock.event.Detail', forget: '$.lock.event' }, 'DrainSteps'),
      DrainSteps: weightSteps('drain', { comment: 'Drain before the upgrade, one step at a time.', onError: ROLLBACK, next: 'Drained' }),
      Drained: finishOperation('upgrade-drained', 'AnnounceDrained', { resultPath: '$.drained' }),
      AnnounceDrained: announce({ detailType: 'Cluster Drained', detail: '$.drained.event.Detail' }, 'StartPolling'),
      StartPolling: pass({ result: { status: 'InProgress', errors: [], attempt: 0 }, resultPath: '$.update' }, next('WaitForUpdate')),
      WaitForUpdate: wait('$.op.upgrade.pollSeconds', 'DescribeUpdate'),
      DescribeUpdate: lambdaTask(
        'describeUpdate',
        {
          comment: 'eks:DescribeUpdate; renews the lease.',
          payload: { 'op.$': '$.op', 'lock.$': '$.lock', 'attempt.$': '$.update.attempt' },
          resultSelector: { 'status.$': '$.Payload.status', 'errors.$': '$.Payload.errors', 'attempt.$': '$.Payload.attempt' },
          resultPath: '$.update',
          catch: [KEEP_DRAINED_AFTER_ERROR],
        },
        next('UpdateDone?'),
      ),
      'UpdateDone?': choice(
        [equals('$.update.status', 'InProgress', 'WaitForUpdate'), equals('$.update.status', 'Successful', 'RestoreAfter?')],
        'KeepDrained',
      ),
      'RestoreAfter?': choice([isFalse('$.op.upgrade.restoreAfter', 'UpgradeDone')], 'HealthGateBeforeRestore'),
      HealthGateBeforeRestore: lambdaTask(
        'healthGate',
        {
          comment: 'The upgraded cluster must be healthy before traffic returns.',
          payload: { 'op.$': '$.op', 'lock.$': '$.lock', phase: 'restore' },
          resultPath: null,
          catch: [KEEP_DRAINED_AFTER_ERROR],
        },
        next('RestoreSteps'),
      ),
      RestoreSteps: weightSteps('restore', {
        comment: 'Restore after the upgrade, one step at a time.',
        prefix: 'Restore',
        onError: ROLLBACK,
        next: 'Restored',
      }),
      Restored: finishOperation('restored', 'AnnounceRestored'),
      AnnounceRestored: announce({ detailType: 'Cluster Restored', detail: '$.finish.event.Detail' }, 'Done'),
      Done: succeed('$.finish.result'),
      UpgradeDone: finishOperation('upgrade-done', 'DoneKeptDrained'),
      DoneKeptDrained: succeed('$.finish.result', 'The cluster was drained by an operator before the upgrade: it stays drained.'),
      KeepDrained: finishOperation('upgrade-failed', 'AnnounceUpgradeFailed', { extra: { 'update.$': '$.update' } }),
      KeepDrainedAfterError: finishOperation('upgrade-failed', 'AnnounceUpgradeFailed', { extra: { 'error.$': '$.gateError' } }),
      AnnounceUpgradeFailed: announce({ detailType: 'Cluster Upgrade Failed', detail: '$.finish.event.Detail' }, 'UpgradeFailed'),
      UpgradeFailed: fail(
        'UpgradeFailed',
        'The EKS update did not succeed (or the cluster is unhealthy after it): the cluster stays drained; see the Cluster Upgrade Failed event.',
      ),
    },
    rollbackStates('upgrade'),
  ),
);
