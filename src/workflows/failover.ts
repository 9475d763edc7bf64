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
  isFalse,
  isTrue,
  lambdaTask,
  LOCK_HELD_RETRY,
  next,
  pass,
  stateMachine,
  succeed,
  wait,
  type JsonObject,
  type State,
} from './asl.ts';

/** What TakeOut and FailBack return, at $.result: the workflow's output, and the events to announce. */
const APPLY_RESULT = { 'applied.$': '$.Payload.applied', 'reason.$': '$.Payload.reason', 'event.$': '$.Payload.event', 'unserved.$': '$.Payload.unserved' };

/** failoverApply / failbackApply: they take the fleet lock, so LockHeld is retried. */
function applyDecision(fn: string, fields: { comment: string; resultSelector: JsonObject; resultPath?: string }, then: string): State {
  return lambdaTask(
    fn,
    {
      ...fields,
      payload: { 'decision.$': '$.decision', execution: EXECUTION },
      retry: [LOCK_HELD_RETRY],
      catch: [catcher('Failed')],
    },
    next(then),
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
    TakeOut: applyDecision(
      'failoverApply',
      { comment: 'Per app: out where another healthy active cluster serves it, else fail open.', resultSelector: APPLY_RESULT, resultPath: '$.result' },
      'Announce?',
    ),
    HoldDown: wait('$.decision.holdDownSeconds', 'FailBack', 'failbackHoldDownSeconds: a flapping cluster does not flap DNS.'),
    FailBack: applyDecision(
      'failbackApply',
      {
        comment: 'Re-checks that the alarm is still this OK and the cluster not UNHEALTHY (proceed: false when not, nothing written), then brings it back.',
        // No ResultPath: the result replaces the state's input (ResultPath "$").
        resultSelector: { 'proceed.$': '$.Payload.proceed', result: APPLY_RESULT },
      },
      'FailedBack?',
    ),
    'FailedBack?': choice([isFalse('$.proceed', 'NotFailedBack')], 'Announce?'),
    NotFailedBack: pass({ parameters: { failedBack: false, 'reason.$': '$.result.reason' } }, END),
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
