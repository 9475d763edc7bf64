// A small typed builder for Amazon States Language (JSONPath). Each workflow module
// (src/workflows/<name>.ts) assembles its state machine from these primitives as plain
// data; scripts/workflows.ts writes them to workflows/*.asl.json, the files the deploy and
// the local engine read. Pure: no I/O. See docs/workflows.md, "How to change a workflow".
import type { ErrorName } from '../core/errors.ts';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Error names a Retry or Catch may match: Switchyard's named errors and the runtime's own. */
export type MatchedError =
  | ErrorName
  | 'States.ALL'
  | 'States.TaskFailed'
  | 'Lambda.ServiceException'
  | 'Lambda.AWSLambdaException'
  | 'Lambda.SdkClientException'
  | 'Lambda.TooManyRequestsException'
  | 'EventBridge.EventBridgeException'
  | 'EventBridge.FailedEntry';

export interface Retrier {
  ErrorEquals: MatchedError[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: MatchedError[];
  ResultPath: string | null;
  Next: string;
}

/** One Choice rule (the comparison operators used here; add one when a workflow needs it). */
export type ChoiceRule = { Variable: string; Next: string } & (
  { BooleanEquals: boolean } | { StringEquals: string } | { IsNull: boolean } | { NumericGreaterThanEqualsPath: string }
);

/** Where a state goes: the name of the next state, or the end of its machine. */
export type Transition = { Next: string } | { End: true };

export type State = { Type: 'Task' | 'Choice' | 'Pass' | 'Wait' | 'Succeed' | 'Fail' | 'Map'; [field: string]: unknown };
export type States = Record<string, State>;

export interface StateMachine {
  Comment: string;
  StartAt: string;
  States: States;
}

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const PUT_EVENTS = 'arn:aws:states:::events:putEvents';

/** The execution's identity, as tasks that journal or name their work receive it. */
export const EXECUTION = { 'id.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name', 'startTime.$': '$$.Execution.StartTime' } as const;

/**
 * The one Retry every Lambda Task carries: TransientAwsError and Lambda's own transient
 * errors, exponential backoff with full jitter. Named errors are never retried here.
 * Rollbacks try longer (maxAttempts 10): giving up leaves a cluster half-changed.
 */
export function lambdaRetry(maxAttempts = 6): Retrier {
  return {
    ErrorEquals: ['TransientAwsError', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
    IntervalSeconds: 2,
    MaxAttempts: maxAttempts,
    BackoffRate: 2,
    MaxDelaySeconds: 30,
    JitterStrategy: 'FULL',
  };
}

/** LockHeld retried six times, 10 s growing 1.5× with full jitter (at most about 3.5 min): for tasks that wait their turn for the fleet lock. */
export const LOCK_HELD_RETRY: Retrier = { ErrorEquals: ['LockHeld'], IntervalSeconds: 10, MaxAttempts: 6, BackoffRate: 1.5, JitterStrategy: 'FULL' };

/** The Retry of every putEvents state. */
export const PUT_EVENTS_RETRY: Retrier = {
  ErrorEquals: ['EventBridge.EventBridgeException', 'EventBridge.FailedEntry', 'States.TaskFailed'],
  IntervalSeconds: 2,
  MaxAttempts: 3,
  BackoffRate: 2,
};

/** Catch `errors` (default: all), put the error at `resultPath` and go to `next`. */
export function catcher(next: string, resultPath: string | null = '$.error', errors: MatchedError[] = ['States.ALL']): Catcher {
  return { ErrorEquals: errors, ResultPath: resultPath, Next: next };
}

export const next = (name: string): Transition => ({ Next: name });
export const END: Transition = { End: true };

export interface LambdaTaskOptions {
  comment?: string;
  payload: JsonObject;
  resultSelector?: JsonObject;
  resultPath?: string | null;
  /** Retriers after the shared Lambda Retry. */
  retry?: Retrier[];
  maxAttempts?: number;
  catch?: Catcher[];
}

/** A lambda:invoke Task of the deployed function `fn` (the deploy substitutes `${fn}`). */
export function lambdaTask(fn: string, options: LambdaTaskOptions, then: Transition): State {
  return {
    Type: 'Task',
    ...(options.comment === undefined ? {} : { Comment: options.comment }),
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: `\${${fn}}`, Payload: options.payload },
    ...(options.resultSelector === undefined ? {} : { ResultSelector: options.resultSelector }),
    ...(options.resultPath === undefined ? {} : { ResultPath: options.resultPath }),
    Retry: [lambdaRetry(options.maxAttempts), ...(options.retry ?? [])],
    ...(options.catch === undefined ? {} : { Catch: options.catch }),
    ...then,
  };
}

export interface AnnounceOptions {
  comment?: string;
  /** A literal detail-type, or `{path}` to take it from the state's input. */
  detailType: string | { path: string };
  /** Where the event's Detail is in the state's input. */
  detail: string;
  /** The execution fails when the event cannot be sent (default: it goes on to `next` all the same). */
  required?: boolean;
  /**
   * Once sent, the event at this path is replaced by `{failedEntryCount}`, so the states after
   * it stop carrying it (each state's input and output count against Step Functions' 256 KiB).
   */
  forget?: string;
}

/**
 * One Switchyard event on the bus (putEvents, its Retry, no result). An event that cannot
 * be sent is not worth undoing the operation for: unless `required`, the error goes to
 * $.eventError and the workflow carries on to `next`.
 */
export function announce(options: AnnounceOptions, nextState: string): State {
  const detailType = typeof options.detailType === 'string' ? { DetailType: options.detailType } : { 'DetailType.$': options.detailType.path };
  return {
    Type: 'Task',
    ...(options.comment === undefined ? {} : { Comment: options.comment }),
    Resource: PUT_EVENTS,
    Parameters: { Entries: [{ Source: 'switchyard', ...detailType, 'Detail.$': options.detail, EventBusName: '${EventBusName}' }] },
    ...(options.forget === undefined ? { ResultPath: null } : { ResultSelector: { 'failedEntryCount.$': '$.FailedEntryCount' }, ResultPath: options.forget }),
    Retry: [PUT_EVENTS_RETRY],
    ...(options.required === true ? {} : { Catch: [catcher(nextState, '$.eventError')] }),
    Next: nextState,
  };
}

export function choice(rules: ChoiceRule[], defaultState: string): State {
  return { Type: 'Choice', Choices: rules, Default: defaultState };
}

export const isTrue = (variable: string, nextState: string): ChoiceRule => ({ Variable: variable, BooleanEquals: true, Next: nextState });
export const isFalse = (variable: string, nextState: string): ChoiceRule => ({ Variable: variable, BooleanEquals: false, Next: nextState });
export const isNull = (variable: string, nextState: string): ChoiceRule => ({ Variable: variable, IsNull: true, Next: nextState });
export const equals = (variable: string, value: string, nextState: string): ChoiceRule => ({ Variable: variable, StringEquals: value, Next: nextState });

export function pass(fields: { comment?: string; parameters?: JsonObject; result?: JsonObject; resultPath?: string }, then: Transition): State {
  return {
    Type: 'Pass',
    ...(fields.comment === undefined ? {} : { Comment: fields.comment }),
    ...(fields.parameters === undefined ? {} : { Parameters: fields.parameters }),
    ...(fields.result === undefined ? {} : { Result: fields.result }),
    ...(fields.resultPath === undefined ? {} : { ResultPath: fields.resultPath }),
    ...then,
  };
}

export function wait(secondsPath: string, nextState: string, comment?: string): State {
  return { Type: 'Wait', ...(comment === undefined ? {} : { Comment: comment }), SecondsPath: secondsPath, Next: nextState };
}

export function succeed(outputPath?: string, comment?: string): State {
  return { Type: 'Succeed', ...(comment === undefined ? {} : { Comment: comment }), ...(outputPath === undefined ? {} : { OutputPath: outputPath }) };
}

/** A Fail with a fixed error and cause. */
export function fail(error: string, cause: string): State {
  return { Type: 'Fail', Error: error, Cause: cause };
}

/** The Fail that ends an execution with the named error caught at $.error. */
export function failWithCaught(comment?: string): State {
  return { Type: 'Fail', ...(comment === undefined ? {} : { Comment: comment }), ErrorPath: '$.error.Error', CausePath: '$.error.Cause' };
}

/** An inline Map over `itemsPath`, one item at a time, its result discarded. */
export function sequentialMap(
  fields: { comment: string; itemsPath: string; itemSelector: JsonObject; startAt: string; states: States; catch: Catcher[] },
  nextState: string,
): State {
  return {
    Type: 'Map',
    Comment: fields.comment,
    ItemsPath: fields.itemsPath,
    MaxConcurrency: 1,
    ItemSelector: fields.itemSelector,
    ItemProcessor: { StartAt: fields.startAt, States: fields.states, ProcessorConfig: { Mode: 'INLINE' } },
    ResultPath: null,
    Catch: fields.catch,
    Next: nextState,
  };
}

/** Joins groups of states in order; a name given twice is a mistake, not an override. */
export function states(...groups: States[]): States {
  const joined: States = {};
  for (const group of groups) {
    for (const [name, state] of Object.entries(group)) {
      if (name in joined) throw new Error(`state "${name}" is defined twice`);
      joined[name] = state;
    }
  }
  return joined;
}

/**
 * The state machine, checked: StartAt and every Next, Default and Catch name a state of
 * the same (sub)machine, and no state name is used twice anywhere in it (Step Functions
 * requires names unique across nested Maps).
 */
export function stateMachine(comment: string, startAt: string, machineStates: States): StateMachine {
  const machine: StateMachine = { Comment: comment, StartAt: startAt, States: machineStates };
  checkMachine(machine, new Set());
  return machine;
}

function checkMachine(machine: { StartAt: string; States: States }, seen: Set<string>): void {
  const names = new Set(Object.keys(machine.States));
  const problems: string[] = [];
  if (!names.has(machine.StartAt)) problems.push(`StartAt "${machine.StartAt}" is not a state`);
  for (const [name, state] of Object.entries(machine.States)) {
    if (seen.has(name)) problems.push(`state name "${name}" is used twice`);
    seen.add(name);
    const targets = [
      state['Next'],
      state['Default'],
      ...((state['Choices'] ?? []) as ChoiceRule[]).map((rule) => rule.Next),
      ...((state['Catch'] ?? []) as Catcher[]).map((rule) => rule.Next),
    ];
    for (const target of targets)
      if (target !== undefined && !names.has(String(target))) problems.push(`state "${name}" goes to "${String(target)}", which is not a state here`);
    const processor = state['ItemProcessor'] as { StartAt: string; States: States } | undefined;
    if (processor !== undefined) checkMachine(processor, seen);
  }
  if (problems.length > 0) throw new Error(`invalid state machine: ${problems.join('; ')}`);
}
