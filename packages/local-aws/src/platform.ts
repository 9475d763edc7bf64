// The local AWS platform wired together: Step Functions (workflows put events on the
// bus; every execution's status change is an event on the default bus, as on AWS), EventBridge (rules start state machines and call Lambda handlers in process) and
// DynamoDB, all persisting under one state folder. The runtime mounts `services` (plus
// its Route 53 emulator) on one endpoint with startEndpoint().
import type { LocalService } from './http.ts';
import { startDynamoDb, type LocalDynamoDb } from './dynamodb/service.ts';
import { DEFAULT_BUS, LocalEventBus } from './eventbridge/bus.ts';
import { eventBridgeService } from './eventbridge/service.ts';
import type { AslObject } from './stepfunctions/definition.ts';
import { LocalStepFunctions, type ExecutionRecord } from './stepfunctions/engine.ts';
import type { LambdaHandler } from './stepfunctions/lambda-invoke.ts';
import { stepFunctionsService } from './stepfunctions/service.ts';
import { executionStatusChange } from './stepfunctions/status-events.ts';

export interface LocalPlatformOptions {
  /** In-process Lambda handlers by function name: workflow Tasks and Lambda rule targets. */
  handlers: Record<string, LambdaHandler>;
  /** Persistent state folder (e.g. `.switchyard`); none keeps everything in memory. */
  stateDir?: string;
  /** Wait-state time multiplier for workflows (1 real time, 0 none). */
  waitScale?: number;
  region?: string;
  accountId?: string;
  /** The bus `${EventBusName}` names in workflows; created when it is not "default". */
  eventBusName?: string;
  recentEventLimit?: number;
  onExecutionChange?: (record: Readonly<ExecutionRecord>) => void;
}

export interface LocalPlatform {
  stepFunctions: LocalStepFunctions;
  eventBus: LocalEventBus;
  dynamodb: LocalDynamoDb;
  /** Mount these on the endpoint. */
  services: LocalService[];
  close(): Promise<void>;
}

export async function openLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const place = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
  const eventBusName = options.eventBusName ?? DEFAULT_BUS;
  // Each needs the other (workflows put events; rules start workflows): joined through closures.
  let eventBus: LocalEventBus | undefined;
  const stepFunctions = await LocalStepFunctions.open({
    ...place,
    handlers: options.handlers,
    putEvents: async (entries) => {
      if (eventBus === undefined) throw new Error('the event bus is not open yet');
      return eventBus.putEvents(entries);
    },
    eventBusName,
    ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    ...(options.waitScale === undefined ? {} : { waitScale: options.waitScale }),
    // As on AWS, every start and end of an execution is an event on the default bus.
    onExecutionChange: (record) => {
      options.onExecutionChange?.(record);
      eventBus?.injectEvent(executionStatusChange(record));
    },
  });
  eventBus = await LocalEventBus.open({
    ...place,
    handlers: options.handlers,
    startExecution: (stateMachineArn, input) => stepFunctions.startExecution({ stateMachineArn, input }),
    ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    ...(options.recentEventLimit === undefined ? {} : { recentLimit: options.recentEventLimit }),
  });
  if (!eventBus.listEventBuses().some((bus) => bus.Name === eventBusName)) eventBus.createEventBus(eventBusName);
  const dynamodb = await startDynamoDb(options.stateDir === undefined ? {} : { stateDir: options.stateDir });
  const bus = eventBus;
  return {
    stepFunctions,
    eventBus: bus,
    dynamodb,
    services: [stepFunctionsService(stepFunctions), eventBridgeService(bus), dynamodb],
    async close() {
      await bus.close();
      await stepFunctions.close();
      await dynamodb.close();
    },
  };
}

/**
 * Creates each workflow's state machine (`<prefix><Name>`), or updates its definition
 * when it changed since the last run; returns their ARNs by workflow name.
 */
export function deployWorkflows(
  stepFunctions: LocalStepFunctions,
  workflows: ReadonlyMap<string, AslObject>,
  options: { prefix?: string; roleArn?: string } = {},
): Map<string, string> {
  const roleArn = options.roleArn ?? `arn:aws:iam::${stepFunctions.place.accountId}:role/switchyard-local`;
  const arns = new Map<string, string>();
  const existing = new Map(stepFunctions.listStateMachines({ maxResults: 1000 }).items.map((machine) => [machine.name, machine]));
  for (const [name, definition] of workflows) {
    const machineName = `${options.prefix ?? ''}${name}`;
    const text = JSON.stringify(definition, null, 2);
    const current = existing.get(machineName);
    if (current === undefined) {
      arns.set(name, stepFunctions.createStateMachine({ name: machineName, definition: text, roleArn }).stateMachineArn);
    } else {
      if (current.definition !== text || current.roleArn !== roleArn) stepFunctions.updateStateMachine({ stateMachineArn: current.stateMachineArn, definition: text, roleArn });
      arns.set(name, current.stateMachineArn);
    }
  }
  return arns;
}
