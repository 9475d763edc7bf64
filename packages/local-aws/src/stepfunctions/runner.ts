// Runs a workflows/*.asl.json definition in process with aws-local-stepfunctions, so
// the same ASL behaves as on AWS: lambda:invoke Tasks call in-process handlers and
// return Lambda's invoke envelope, thrown errors surface by name (Retry/Catch match
// them, $.Error/$.Cause look like AWS), events:putEvents Tasks go to an injected sink,
// and any other Task is refused before anything runs (it would call real AWS).
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { InvalidInput } from '../errors.ts';
import { AwsServiceError } from '../aws-json.ts';
import {
  forEachState,
  functionNameOf,
  LAMBDA_INVOKE,
  inspectDefinition,
  parseDefinition,
  validateAsl,
  withLocalWaits,
  type AslObject,
  type DefinitionInventory,
} from './definition.ts';
import { causeText, HistoryRecorder, type HistoryEvent, type LibraryEvent, type TaskAttempt } from './history.ts';
import { invokeInProcess, TaskFailure, type LambdaHandler } from './lambda-invoke.ts';
import { stopMapsOnFailure } from './map-fail-fast.ts';
import { DataLimitExceeded, enforcePayloadLimit, inputTooLargeCause, overPayloadLimit, resultTooLargeCause } from './payload-limit.ts';
import { dropRootResultPaths } from './result-path-root.ts';
import { readReferencePath } from './reference-path.ts';

export type { LambdaHandler } from './lambda-invoke.ts';
export type { HistoryEvent } from './history.ts';

export interface PutEventsRequestEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: string;
  [other: string]: unknown;
}

export interface PutEventsResponse {
  Entries: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }>;
  FailedEntryCount: number;
}

/** Where events:putEvents Tasks send their entries (the local bus's putEvents). */
export type PutEventsSink = (entries: PutEventsRequestEntry[]) => Promise<PutEventsResponse>;

export interface RunnerOptions {
  /** In-process Lambda handlers by function name (the `${name}` in FunctionName). */
  handlers: Record<string, LambdaHandler>;
  /**
   * Each function's configured timeout in seconds (Lambda's own, by function name). On AWS a
   * Task without TimeoutSeconds runs until its function times out; here too. A function not
   * listed gets aws-local-stepfunctions' 60 s.
   */
  handlerTimeouts?: Record<string, number>;
  putEvents?: PutEventsSink;
  /** Multiplies every Wait state's duration: 1 (default) real time, 0 no waiting. */
  waitScale?: number;
  region?: string;
  accountId?: string;
  /** What `${EventBusName}` in a putEvents entry becomes (default "default"). */
  eventBusName?: string;
  /** Names the definition in errors, e.g. the file it came from. */
  label?: string;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface WorkflowOutcome {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: unknown;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
}

export interface StartOptions {
  executionArn?: string;
  stateMachineArn?: string;
  name?: string;
  roleArn?: string;
  /** Called for each history event as it is recorded (persistence, status views). */
  onEvent?: (event: HistoryEvent) => void;
  /** Stops the run like StopExecution with no error or cause. */
  signal?: AbortSignal;
  /** Earlier events of the same execution (a re-run after a crash continues its history). */
  history?: HistoryEvent[];
}

export interface WorkflowRun {
  /** Grows while the execution runs. */
  readonly history: HistoryEvent[];
  readonly outcome: Promise<WorkflowOutcome>;
  /** StopExecution: the run ends ABORTED with this error and cause. */
  stop(error?: string, cause?: string): void;
}

const DEFAULT_TASK_TIMEOUT_SECONDS = 60; // aws-local-stepfunctions' default

/** A Task's own TimeoutSeconds, else its function's configured timeout, else the library's default. */
function taskTimeoutSeconds(state: AslObject, handlerTimeouts: Record<string, number>): number {
  if (typeof state['TimeoutSeconds'] === 'number') return state['TimeoutSeconds'];
  const parameters = state['Parameters'] as AslObject | undefined;
  const requested = parameters?.['FunctionName'];
  return (typeof requested === 'string' ? handlerTimeouts[functionNameOf(requested)] : undefined) ?? DEFAULT_TASK_TIMEOUT_SECONDS;
}

/**
 * The definition with each lambda:invoke Task that sets no TimeoutSeconds given its
 * function's timeout, which aws-local-stepfunctions then enforces (a copy; unchanged when
 * no timeout is configured).
 */
function withHandlerTimeouts(definition: AslObject, handlerTimeouts: Record<string, number>): AslObject {
  if (Object.keys(handlerTimeouts).length === 0) return definition;
  const copy = structuredClone(definition);
  forEachState(copy, (_name, state) => {
    if (state['Type'] !== 'Task' || state['Resource'] !== LAMBDA_INVOKE || typeof state['TimeoutSeconds'] === 'number') return;
    const seconds = taskTimeoutSeconds(state, handlerTimeouts);
    if (seconds !== DEFAULT_TASK_TIMEOUT_SECONDS) state['TimeoutSeconds'] = seconds;
  });
  return copy;
}

export class Workflow {
  readonly definition: AslObject;
  readonly inventory: DefinitionInventory;
  private readonly machine: StateMachine;
  private readonly states = new Map<string, AslObject>();
  private readonly options: Required<Omit<RunnerOptions, 'putEvents' | 'label'>> & Pick<RunnerOptions, 'putEvents'>;
  private readonly scaledWaits: boolean;
  private readonly retryOverrides: Record<string, number[]>;

