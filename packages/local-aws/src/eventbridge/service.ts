// EventBridge over the AWS JSON 1.1 protocol (`X-Amz-Target: AWSEvents.<Op>`), so SDK
// v3's EventBridgeClient, boto3 and the AWS CLI work against the local endpoint.
import { MiB } from '../body-limit.ts';
import type { LocalService } from '../http.ts';
import { AwsServiceError, jsonRpcService, optionalInteger, optionalString, paginate, requiredString, validationError } from '../aws-json.ts';
import type { LocalEventBus, RuleRecord } from './bus.ts';
import type { PutEventsEntry } from './envelope.ts';

const TARGET_PREFIX = 'AWSEvents';

type Body = Record<string, unknown>;

function list<T>(body: Body, field: string): T[] {
  const value = body[field];
  if (!Array.isArray(value)) throw validationError(field, value, 'Member must not be null');
  return value as T[];
}

const invalidToken = (): AwsServiceError => new AwsServiceError('ValidationException', 'The NextToken provided is invalid.');

function ruleView(rule: RuleRecord): Body {
  const { targets: _targets, ...view } = rule;
  return view;
}

function page<T>(body: Body, items: T[], listing: string): { items: T[]; NextToken?: string } {
  const { items: slice, nextToken } = paginate(items, optionalInteger(body, 'Limit', 1, 100), optionalString(body, 'NextToken'), listing, invalidToken);
  return nextToken === undefined ? { items: slice } : { items: slice, NextToken: nextToken };
}

function setState(bus: LocalEventBus, body: Body, state: 'ENABLED' | 'DISABLED'): Body {
  const rule = bus.describeRule({ Name: requiredString(body, 'Name'), EventBusName: optionalString(body, 'EventBusName') });
  bus.putRule({ ...ruleView(rule), State: state } as Parameters<LocalEventBus['putRule']>[0]);
  return {};
}

type Operation = (bus: LocalEventBus, body: Body) => Body;

const OPERATIONS: Record<string, Operation> = {
  PutEvents: (bus, body) => bus.putEvents(list<PutEventsEntry>(body, 'Entries')) as unknown as Body,
  PutRule: (bus, body) =>
    bus.putRule({
      Name: requiredString(body, 'Name'),
      EventBusName: optionalString(body, 'EventBusName'),
      EventPattern: optionalString(body, 'EventPattern'),
      ScheduleExpression: optionalString(body, 'ScheduleExpression'),
      State: optionalString(body, 'State'),
      Description: optionalString(body, 'Description'),
      RoleArn: optionalString(body, 'RoleArn'),
    }),
  DeleteRule: (bus, body) => {
    bus.deleteRule({ Name: requiredString(body, 'Name'), EventBusName: optionalString(body, 'EventBusName') });
    return {};
  },
  DescribeRule: (bus, body) => ({
    ...ruleView(bus.describeRule({ Name: requiredString(body, 'Name'), EventBusName: optionalString(body, 'EventBusName') })),
    CreatedBy: bus.place.accountId,
  }),
  ListRules: (bus, body) => {
    const rules = bus.listRules({ NamePrefix: optionalString(body, 'NamePrefix'), EventBusName: optionalString(body, 'EventBusName') });
    const { items, NextToken } = page(body, rules, `ListRules:${optionalString(body, 'EventBusName') ?? ''}:${optionalString(body, 'NamePrefix') ?? ''}`);
    return { Rules: items.map(ruleView), ...(NextToken === undefined ? {} : { NextToken }) };
  },
  EnableRule: (bus, body) => setState(bus, body, 'ENABLED'),
  DisableRule: (bus, body) => setState(bus, body, 'DISABLED'),
  PutTargets: (bus, body) =>
    bus.putTargets({
      Rule: requiredString(body, 'Rule'),
      EventBusName: optionalString(body, 'EventBusName'),
      Targets: list<Record<string, unknown>>(body, 'Targets'),
    }),
  RemoveTargets: (bus, body) =>
    bus.removeTargets({ Rule: requiredString(body, 'Rule'), EventBusName: optionalString(body, 'EventBusName'), Ids: list<string>(body, 'Ids') }),
  ListTargetsByRule: (bus, body) => {
    const rule = requiredString(body, 'Rule');
    const targets = bus.listTargetsByRule({ Rule: rule, EventBusName: optionalString(body, 'EventBusName') });
    const { items, NextToken } = page(body, targets, `ListTargetsByRule:${optionalString(body, 'EventBusName') ?? ''}:${rule}`);
    return { Targets: items, ...(NextToken === undefined ? {} : { NextToken }) };
  },
  TestEventPattern: (bus, body) => ({ Result: bus.testEventPattern(requiredString(body, 'EventPattern'), requiredString(body, 'Event')) }),
  CreateEventBus: (bus, body) => bus.createEventBus(requiredString(body, 'Name')),
  DeleteEventBus: (bus, body) => {
    bus.deleteEventBus(requiredString(body, 'Name'));
    return {};
  },
  DescribeEventBus: (bus, body) => {
    const name = optionalString(body, 'Name') ?? 'default';
    const found = bus.listEventBuses().find((candidate) => candidate.Name === name || candidate.Arn === name);
    if (found === undefined) throw new AwsServiceError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return found;
  },
  ListEventBuses: (bus, body) => {
    const prefix = optionalString(body, 'NamePrefix');
    const buses = bus.listEventBuses().filter((candidate) => prefix === undefined || candidate.Name.startsWith(prefix));
    const { items, NextToken } = page(body, buses, `ListEventBuses:${prefix ?? ''}`);
    return { EventBuses: items, ...(NextToken === undefined ? {} : { NextToken }) };
  },
};

export const EVENTBRIDGE_OPERATIONS = Object.keys(OPERATIONS);

export function eventBridgeService(bus: LocalEventBus): LocalService {
  // 1 MB of entries per PutEvents, JSON-escaped, with room to spare.
  return jsonRpcService({
    name: 'eventbridge',
    targetPrefix: TARGET_PREFIX,
    version: '1.1',
    state: bus,
    operations: OPERATIONS,
    close: () => bus.close(),
    flush: (state) => state.flush(),
    maxBodyBytes: 4 * MiB,
  });
}
