// A failed Map starts no further iteration, as on AWS. aws-local-stepfunctions 3.0.0
// queues a Map's items with p-limit(MaxConcurrency); when one iteration fails it aborts
// the started ones, but the items still queued start afterwards and run their Tasks
// (e.g. a drain's later weight steps running next to its Rollback).
//
// The library gives no hook per iteration, so StateMachine.prototype.run is wrapped once,
// in process (nothing installed is changed). The wrapper acts only on machines whose
// definition is a Map iterator registered here; every other run (root executions,
// Parallel branches, other users of the library) goes straight through. MapStateAction
// builds one iterator machine per run of the Map state, so that machine stands for one
// Map invocation. Race-free: p-limit starts the next queued item only after the previous
// item's result promise has settled, and that promise settles only after the invocation
// is marked failed; no event-log timing is involved.
import { ExecutionAbortedError, StateMachine } from 'aws-local-stepfunctions';
import { forEachState, type AslObject } from './definition.ts';

type RunOptions = NonNullable<Parameters<StateMachine['run']>[1]>;
type Execution = ReturnType<StateMachine['run']>;
type LocalHandler = (input: unknown) => Promise<unknown>;

interface Registry {
  mapIterators: WeakSet<object>;
  /** Map invocations (iterator machines) one of whose iterations failed or was aborted. */
  failedInvocations: WeakSet<StateMachine>;
}
// One registry and one wrapper per process, even if this module is loaded more than once
// (test runners re-evaluate source modules per file while the library stays loaded).
const REGISTRY = Symbol.for('switchyard.local.stepfunctions.mapFailFast');
const registry: Registry = ((StateMachine.prototype as unknown as Record<symbol, Registry | undefined>)[REGISTRY] ??= {
  mapIterators: new WeakSet(),
  failedInvocations: new WeakSet(),
});
const { mapIterators, failedInvocations } = registry;

/** Thrown into a Task of an iteration whose Map has already failed; never retried. */
export class MapIterationStopped extends Error {
  readonly isRetryable = false;
  constructor(mapIteration: string) {
    super(`${mapIteration}: not run, the Map has already failed`);
    this.name = 'States.Runtime';
  }
}

/**
 * Makes every Map of `definition` (the very object given to `new StateMachine`, nested
 * Maps included) stop its queued iterations once one iteration has failed.
 */
export function stopMapsOnFailure(definition: AslObject): void {
  forEachState(definition, (_name, state) => {
    if (state['Type'] !== 'Map') return;
    const iterator = state['ItemProcessor'] ?? state['Iterator'];
    if (iterator !== null && typeof iterator === 'object') mapIterators.add(iterator);
  });
  install();
}

const WRAPPED = Symbol.for('switchyard.local.stepfunctions.mapFailFast.run');

function install(): void {
  if ((StateMachine.prototype.run as unknown as Record<symbol, boolean>)[WRAPPED]) return;
  const run = StateMachine.prototype.run;
  StateMachine.prototype.run = function runIteration(this: StateMachine, input, options): Execution {
    const definition = (this as unknown as { definition: object }).definition;
    if (!mapIterators.has(definition)) return run.call(this, input, options);
    const invocation = this;
    if (failedInvocations.has(invocation)) return notStarted();
    const execution = run.call(
      this,
      input,
      withStopCheck(options, () => failedInvocations.has(invocation)),
    );
    // Any rejected iteration rejects the Map's Promise.all, i.e. fails the Map (an error
    // caught or retried inside the iterator does not reject the iteration's result).
    const result = execution.result.catch((error: unknown) => {
      failedInvocations.add(invocation);
      throw error;
    });
    return { ...execution, result };
  };
  (StateMachine.prototype.run as unknown as Record<symbol, boolean>)[WRAPPED] = true;
}

/** What an iteration that never started looks like to MapStateAction: no events, no Tasks. */
function notStarted(): Execution {
  const result = Promise.reject(new ExecutionAbortedError());
  result.catch(() => undefined); // the Map has already settled; nobody waits for this one
  return { abort: () => undefined, eventLogs: (async function* () {})(), result } as Execution;
}

/**
 * An iteration already started when its Map failed is aborted by the library, but a Task
 * waiting to be retried would still run once more: its handlers refuse once the Map failed.
 * Nested iterations inherit these handlers, so an inner Map inside a stopped iteration
 * is stopped too.
 */
function withStopCheck(options: RunOptions | undefined, stopped: () => boolean): RunOptions | undefined {
  const handlers = options?.overrides?.taskResourceLocalHandlers as Record<string, LocalHandler> | undefined;
  if (options === undefined || handlers === undefined) return options;
  const checked: Record<string, LocalHandler> = {};
  for (const [stateName, handler] of Object.entries(handlers)) {
    checked[stateName] = async (input) => {
      if (stopped()) throw new MapIterationStopped(stateName);
      return handler(input);
    };
  }
  return { ...options, overrides: { ...options.overrides, taskResourceLocalHandlers: checked as never } };
}
