// Step Functions for the router and the CLI: find the state machines by workflow name,
// start executions by name (a duplicate name is not an error: it is the point of
// deterministic names), and read an execution's status and history.
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  type ExecutionStatus,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { InvalidInput, TransientAwsError, errorMessage } from '../core/errors.ts';
import { WORKFLOW_NAMES, type ExecutionsPort, type StartedExecution, type WorkflowName, type WorkflowStarter } from '../core/ports.ts';

export type StateMachineArns = Partial<Record<WorkflowName, string>>;

const TRANSIENT = new Set(['ThrottlingException', 'ServiceUnavailable', 'InternalFailure', 'TooManyRequestsException']);

function mapError(operation: string, error: unknown): unknown {
  if (error instanceof Error && (TRANSIENT.has(error.name) || (error as { $retryable?: unknown }).$retryable)) {
    return new TransientAwsError(`Step Functions ${operation}: ${error.name}: ${error.message}`, { operation }, error);
  }
  return error;
}

/** `SWITCHYARD_STATE_MACHINES`: a JSON object of workflow name → state machine ARN. */
export function parseStateMachineArns(text: string | undefined, variable = 'SWITCHYARD_STATE_MACHINES'): StateMachineArns {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInput(`${variable}: not JSON: ${errorMessage(error)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidInput(`${variable}: must be a JSON object of workflow name → state machine ARN`);
  const arns: StateMachineArns = {};
  for (const [name, arn] of Object.entries(value)) {
    if (!(WORKFLOW_NAMES as readonly string[]).includes(name))
      throw new InvalidInput(`${variable}: unknown workflow "${name}" (known: ${WORKFLOW_NAMES.join(', ')})`);
    if (typeof arn !== 'string' || !arn.includes(':stateMachine:')) throw new InvalidInput(`${variable}.${name}: not a state machine ARN`);
    arns[name as WorkflowName] = arn;
  }
  return arns;
}

/**
 * The state machines whose names end with a workflow name (`switchyard-<stage>-DrainCluster`,
 * or exactly `DrainCluster`). With a `prefix`, only names starting with it count; without,
 * several candidates for one workflow are ambiguous (InvalidInput naming them).
 */
export async function findStateMachines(client: SFNClient, prefix?: string): Promise<StateMachineArns> {
  const found = new Map<WorkflowName, string[]>();
  let nextToken: string | undefined;
  do {
    let out;
    try {
      out = await client.send(new ListStateMachinesCommand({ ...(nextToken ? { nextToken } : {}), maxResults: 100 }));
    } catch (error) {
      throw mapError('ListStateMachines', error);
    }
    for (const machine of out.stateMachines ?? []) {
      if (!machine.name || !machine.stateMachineArn) continue;
      if (prefix !== undefined && !machine.name.startsWith(prefix)) continue;
      const workflow = WORKFLOW_NAMES.find((w) => machine.name === w || machine.name!.endsWith(`-${w}`));
      if (workflow) found.set(workflow, [...(found.get(workflow) ?? []), machine.stateMachineArn]);
    }
    nextToken = out.nextToken;
  } while (nextToken);
  const arns: StateMachineArns = {};
  for (const [workflow, list] of found) {
    if (list.length > 1) {
      throw new InvalidInput(
        `several state machines end with "${workflow}": ${list.join(', ')}; choose one with --stage (names switchyard-<stage>-${workflow})`,
        { workflow, candidates: list },
      );
    }
    arns[workflow] = list[0]!;
  }
  return arns;
}

export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** A WorkflowStarter over Step Functions; ARNs given, or looked up by name on first use. */
export function sfnStarter(client: SFNClient, arns: StateMachineArns | (() => Promise<StateMachineArns>)): WorkflowStarter {
  let resolved: Promise<StateMachineArns> | undefined = typeof arns === 'function' ? undefined : Promise.resolve(arns);
  const lookup = () => (resolved ??= (arns as () => Promise<StateMachineArns>)());
  return {
    async start(workflow, name, input): Promise<StartedExecution> {
      const arn = (await lookup())[workflow];
      if (!arn) throw new InvalidInput(`no state machine for workflow ${workflow} (deployed: ${Object.keys(await lookup()).join(', ') || 'none'})`);
      try {
        const out = await client.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(input) }));
        return { executionArn: out.executionArn ?? executionArnFor(arn, name), started: true };
      } catch (error) {
        // The same name again: the event was delivered twice (or the execution already ran).
        if (error instanceof ExecutionAlreadyExists || (error instanceof Error && error.name === 'ExecutionAlreadyExists')) {
          return { executionArn: executionArnFor(arn, name), started: false };
        }
        throw mapError('StartExecution', error);
      }
    },
    async workflowOf(stateMachineArn) {
      const found = Object.entries(await lookup()).find(([, arn]) => arn === stateMachineArn);
      return found?.[0] as WorkflowName | undefined;
    },
  };
}

/** The executions port over DescribeExecution (recovery: is a lock's holder still running?). */
export function sfnExecutions(client: SFNClient): ExecutionsPort {
  return {
    async describe(executionArn) {
      const view = await describeExecution(client, executionArn);
      return {
        executionArn,
        name: view.name,
        status: view.status,
        ...(view.startDate ? { startDate: view.startDate.toISOString() } : {}),
        ...(view.error ? { error: view.error } : {}),
        ...(view.cause ? { cause: view.cause } : {}),
      };
    },
  };
}

export interface ExecutionView {
  executionArn: string;
  name: string;
  status: ExecutionStatus | string;
  startDate?: Date;
  stopDate?: Date;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function describeExecution(client: SFNClient, executionArn: string): Promise<ExecutionView> {
  let out;
  try {
    out = await client.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    throw mapError('DescribeExecution', error);
  }
  return {
    executionArn,
    name: out.name ?? executionArn.split(':').pop()!,
    status: out.status ?? 'UNKNOWN',
    ...(out.startDate ? { startDate: out.startDate } : {}),
    ...(out.stopDate ? { stopDate: out.stopDate } : {}),
    input: parseJson(out.input),
    output: parseJson(out.output),
    ...(out.error ? { error: out.error } : {}),
    ...(out.cause ? { cause: out.cause } : {}),
  };
}

/** History events after `afterId` (all when undefined), oldest first. */
export async function executionHistory(client: SFNClient, executionArn: string, afterId = 0): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    let out;
    try {
      out = await client.send(new GetExecutionHistoryCommand({ executionArn, ...(nextToken ? { nextToken } : {}), maxResults: 1000 }));
    } catch (error) {
      throw mapError('GetExecutionHistory', error);
    }
    events.push(...(out.events ?? []).filter((e) => (e.id ?? 0) > afterId));
    nextToken = out.nextToken;
  } while (nextToken);
  return events;
}

/** Running executions of the given state machines. */
export async function runningExecutions(
  client: SFNClient,
  arns: StateMachineArns,
): Promise<Array<{ workflow: WorkflowName; executionArn: string; name: string; startDate?: Date }>> {
  const running: Array<{ workflow: WorkflowName; executionArn: string; name: string; startDate?: Date }> = [];
  for (const [workflow, arn] of Object.entries(arns) as Array<[WorkflowName, string]>) {
    let nextToken: string | undefined;
    do {
      let out;
      try {
        out = await client.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING', ...(nextToken ? { nextToken } : {}) }));
      } catch (error) {
        throw mapError('ListExecutions', error);
      }
      for (const e of out.executions ?? []) {
        if (e.executionArn && e.name)
          running.push({ workflow, executionArn: e.executionArn, name: e.name, ...(e.startDate ? { startDate: e.startDate } : {}) });
      }
      nextToken = out.nextToken;
    } while (nextToken);
  }
  return running;
}