  constructor(source: string | object, options: RunnerOptions) {
    const label = options.label ?? 'definition';
    const waitScale = options.waitScale ?? 1;
    if (!Number.isFinite(waitScale) || waitScale < 0) throw new InvalidInput(`waitScale: must be a number >= 0, got ${String(waitScale)}`);
    this.definition = parseDefinition(source, label);
    validateAsl(this.definition, label);
    this.inventory = inspectDefinition(this.definition, label);
    const missing = new Set<string>();
    for (const task of this.inventory.tasks) {
      if (task.kind === 'lambda' && task.functionName !== undefined && options.handlers[task.functionName] === undefined) missing.add(task.functionName);
      if (task.kind === 'putEvents' && options.putEvents === undefined)
        throw new InvalidInput(`${label}: state "${task.stateName}" puts events but no putEvents sink was given`);
    }
    if (missing.size > 0) {
      throw new InvalidInput(`${label}: no local handler for function(s) ${[...missing].map((name) => `"${name}"`).join(', ')}`, { missing: [...missing] });
    }
    forEachState(this.definition, (name, state) => this.states.set(name, state));
    this.options = {
      handlers: options.handlers,
      handlerTimeouts: options.handlerTimeouts ?? {},
      putEvents: options.putEvents,
      waitScale,
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? '000000000000',
      eventBusName: options.eventBusName ?? 'default',
    };
    this.scaledWaits = waitScale !== 1 && this.inventory.waits.length > 0;
    this.retryOverrides = waitScale === 1 ? {} : scaledRetryIntervals(this.states, waitScale);
    const runnable = withHandlerTimeouts(this.scaledWaits ? withLocalWaits(this.definition) : this.definition, this.options.handlerTimeouts);
    // The library starts a failed Map's queued iterations anyway; AWS does not.
    stopMapsOnFailure(runnable);
    // Step Functions' 256 KiB quota on every state's output, as on AWS.
    enforcePayloadLimit(runnable);
    // "ResultPath": "$" replaces the input, as on AWS (the library would add a field named "$").
    dropRootResultPaths(runnable);
    // Validated above (with clearer errors); validating again costs ~100 ms per build.
    this.machine = new StateMachine(runnable as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
  }

  start(input: unknown, options: StartOptions = {}): WorkflowRun {
    const executionArn = options.executionArn ?? `arn:aws:states:${this.options.region}:${this.options.accountId}:execution:local:${crypto.randomUUID()}`;
    const stateMachineArn = options.stateMachineArn ?? `arn:aws:states:${this.options.region}:${this.options.accountId}:stateMachine:local`;
    const name = options.name ?? executionArn.split(':').pop()!;
    const roleArn = options.roleArn ?? `arn:aws:iam::${this.options.accountId}:role/local`;
    const recorder = new HistoryRecorder(this.inventory.stateTypes, options.onEvent, options.history);
    recorder.add({
      type: 'ExecutionStarted',
      timestamp: Date.now(),
      details: { input: JSON.stringify(input ?? null), inputDetails: { truncated: false }, roleArn },
    });
    const context = {
      Execution: { Id: executionArn, Name: name, RoleArn: roleArn, StartTime: new Date().toISOString() },
      StateMachine: { Id: stateMachineArn, Name: stateMachineArn.split(':').pop() },
    };
    const stopController = new AbortController();
    const handlers = this.taskHandlers(recorder, context, stopController.signal, { executionArn, stateMachineArn });
    const execution = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: this.retryOverrides },
      context,
    });
    const drained = (async () => {
      for await (const event of execution.eventLogs) recorder.consume(event as unknown as LibraryEvent);
    })();

