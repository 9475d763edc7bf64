// Step Functions' payload quota while an execution runs: a state's input, its output and a
// Task's result are each at most 256 KiB of UTF-8 JSON, as the execution's input is (AWS:
// "Maximum input or output size for a task, state, or execution", 262,144 bytes). Over
// it, Step Functions raises `States.DataLimitExceeded` (docs/local-runtime.md, "Limits:
// what AWS refuses is refused", says where and whether Catch sees it):
//
// - a Task's result over the quota fails the Task with States.DataLimitExceeded, cause
//   "The state/task '<resource>' returned a result with a size exceeding the maximum
//   number of bytes service limit."; the state's Catch handles it like any Task error
//   (AWS's error-handling guide calls the error terminal and not matched by States.ALL,
//   but executions recorded on AWS show a lambda:invoke result over the quota caught by a
//   States.ALL catcher, so that is what runs here);
// - a state's output (after ResultSelector, ResultPath and OutputPath) or a Task's input
//   after Parameters over the quota ends the execution at once with that error: no Retry,
//   no Catch (a Map iteration's failure fails its Map, and that Map's Catch does not match
//   it either).
//
// aws-local-stepfunctions checks none of this. It reports every state's exit to its event
// logger inside the execution's own try block, so wrapping the logger of each run of a
// registered definition is where a state's output is measured and where the error ends
// the run. StateMachine.prototype.execute is wrapped once, in process (nothing installed
// is changed), and acts only on definitions registered here.
import { StateMachine } from 'aws-local-stepfunctions';
import { forEachState, type AslObject } from './definition.ts';
import { MAX_INPUT_BYTES } from './limits.ts';

/** A state's input or output, or a Task's result, as UTF-8 bytes of JSON (AWS: 256 KiB). */
export const MAX_PAYLOAD_BYTES = MAX_INPUT_BYTES;

export const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';

/** UTF-8 bytes of a value's JSON text. */
export function payloadBytes(value: unknown): number {
  const text = JSON.stringify(value ?? null) ?? 'null';
  // A UTF-16 code unit is at most 3 UTF-8 bytes and at least 1: most texts are decided by their length alone.
  if (text.length * 3 <= MAX_PAYLOAD_BYTES) return text.length;
  return Buffer.byteLength(text, 'utf8');
}

export function overPayloadLimit(value: unknown): boolean {
  return payloadBytes(value) > MAX_PAYLOAD_BYTES;
}

/** States.DataLimitExceeded. `catchable` false: it ends the execution whatever the state's Catch says. */
export class DataLimitExceeded extends Error {
  readonly isRetryable = false;
  readonly isCatchable: boolean;
  constructor(cause: string, catchable: boolean) {
    super(cause);
    this.name = DATA_LIMIT_EXCEEDED;
    this.isCatchable = catchable;
  }
}

/** AWS's cause for a result over the quota (`what` is the Task's resource or the state's name). */
export function resultTooLargeCause(what: string): string {
  return `The state/task '${what}' returned a result with a size exceeding the maximum number of bytes service limit.`;
}

/** Our cause for a Task's input after Parameters over the quota (AWS's wording for it is not documented). */
export function inputTooLargeCause(stateName: string): string {
  return `The state/task '${stateName}' has an input (after Parameters) with a size exceeding the maximum number of bytes service limit (${MAX_PAYLOAD_BYTES} bytes).`;
}

interface Registry {
  definitions: WeakSet<object>;
}
// One registry and one wrapper per process, even if this module is loaded more than once.
const REGISTRY = Symbol.for('switchyard.local.stepfunctions.payloadLimit');
const registry: Registry = ((StateMachine.prototype as unknown as Record<symbol, Registry | undefined>)[REGISTRY] ??= { definitions: new WeakSet() });

/** Enforces the state output quota on every run of `definition` (the very object given to `new StateMachine`) and its Maps and branches. */
export function enforcePayloadLimit(definition: AslObject): void {
  registry.definitions.add(definition);
  forEachState(definition, (_name, state) => {
    for (const key of ['ItemProcessor', 'Iterator']) {
      const nested = state[key];
      if (nested !== null && typeof nested === 'object') registry.definitions.add(nested);
    }
    if (Array.isArray(state['Branches'])) for (const branch of state['Branches']) registry.definitions.add(branch as object);
  });
  install();
}

const WRAPPED = Symbol.for('switchyard.local.stepfunctions.payloadLimit.execute');

interface EventLogger {
  dispatchStateExitedEvent(stateName: string, stateType: string, input: unknown, output: unknown): void;
}
type Execute = (this: StateMachine, input: unknown, options: { eventLogger: EventLogger }, cleanup: () => void) => Promise<unknown>;

function install(): void {
  const prototype = StateMachine.prototype as unknown as { execute: Execute };
  if ((prototype.execute as unknown as Record<symbol, boolean>)[WRAPPED]) return;
  const execute = prototype.execute;
  const wrapped: Execute = function executeWithPayloadLimit(input, options, cleanup) {
    const definition = (this as unknown as { definition: object }).definition;
    if (registry.definitions.has(definition)) guardStateOutputs(options.eventLogger);
    return execute.call(this, input, options, cleanup);
  };
  prototype.execute = Object.assign(wrapped, { [WRAPPED]: true });
}

/** The run's logger, made to refuse a state's exit whose output is over the quota (this run only). */
function guardStateOutputs(logger: EventLogger): void {
  const dispatch = logger.dispatchStateExitedEvent.bind(logger);
  logger.dispatchStateExitedEvent = (stateName, stateType, input, output) => {
    if (overPayloadLimit(output)) throw new DataLimitExceeded(resultTooLargeCause(stateName), false);
    dispatch(stateName, stateType, input, output);
  };
}
