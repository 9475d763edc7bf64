// The local AWS platform wired together: Route 53, Step Functions, EventBridge, DynamoDB
// and CloudWatch alarms, all persisting under one state folder. Workflows put events on
// the bus and every execution's status change is an event on the default bus, as on AWS;
// rules start state machines and call Lambda handlers in process; an alarm's state change
// is an event on the default bus, and Route 53's CLOUDWATCH_METRIC health checks follow
// the alarms. The caller mounts `services` on one endpoint with startEndpoint().
import { join } from 'node:path';
import type { LocalService } from './http.ts';
import { LocalAlarms } from './cloudwatch/alarms.ts';
import { cloudWatchServices } from './cloudwatch/service.ts';
import { startDynamoDb, type LocalDynamoDb } from './dynamodb/service.ts';
import { DEFAULT_BUS, LocalEventBus } from './eventbridge/bus.ts';
import { eventBridgeService } from './eventbridge/service.ts';
import { createRoute53Service, type Route53Service, type Route53ServiceOptions } from './route53/service.ts';
import type { AslObject } from './stepfunctions/definition.ts';
import { LocalStepFunctions, type ExecutionRecord } from './stepfunctions/engine.ts';
import type { LambdaHandler } from './stepfunctions/lambda-invoke.ts';
import { stepFunctionsService } from './stepfunctions/service.ts';
import { executionStatusChange } from './stepfunctions/status-events.ts';

export interface LocalPlatformOptions {
  /** In-process Lambda handlers by function name: workflow Tasks and Lambda rule targets. */
  handlers: Record<string, LambdaHandler>;
  /** Each handler's timeout in seconds, as its Lambda function is configured (default 60). */
  handlerTimeouts?: Record<string, number>;
  /** Persistent state folder; none keeps everything in memory. */
  stateDir?: string;
  /** Wait-state time multiplier for workflows (1 real time, 0 none). */
  waitScale?: number;
  region?: string;
  accountId?: string;
  /** The bus `${EventBusName}` names in workflows; created when it is not "default". */
  eventBusName?: string;
  recentEventLimit?: number;
  onExecutionChange?: (record: Readonly<ExecutionRecord>) => void;
  /**
   * Route 53's options; its state goes to `<stateDir>/route53.json` and its
   * CLOUDWATCH_METRIC health checks read the platform's alarms.
   */
  route53?: Omit<Route53ServiceOptions, 'statePath' | 'alarmState'>;
}

export interface LocalPlatform {
  route53: Route53Service;
  stepFunctions: LocalStepFunctions;
  eventBus: LocalEventBus;
  dynamodb: LocalDynamoDb;
  alarms: LocalAlarms;
  /** Mount these on the endpoint. */
  services: LocalService[];
  close(): Promise<void>;
}

export async function openLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const place = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
  const eventBusName = options.eventBusName ?? DEFAULT_BUS;
  const stateDir = options.stateDir === undefined ? {} : { stateDir: options.stateDir };
  // Each needs the other (workflows and alarms put events; rules start workflows): joined through closures.
  let eventBus: LocalEventBus | undefined;
  const alarms = await LocalAlarms.open({
    ...place,
    ...stateDir,
    // CloudWatch delivers alarm events to the default bus of the alarm's region.
    onStateChange: (event) =>
      eventBus?.injectEvent({ source: event.source, detailType: event.detailType, detail: event.detail, resources: event.resources, time: event.time }),
  });
  const route53 = createRoute53Service({
    ...options.route53,
    ...(options.stateDir === undefined ? {} : { statePath: join(options.stateDir, 'route53.json') }),
    alarmState: (_region, name) => alarms.get(name)?.state,
  });
  const stepFunctions = await LocalStepFunctions.open({
    ...place,
    handlers: options.handlers,
    ...(options.handlerTimeouts === undefined ? {} : { handlerTimeouts: options.handlerTimeouts }),
    putEvents: async (entries) => {
      if (eventBus === undefined) throw new Error('the event bus is not open yet');
      return eventBus.putEvents(entries);
    },
    eventBusName,
    ...stateDir,
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
    ...stateDir,
    ...(options.recentEventLimit === undefined ? {} : { recentLimit: options.recentEventLimit }),
  });
  if (!eventBus.listEventBuses().some((bus) => bus.Name === eventBusName)) eventBus.createEventBus(eventBusName);
  const dynamodb = await startDynamoDb(stateDir);
  const bus = eventBus;
  return {
    route53,
    stepFunctions,
    eventBus: bus,
    dynamodb,
    alarms,
    services: [route53, stepFunctionsService(stepFunctions), eventBridgeService(bus), dynamodb, ...cloudWatchServices(alarms)],
    async close() {
      await route53.close();
      await bus.close();
      await stepFunctions.close();
      await dynamodb.close();
      await alarms.close();
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
  const roleArn = options.roleArn ?? `arn:aws:iam::${stepFunctions.place.accountId}:role/local-aws`;
  const arns = new Map<string, string>();
  const existing = new Map(stepFunctions.listStateMachines({ maxResults: 1000 }).items.map((machine) => [machine.name, machine]));
  for (const [name, definition] of workflows) {
    const machineName = `${options.prefix ?? ''}${name}`;
    const text = JSON.stringify(definition, null, 2);
    const current = existing.get(machineName);
    if (current === undefined) {
      arns.set(name, stepFunctions.createStateMachine({ name: machineName, definition: text, roleArn }).stateMachineArn);
    } else {
      if (current.definition !== text || current.roleArn !== roleArn)
        stepFunctions.updateStateMachine({ stateMachineArn: current.stateMachineArn, definition: text, roleArn });
      arns.set(name, current.stateMachineArn);
    }
  }
  return arns;
}