    let stopRequest: { error?: string; cause?: string } | undefined;
    const stop = (error?: string, cause?: string): void => {
      if (stopRequest !== undefined) return;
      stopRequest = { error, cause };
      stopController.abort();
      execution.abort();
    };
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener('abort', () => stop(), { once: true });

    const outcome = (async (): Promise<WorkflowOutcome> => {
      let result: WorkflowOutcome;
      try {
        const output = await execution.result;
        result = { status: 'SUCCEEDED', output, history: recorder.events };
      } catch (error) {
        result = { ...failureOf(error, stopRequest), history: recorder.events };
      }
      await drained;
      recorder.add(endEvent(result));
      return result;
    })();
    return { history: recorder.events, outcome, stop };
  }

  private taskHandlers(
    recorder: HistoryRecorder,
    context: Record<string, unknown>,
    stopSignal: AbortSignal,
    arns: { executionArn: string; stateMachineArn: string },
  ): Record<string, (input: unknown) => Promise<unknown>> {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const task of this.inventory.tasks) {
      const state = this.states.get(task.stateName)!;
      const timeoutSeconds = taskTimeoutSeconds(state, this.options.handlerTimeouts);
      const run =
        task.kind === 'lambda'
          ? (input: unknown) => this.invokeLambda(recorder, recorder.beginTask(task.stateName), input as AslObject, timeoutSeconds)
          : (input: unknown) => this.putEvents(recorder, recorder.beginTask(task.stateName), input as AslObject, arns);
      handlers[task.stateName] = async (input) => {
        // The Task's input after Parameters: over the quota, the execution ends (no Catch).
        if (overPayloadLimit(input)) throw new DataLimitExceeded(inputTooLargeCause(task.stateName), false);
        return run(input);
      };
    }
    if (this.scaledWaits) {
      for (const wait of this.inventory.waits) {
        handlers[wait.stateName] = async (input) => {
          const ms = waitMilliseconds(wait.state, input, context) * this.options.waitScale;
          await sleep(ms, stopSignal);
          return input;
        };
      }
    }
    return handlers;
  }

  private async invokeLambda(recorder: HistoryRecorder, attempt: TaskAttempt, parameters: AslObject, timeoutSeconds: number): Promise<unknown> {
    const resource = { resourceType: 'lambda', resource: 'invoke' };
    recorder.taskEvent(attempt, {
      type: 'TaskScheduled',
      timestamp: Date.now(),
      details: { ...resource, region: this.options.region, parameters: JSON.stringify(parameters), timeoutInSeconds: timeoutSeconds },
    });
    const fail = (error: string, cause: string): never => {
      recorder.taskEvent(attempt, { type: 'TaskFailed', timestamp: Date.now(), details: { ...resource, error, cause } });
      throw new TaskFailure(error, cause);
    };
    const requested = parameters['FunctionName'];
    if (typeof requested !== 'string') return fail('States.Runtime', 'lambda:invoke: FunctionName must be a string');
    const functionName = functionNameOf(requested);
    const handler = this.options.handlers[functionName];
    if (handler === undefined) {
      return fail('Lambda.ResourceNotFoundException', `Function not found: ${requested} (no local handler named "${functionName}")`);
    }
    const invocationType = parameters['InvocationType'];
    if (invocationType !== undefined && invocationType !== 'RequestResponse') {
      return fail('States.Runtime', `lambda:invoke: InvocationType ${String(invocationType)} is not supported locally`);
    }
    recorder.taskEvent(attempt, { type: 'TaskStarted', timestamp: Date.now(), details: resource });
    try {
      const output = await invokeInProcess(handler, parameters['Payload'], {
        functionName,
        region: this.options.region,
        accountId: this.options.accountId,
        deadline: Date.now() + timeoutSeconds * 1000,
      });
      // Lambda answers up to 6 MB; Step Functions takes a result of 256 KiB at most (a Task failure, caught like one).
      if (overPayloadLimit(output)) throw new DataLimitExceeded(resultTooLargeCause('lambda'), true);
      recorder.taskEvent(attempt, {
        type: 'TaskSucceeded',
        timestamp: Date.now(),
        details: { ...resource, output: JSON.stringify(output), outputDetails: { truncated: false } },
      });
      return output;
    } catch (error) {
      const failure = error as TaskFailure | DataLimitExceeded;
      if (failure instanceof DataLimitExceeded) {
        recorder.taskEvent(attempt, { type: 'TaskFailed', timestamp: Date.now(), details: { ...resource, error: failure.name, cause: failure.message } });
        throw failure;
      }
      return fail(failure.name, failure.message);
    }
  }

  private async putEvents(
    recorder: HistoryRecorder,
    attempt: TaskAttempt,
    parameters: AslObject,
    arns: { executionArn: string; stateMachineArn: string },
  ): Promise<unknown> {
    const resource = { resourceType: 'events', resource: 'putEvents' };
    recorder.taskEvent(attempt, {
      type: 'TaskScheduled',
      timestamp: Date.now(),
      details: { ...resource, region: this.options.region, parameters: JSON.stringify(parameters) },
    });
    const fail = (error: string, cause: string): never => {
      recorder.taskEvent(attempt, { type: 'TaskFailed', timestamp: Date.now(), details: { ...resource, error, cause } });
      throw new TaskFailure(error, cause);
    };
    const entries = parameters['Entries'];
    if (!Array.isArray(entries)) return fail('States.Runtime', 'events:putEvents: Parameters.Entries must be an array');
    recorder.taskEvent(attempt, { type: 'TaskStarted', timestamp: Date.now(), details: resource });
    // As the optimized integration does: object Detail is sent as JSON text, and the
    // execution and state machine ARNs are appended to Resources.
    const prepared = entries.map((entry: AslObject): PutEventsRequestEntry => {
      const busName = typeof entry['EventBusName'] === 'string' ? entry['EventBusName'].replaceAll('${EventBusName}', this.options.eventBusName) : undefined;
      const detail = entry['Detail'];
      const resources = Array.isArray(entry['Resources']) ? (entry['Resources'] as string[]) : [];
      return {
        ...entry,
        ...(busName === undefined ? {} : { EventBusName: busName }),
        ...(detail === undefined ? {} : { Detail: typeof detail === 'string' ? detail : JSON.stringify(detail) }),
        Resources: [...resources, arns.executionArn, arns.stateMachineArn],
      };
    });
    let response: PutEventsResponse;
    try {
      response = await this.options.putEvents!(prepared);
    } catch (error) {
      // Service integrations name errors `<Service>.<Exception>` (e.g. EventBridge.ValidationException).
      const code = error instanceof AwsServiceError ? error.code : 'EventBridgeException';
      return fail(`EventBridge.${code}`, error instanceof Error ? error.message : String(error));
    }
    if (response.FailedEntryCount > 0) return fail('EventBridge.FailedEntry', JSON.stringify(response));
    recorder.taskEvent(attempt, {
      type: 'TaskSucceeded',
      timestamp: Date.now(),
      details: { ...resource, output: JSON.stringify(response), outputDetails: { truncated: false } },
    });
    return response;
  }
}

