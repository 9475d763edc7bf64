// Switchyard's recurring pieces of workflow: the INSYNC poll after a Route 53 change and
// the weight-step Map of a drain or restore. Pure data, built from ./asl.ts.
import { catcher, choice, fail, isTrue, lambdaTask, next, pass, sequentialMap, states, wait, type JsonObject, type State, type States } from './asl.ts';

export type Phase = 'drain' | 'restore';

export interface PollInsyncOptions {
  /** Prefixed to every state name (state names are unique across a machine and its Maps). */
  prefix?: string;
  /** Where to go once Route 53 reports every change INSYNC. */
  onInsync: string;
  /**
   * Inside a cluster operation: every poll passes op and lock (renewing the lease), reads
   * the step back once INSYNC (`readBack`: where ApplyWeights stored what the step
   * intends), and takes pollSeconds/maxPolls from $.op.
   * Otherwise they are at the top of the state's input.
   */
  operation?: boolean;
}

/**
 * CheckSync ⇄ WaitForSync until INSYNC, bounded by maxPolls (then InsyncTimeout). Expects
 * $.sync = {changeIds, attempt} from the state that sent the changes.
 */
export function pollInsync({ prefix = '', onInsync, operation = false }: PollInsyncOptions): States {
  const settings = operation ? '$.op' : '$';
  const lease: JsonObject = operation ? { 'op.$': '$.op', 'lock.$': '$.lock' } : {};
  const readBack: JsonObject = operation ? { 'readBack.$': '$.sync.readBack' } : {};
  const readBackResult: JsonObject = operation ? { 'readBack.$': '$.Payload.readBack' } : {};
  return {
    [`${prefix}CheckSync`]: lambdaTask(
      'changeStatus',
      {
        comment: operation
          ? 'One GetChange poll of the changes just sent; renews the lease; once INSYNC, reads the step back (Route53Diverged when Route 53 does not hold it).'
          : 'One GetChange poll of the changes just sent.',
        payload: { ...lease, 'changeIds.$': '$.sync.changeIds', 'attempt.$': '$.sync.attempt', ...readBack },
        resultSelector: {
          'changeIds.$': '$.Payload.changeIds',
          'attempt.$': '$.Payload.attempt',
          'insync.$': '$.Payload.insync',
          ...readBackResult,
        },
        resultPath: '$.sync',
      },
      next(`${prefix}InSync?`),
    ),
    [`${prefix}InSync?`]: choice(
      [isTrue('$.sync.insync', onInsync), { Variable: '$.sync.attempt', NumericGreaterThanEqualsPath: `${settings}.maxPolls`, Next: `${prefix}SyncTimedOut` }],
      `${prefix}WaitForSync`,
    ),
    [`${prefix}WaitForSync`]: wait(`${settings}.pollSeconds`, `${prefix}CheckSync`),
    [`${prefix}SyncTimedOut`]: fail('InsyncTimeout', 'Route 53 did not report the changes INSYNC in time'),
  };
}

/**
 * The bake after a step: HealthGate ⇄ BakeWait (at most op.watchSeconds each) until
 * op.waitSeconds have passed, so a failure rolls back within watchSeconds.
 */
function bake(prefix: string): States {
  return {
    [`${prefix}Bake`]: pass(
      {
        comment:
          'The bake (record TTL + bake time, while resolvers drop the old answers and traffic settles) is a loop: health gate, Wait at most op.watchSeconds, health gate ... until op.waitSeconds have passed, so an unplanned failure rolls the operation back within watchSeconds, not at the end of the bake.',
        result: { elapsedSeconds: 0, waitSeconds: 0 },
        resultPath: '$.bake',
      },
      next(`${prefix}HealthGate`),
    ),
    [`${prefix}HealthGate`]: lambdaTask(
      'healthGate',
      {
        comment:
          'drain: the remaining clusters still carry every app (with this cluster counted as gone); restore: the cluster is healthy. Renews the lease. Returns where the bake loop stands.',
        payload: { 'op.$': '$.op', 'lock.$': '$.lock', 'phase.$': '$.phase', 'bake.$': '$.bake' },
        resultSelector: { 'elapsedSeconds.$': '$.Payload.bake.elapsedSeconds', 'waitSeconds.$': '$.Payload.bake.waitSeconds', 'done.$': '$.Payload.bake.done' },
        resultPath: '$.bake',
      },
      next(`${prefix}Baked?`),
    ),
    [`${prefix}Baked?`]: choice([isTrue('$.bake.done', `${prefix}StepDone`)], `${prefix}BakeWait`),
    [`${prefix}BakeWait`]: wait('$.bake.waitSeconds', `${prefix}HealthGate`, 'One slice of the bake: at most op.watchSeconds, never past op.waitSeconds.'),
    // The Map keeps every iteration's output: ending each with {} keeps that from growing with the steps (and the lock's event).
    [`${prefix}StepDone`]: { Type: 'Succeed', OutputPath: null },
  };
}

export interface WeightStepsOptions {
  comment: string;
  /** Prefixed to the Map's inner state names. */
  prefix?: string;
  /** Where any failure of a step goes (with the error at $.error). */
  onError: string;
  next: string;
}

/**
 * The Map over op.drainSteps or op.restoreSteps, one step at a time: ApplyWeights, the
 * INSYNC poll (with read-back), the bake. Each item gets op, lock, its weight, its index
 * and the phase.
 */
export function weightSteps(phase: Phase, { comment, prefix = '', onError, next: nextState }: WeightStepsOptions): State {
  return sequentialMap(
    {
      comment,
      itemsPath: `$.op.${phase}Steps`,
      itemSelector: { 'op.$': '$.op', 'lock.$': '$.lock', 'weightPercent.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', phase },
      startAt: `${prefix}ApplyWeights`,
      states: states(
        {
          [`${prefix}ApplyWeights`]: lambdaTask(
            'applyWeights',
            {
              comment:
                "Re-checks safety and the lease, writes the intent and the cluster's Route 53 weights; stores what the step intends in the state table and returns where (readBack), read back once INSYNC.",
              payload: { 'op.$': '$.op', 'lock.$': '$.lock', 'weightPercent.$': '$.weightPercent', 'phase.$': '$.phase', 'index.$': '$.index' },
              resultSelector: { 'changeIds.$': '$.Payload.changeIds', 'attempt.$': '$.Payload.attempt', 'readBack.$': '$.Payload.readBack' },
              resultPath: '$.sync',
            },
            next(`${prefix}CheckSync`),
          ),
        },
        pollInsync({ prefix, onInsync: `${prefix}Bake`, operation: true }),
        bake(prefix),
      ),
      catch: [catcher(onError)],
    },
    nextState,
  );
}
