// Reading and checking an ASL definition before it runs locally: schema validation
// (asl-validator), and an inventory of its Task and Wait states, because locally every
// Task must map to something in process (an unmapped Task would call real AWS).
import type aslValidatorFunction from 'asl-validator';
import { createRequire } from 'node:module';
import { InvalidInput } from '../errors.ts';
import { aslValidationCache } from './validation-cache.ts';

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const EVENTS_PUT_EVENTS = 'arn:aws:states:::events:putEvents';
/** Resource of the Task a Wait state becomes when waits are scaled (see withScaledWaits). */
export const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::local-aws:wait';

export type AslObject = Record<string, unknown>;

export interface LambdaTask {
  kind: 'lambda';
  stateName: string;
  /** Resolved from a static FunctionName; undefined when it comes from `FunctionName.$`. */
  functionName: string | undefined;
}

export interface PutEventsTask {
  kind: 'putEvents';
  stateName: string;
}

export type TaskSpec = LambdaTask | PutEventsTask;

export interface WaitSpec {
  stateName: string;
  state: AslObject;
}

export interface DefinitionInventory {
  tasks: TaskSpec[];
  waits: WaitSpec[];
  /** Every state name with its ASL type, nested ones included (names are unique in ASL). */
  stateTypes: Map<string, string>;
}

/** Parses definition text (or takes an object) into a JSON object; anything else is InvalidInput. */
export function parseDefinition(source: string | object, label = 'definition'): AslObject {
  let value: unknown = source;
  if (typeof source === 'string') {
    try {
      value = JSON.parse(source);
    } catch (error) {
      throw new InvalidInput(`${label}: not valid JSON: ${(error as Error).message}`, { label });
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInput(`${label}: must be a JSON object with StartAt and States`, { label });
  }
  return structuredClone(value) as AslObject;
}

const ASL_VALIDATOR_OPTIONS = { checkPaths: true, checkArn: true };

/** Loaded on the first definition not known valid (loading it costs ~150 ms a process). */
let aslValidator: typeof aslValidatorFunction | undefined;

/**
 * Schema and structure checks; asl-validator mutates its input, so it gets a copy. A
 * definition found valid before (same text, same validator) is not checked again: see
 * validation-cache.ts.
 */
export function validateAsl(definition: AslObject, label = 'definition'): void {
  const cache = aslValidationCache(JSON.stringify(ASL_VALIDATOR_OPTIONS));
  const text = JSON.stringify(definition);
  if (cache.isKnownValid(text)) return;
  aslValidator ??= createRequire(import.meta.url)('asl-validator') as typeof aslValidatorFunction;
  const result = aslValidator(structuredClone(definition), ASL_VALIDATOR_OPTIONS);
  if (!result.isValid) {
    throw new InvalidInput(`${label}: SCHEMA_VALIDATION_FAILED: ${result.errorsText('; ')}`, { label });
  }
  cache.rememberValid(text);
}

/** Calls visit for every state, including those inside Map and Parallel states. */
export function forEachState(definition: AslObject, visit: (name: string, state: AslObject) => void): void {
  const states = definition['States'];
  if (states === null || typeof states !== 'object') return;
  for (const [name, state] of Object.entries(states as Record<string, AslObject>)) {
    visit(name, state);
    for (const nested of nestedMachines(state)) forEachState(nested, visit);
  }
}

function nestedMachines(state: AslObject): AslObject[] {
  const nested: AslObject[] = [];
  for (const key of ['ItemProcessor', 'Iterator']) {
    const machine = state[key];
    if (machine !== null && typeof machine === 'object') nested.push(machine as AslObject);
  }
  const branches = state['Branches'];
  if (Array.isArray(branches)) nested.push(...(branches as AslObject[]));
  return nested;
}

/**
 * `${name}` (the placeholder the deploy substitutes), a Lambda ARN (optionally
 * qualified) or a bare name, all mean the function `name`.
 */
export function functionNameOf(value: string): string {
  const placeholder = /^\$\{([^}]+)\}$/.exec(value);
  if (placeholder) return placeholder[1]!;
  const arn = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(value);
  if (arn) return arn[1]!;
  return value;
}

/** Inventory of Task and Wait states; refuses what cannot run locally the way it runs on AWS. */
export function inspectDefinition(definition: AslObject, label = 'definition'): DefinitionInventory {
  const tasks: TaskSpec[] = [];
  const waits: WaitSpec[] = [];
  const stateTypes = new Map<string, string>();
  const problems: string[] = [];
  if (definition['QueryLanguage'] === 'JSONata') problems.push('QueryLanguage JSONata is not supported locally (write JSONPath ASL)');
  forEachState(definition, (name, state) => {
    stateTypes.set(name, String(state['Type']));
    if (state['QueryLanguage'] === 'JSONata') problems.push(`state "${name}": QueryLanguage JSONata is not supported locally`);
    if (state['Type'] === 'Wait') waits.push({ stateName: name, state });
    if (state['Type'] !== 'Task') return;
    const resource = state['Resource'];
    if (resource === LAMBDA_INVOKE) {
      const parameters = (state['Parameters'] ?? {}) as AslObject;
      const staticName = parameters['FunctionName'];
      if (typeof staticName === 'string') {
        tasks.push({ kind: 'lambda', stateName: name, functionName: functionNameOf(staticName) });
      } else if (typeof parameters['FunctionName.$'] === 'string') {
        tasks.push({ kind: 'lambda', stateName: name, functionName: undefined });
      } else {
        problems.push(`state "${name}": lambda:invoke needs Parameters.FunctionName`);
      }
    } else if (resource === EVENTS_PUT_EVENTS) {
      tasks.push({ kind: 'putEvents', stateName: name });
    } else {
      problems.push(`state "${name}": Task resource "${String(resource)}" cannot run locally (only ${LAMBDA_INVOKE} and ${EVENTS_PUT_EVENTS})`);
    }
  });
  if (problems.length > 0) throw new InvalidInput(`${label}: ${problems.join('; ')}`, { label, problems });
  return { tasks, waits, stateTypes };
}

/**
 * A copy of the definition whose Wait states are Tasks with LOCAL_WAIT_RESOURCE, so the
 * runner decides how long they take (aws-local-stepfunctions can only override a wait
 * with a fixed number, which cannot scale `SecondsPath` or `TimestampPath`). InputPath,
 * OutputPath and transitions are kept, so data flows exactly as through the Wait.
 */
export function withLocalWaits(definition: AslObject): AslObject {
  const copy = structuredClone(definition);
  forEachState(copy, (_name, state) => {
    if (state['Type'] !== 'Wait') return;
    for (const key of ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath']) delete state[key];
    state['Type'] = 'Task';
    state['Resource'] = LOCAL_WAIT_RESOURCE;
    // Longest timer Node accepts is ~24.8 days; a Task's default would be 60 s.
    state['TimeoutSeconds'] = 2_000_000;
  });
  return copy;
}