/**
 * Retry intervals scale with waits. aws-local-stepfunctions takes one fixed interval per
 * retrier, so a scaled retry waits IntervalSeconds × scale each time (no backoff growth).
 */
function scaledRetryIntervals(states: Map<string, AslObject>, scale: number): Record<string, number[]> {
  const overrides: Record<string, number[]> = {};
  for (const [name, state] of states) {
    const retriers = state['Retry'];
    if (!Array.isArray(retriers)) continue;
    overrides[name] = retriers.map((retrier: AslObject) => (typeof retrier['IntervalSeconds'] === 'number' ? retrier['IntervalSeconds'] : 1) * 1000 * scale);
  }
  return overrides;
}

function failureOf(error: unknown, stopRequest: { error?: string; cause?: string } | undefined): Omit<WorkflowOutcome, 'history'> {
  if (error instanceof ExecutionAbortedError || stopRequest !== undefined) {
    return {
      status: 'ABORTED',
      ...(stopRequest?.error === undefined ? {} : { error: stopRequest.error }),
      ...(stopRequest?.cause === undefined ? {} : { cause: stopRequest.cause }),
    };
  }
  if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
  const failure = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
  if (failure instanceof Error) {
    // A Fail state without Error/Cause has neither on AWS either.
    if (failure.name === 'FailStateError' && failure.message === 'Execution failed because of a Fail state') return { status: 'FAILED' };
    return { status: 'FAILED', error: failure.name, cause: causeText(failure.message) };
  }
  return { status: 'FAILED', error: 'States.Runtime', cause: String(failure) };
}

