// The shape OnboardApp, OffboardApp and Reconcile share: one task changes the catalogue and
// Route 53, the INSYNC poll, optionally the clean-up of unused health checks, then the event
// when the task returned one.
import {
  announce,
  catcher,
  choice,
  EXECUTION,
  failWithCaught,
  isNull,
  lambdaTask,
  LOCK_HELD_RETRY,
  next,
  stateMachine,
  states,
  succeed,
  type StateMachine,
} from './asl.ts';
import { pollInsync } from './steps.ts';

export interface AppChangeSpec {
  comment: string;
  /** The Apply task's function and comment. */
  apply: string;
  applyComment: string;
  /** Apply waits its turn for the fleet lock (LockHeld retried). */
  waitsForFleetLock?: boolean;
  /** Delete the owned health checks nothing uses any more, once INSYNC. */
  cleanup?: boolean;
  event: string;
}

const POLL_SECONDS = 5;
const MAX_POLLS = 120;

export function appChange(spec: AppChangeSpec): StateMachine {
  const afterSync = spec.cleanup === true ? 'Cleanup' : 'Announce?';
  return stateMachine(
    spec.comment,
    'Apply',
    states(
      {
        Apply: lambdaTask(
          spec.apply,
          {
            comment: spec.applyComment,
            payload: { 'input.$': '$', execution: EXECUTION },
            resultSelector: {
              'result.$': '$.Payload',
              sync: { 'changeIds.$': '$.Payload.changeIds', attempt: 0 },
              pollSeconds: POLL_SECONDS,
              maxPolls: MAX_POLLS,
            },
            ...(spec.waitsForFleetLock === true ? { retry: [LOCK_HELD_RETRY] } : {}),
            catch: [catcher('Failed')],
          },
          next('CheckSync'),
        ),
      },
      pollInsync({ onInsync: afterSync }),
      spec.cleanup === true
        ? {
            Cleanup: lambdaTask(
              'cleanupHealthChecks',
              {
                comment: 'Owned health checks no record uses any more (after INSYNC).',
                payload: {},
                resultSelector: { 'deleted.$': '$.Payload.deleted', 'failures.$': '$.Payload.failures' },
                resultPath: '$.cleanup',
                catch: [catcher('Announce?', '$.cleanupError')],
              },
              next('Announce?'),
            ),
          }
        : {},
      {
        'Announce?': choice([isNull('$.result.event', 'Done')], 'Announce'),
        Announce: announce({ detailType: spec.event, detail: '$.result.event.Detail' }, 'Done'),
        Done: succeed('$.result'),
        Failed: failWithCaught(),
      },
    ),
  );
}
