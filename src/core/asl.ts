// The ASL contract shared by the deploy and the local runtime: `workflows/*.asl.json`
// (JSONPath ASL, Tasks only `lambda:invoke` and `events:putEvents`, `${function}` and
// `${EventBusName}` placeholders), checked for what must hold on AWS (every Task wired to
// a deployed function or an allowed integration, every placeholder known) and rendered
// with the real ARNs. Step Functions, on AWS or emulated, receives only the rendered
// text (docs/workflows.md). Pure.
import { InvalidInput } from './errors.ts';

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const EVENTS_PUT_EVENTS = 'arn:aws:states:::events:putEvents';

export type AslObject = Record<string, unknown>;

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

/** Placeholder of the app's event bus name in putEvents entries. */
export const EVENT_BUS_PLACEHOLDER = 'EventBusName';
/** The only Task integrations a workflow may use (docs/workflows.md). */
export const ALLOWED_TASK_RESOURCES: readonly string[] = [LAMBDA_INVOKE, EVENTS_PUT_EVENTS];

const WORKFLOW_FILE = /^([A-Z][A-Za-z0-9]*)\.asl\.json$/;
const PLACEHOLDER = /\$\{([^}]*)\}/g;

export interface WorkflowSource {
  /** e.g. "DrainCluster" (the file name without `.asl.json`). */
  name: string;
  /** Path shown in errors, e.g. "workflows/DrainCluster.asl.json". */
  file: string;
  text: string;
}

export interface WorkflowWiring {
  name: string;
  file: string;
  definition: AslObject;
  lambdaTasks: Array<{ state: string; functionName: string }>;
  putEventsStates: string[];
  /** Distinct functions the workflow invokes, sorted. */
  functions: string[];
}

/** The workflow name of a file in workflows/, or undefined when the file is not a workflow. */
export function workflowNameOf(fileName: string): string | undefined {
  return WORKFLOW_FILE.exec(fileName)?.[1];
}

/** Every `${name}` in the definition's string values, with the JSON path where it occurs. */
export function placeholdersIn(value: unknown, path = '$'): Array<{ name: string; path: string }> {
  if (typeof value === 'string') return [...value.matchAll(PLACEHOLDER)].map((m) => ({ name: m[1] ?? '', path }));
  if (Array.isArray(value)) return value.flatMap((item, i) => placeholdersIn(item, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => placeholdersIn(item, `${path}.${key}`));
  }
  return [];
}

/**
 * Checks one workflow against the deployed functions. Every problem is reported at once,
 * each naming the file and the state, as InvalidInput.
 */
export function inspectWorkflow(source: WorkflowSource, knownFunctions: readonly string[]): WorkflowWiring {
  const definition = parseDefinition(source.text, source.file);
  const problems: string[] = [];
  const lambdaTasks: WorkflowWiring['lambdaTasks'] = [];
  const putEventsStates: string[] = [];
  /** FunctionName placeholders, already judged by the Task check (known or not). */
  const taskPlaceholders = new Set<string>();
  if (definition['QueryLanguage'] === 'JSONata') problems.push('QueryLanguage JSONata: write JSONPath ASL (one definition for AWS and the local runner)');

  forEachState(definition, (state, body) => {
    if (body['Type'] !== 'Task') return;
    const resource = body['Resource'];
    const parameters = (body['Parameters'] ?? {}) as AslObject;
    if (resource === LAMBDA_INVOKE) {
      const name = parameters['FunctionName'];
      if (typeof name !== 'string') {
        problems.push(
          `state "${state}": lambda:invoke needs a static Parameters.FunctionName "\${<function>}" (a dynamic FunctionName.$ cannot be granted or checked)`,
        );
        return;
      }
      const match = /^\$\{([A-Za-z0-9]+)\}$/.exec(name);
      if (match) taskPlaceholders.add(match[1]!);
      if (!match) {
        problems.push(`state "${state}": FunctionName "${name}" must be a placeholder "\${<function>}" naming an entry of FUNCTIONS`);
      } else if (!knownFunctions.includes(match[1]!)) {
        problems.push(`state "${state}": FunctionName "${name}" names no deployed function (FUNCTIONS: ${knownFunctions.join(', ') || 'none'})`);
      } else {
        lambdaTasks.push({ state, functionName: match[1]! });
      }
    } else if (resource === EVENTS_PUT_EVENTS) {
      const entries = parameters['Entries'];
      if (!Array.isArray(entries) || entries.length === 0) {
        problems.push(`state "${state}": events:putEvents needs static Parameters.Entries (each naming EventBusName "\${${EVENT_BUS_PLACEHOLDER}}")`);
        return;
      }
      entries.forEach((entry: unknown, i) => {
        const bus = entry !== null && typeof entry === 'object' ? (entry as AslObject)['EventBusName'] : undefined;
        if (bus !== `\${${EVENT_BUS_PLACEHOLDER}}`) {
          problems.push(
            `state "${state}": Entries[${i}].EventBusName must be "\${${EVENT_BUS_PLACEHOLDER}}" (the role may put events on Switchyard's bus only)`,
          );
        }
      });
      putEventsStates.push(state);
    } else {
      problems.push(`state "${state}": Task resource "${String(resource)}" is not allowed (only ${ALLOWED_TASK_RESOURCES.join(', ')})`);
    }
  });

  const allowed = new Set([...knownFunctions, EVENT_BUS_PLACEHOLDER]);
  for (const { name, path } of placeholdersIn(definition)) {
    if (!allowed.has(name) && !taskPlaceholders.has(name)) problems.push(`${path}: unknown placeholder "\${${name}}" (known: ${[...allowed].join(', ')})`);
  }

  if (problems.length > 0) throw new InvalidInput(`${source.file}: ${problems.join('; ')}`, { file: source.file, problems });
  const functions = [...new Set(lambdaTasks.map((t) => t.functionName))].sort();
  return { name: source.name, file: source.file, definition, lambdaTasks, putEventsStates, functions };
}

export interface RenderValues {
  /** Function name → ARN. */
  functionArns: Record<string, string>;
  eventBusName: string;
}

/** The definition with every placeholder replaced, as the JSON text deployed to Step Functions. */
export function renderDefinition(wiring: WorkflowWiring, values: RenderValues): string {
  const lookup: Record<string, string> = { ...values.functionArns, [EVENT_BUS_PLACEHOLDER]: values.eventBusName };
  const missing = new Set<string>();
  const substitute = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(PLACEHOLDER, (whole, name: string) => {
        const replacement = lookup[name];
        if (replacement === undefined) {
          missing.add(name);
          return whole;
        }
        return replacement;
      });
    }
    if (Array.isArray(value)) return value.map(substitute);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]));
    return value;
  };
  const rendered = substitute(wiring.definition);
  if (missing.size > 0) {
    throw new InvalidInput(`${wiring.file}: no value for ${[...missing].map((m) => `\${${m}}`).join(', ')}`, { file: wiring.file, missing: [...missing] });
  }
  return JSON.stringify(rendered, null, 2);
}
