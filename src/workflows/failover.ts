// Failover: see docs/workflows.md.
import {
  announce,
  catcher,
  choice,
  END,
  equals,
  EXECUTION,
  failWithCaught,
  isNull,
  isTrue,
  lambdaTask,
  LOCK_HELD_RETRY,
  next,
  pass,
  stateMachine,
  succeed,
  wait,
  type State,
} from './asl.ts';

/** failoverApply / failbackApply: they take the fleet lock, so LockHeld is retried. */
function applyDecision(fn: string, comment?: string): State {
  return lambdaTask(
    fn,
    {
      ...(comment === undefined ? {} : { comment }),
      payload: { 'decision.$': '$.decision', execution: EXECUTION },
      resultSelector: { 'applied.$': '$.Payload.applied', 'reason.$': '$.Payload.reason', 'event.$': '$.Payload.event', 'unserved.$': '$.Payload.unserved' },
      resultPath: '$.result',
      retry: [LOCK_HELD_RETRY],
      catch: [catcher('Failed')],
    },
    next('Announce?'),
  );
}

export const failover = stateMachine(
  'Failover: a CloudWatch alarm of the fleet went to ALARM (take the cluster, or the app, out unless no other healthy cluster would serve it: then fail open) or to OK (wait the hold-down, re-check the alarm and health, bring it back).',
  'Decide',
  {
    Decide: lambdaTask(
      'failoverDecide',
      {
        comment: 'Records the alarm state (newer wins) and decides.',
        payload: { 'event.$': '$', execution: EXECUTION },
        resultSelector: { 'ignore.$': '$.Payload.ignore', 'reason.$': '$.Payload.reason', 'decision.$': '$.Payload.decision' },
        catch: [catcher('Failed')],
      },
      next('IgnoreOrAct'),
    ),
    IgnoreOrAct: choice([isTrue('$.ignore', 'Ignored'), equals('$.decision.action', 'take-out', 'TakeOut')], 'HoldDown'),
    Ignored: pass({ parameters: { ignored: true, 'reason.$': '$.reason' } }, END),
    TakeOut: applyDecision('failoverApply', 'Per app: out where another healthy active cluster serves it, else fail open.'),
    HoldDown: wait('$.decision.holdDownSeconds', 'StillHealthy', 'failbackHoldDownSeconds: a flapping cluster does not flap DNS.'),
    StillHealthy: lambdaTask(
      'failbackCheck',
      {
        payload: { 'decision.$': '$.decision' },
        resultSelector: { 'proceed.$': '$.Payload.proceed', 'reason.$': '$.Payload.reason' },
        resultPath: '$.check',
        catch: [catcher('Failed')],
      },
      next('FailBack?'),
    ),
    'FailBack?': choice([isTrue('$.check.proceed', 'FailBack')], 'NotFailedBack'),
    NotFailedBack: pass({ parameters: { failedBack: false, 'reason.$': '$.check.reason' } }, END),
    FailBack: applyDecision('failbackApply'),
    'Announce?': choice([isNull('$.result.event', 'Unserved?')], 'Announce'),
    Announce: announce({ detailType: { path: '$.result.event.DetailType' }, detail: '$.result.event.Detail' }, 'Unserved?'),
    'Unserved?': choice([isNull('$.result.unserved', 'Done')], 'AnnounceUnserved'),
    AnnounceUnserved: announce(
      {
        comment: 'Apps Without Healthy Cluster: the failure left apps with no healthy, active cluster (a DRAINED cluster of theirs stays drained).',
        detailType: { path: '$.result.unserved.DetailType' },
        detail: '$.result.unserved.Detail',
      },
      'Done',
    ),
    Done: succeed('$.result'),
    Failed: failWithCaught(),
  },
);