function endEvent(outcome: Omit<WorkflowOutcome, 'history'>): { type: string; timestamp: number; details: Record<string, unknown> } {
  const timestamp = Date.now();
  const errorDetails = { ...(outcome.error === undefined ? {} : { error: outcome.error }), ...(outcome.cause === undefined ? {} : { cause: outcome.cause }) };
  switch (outcome.status) {
    case 'SUCCEEDED':
      return { type: 'ExecutionSucceeded', timestamp, details: { output: JSON.stringify(outcome.output ?? null), outputDetails: { truncated: false } } };
    case 'ABORTED':
      return { type: 'ExecutionAborted', timestamp, details: errorDetails };
    case 'TIMED_OUT':
      return { type: 'ExecutionTimedOut', timestamp, details: errorDetails };
    default:
      return { type: 'ExecutionFailed', timestamp, details: errorDetails };
  }
}

/** How long a Wait state waits, unscaled, in milliseconds. */
export function waitMilliseconds(state: AslObject, input: unknown, context: unknown, now = Date.now()): number {
  const fail = (message: string): never => {
    throw new TaskFailure('States.Runtime', message);
  };
  if (typeof state['Seconds'] === 'number') return state['Seconds'] * 1000;
  if (typeof state['Timestamp'] === 'string') return Math.max(0, Date.parse(state['Timestamp']) - now);
  if (typeof state['SecondsPath'] === 'string') {
    const seconds = readReferencePath(state['SecondsPath'], input, context);
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      return fail(`SecondsPath ${state['SecondsPath']} must point to a non-negative integer, got ${JSON.stringify(seconds)}`);
    }
    return seconds * 1000;
  }
  if (typeof state['TimestampPath'] === 'string') {
    const timestamp = readReferencePath(state['TimestampPath'], input, context);
    const at = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
    if (Number.isNaN(at)) return fail(`TimestampPath ${state['TimestampPath']} must point to an RFC 3339 timestamp, got ${JSON.stringify(timestamp)}`);
    return Math.max(0, at - now);
  }
  return 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.min(ms, 2 ** 31 - 1));
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Builds a workflow once (validation is the slow part); start it as often as needed. */
export function compileWorkflow(definition: string | object, options: RunnerOptions): Workflow {
  return new Workflow(definition, options);
}

/**
 * Runs a definition to its end. Never throws for a failed execution (see the outcome's
 * status, error and cause); throws InvalidInput when the definition cannot run locally.
 */
export async function runWorkflow(definition: string | object, input: unknown, options: RunnerOptions & { signal?: AbortSignal }): Promise<WorkflowOutcome> {
  const { signal, ...runnerOptions } = options;
  return compileWorkflow(definition, runnerOptions).start(input, signal === undefined ? {} : { signal }).outcome;
}

/** Reads one workflow file (e.g. workflows/DrainCluster.asl.json). */
export async function loadWorkflowFile(path: string): Promise<AslObject> {
  return parseDefinition(await readFile(path, 'utf8'), path);
}

/** Every `<Name>.asl.json` in a folder, by Name. */
export async function loadWorkflowFolder(folder: string): Promise<Map<string, AslObject>> {
  const workflows = new Map<string, AslObject>();
  for (const file of (await readdir(folder)).sort()) {
    if (!file.endsWith('.asl.json')) continue;
    workflows.set(basename(file, '.asl.json'), await loadWorkflowFile(join(folder, file)));
  }
  return workflows;
}
