// Step Functions over the AWS JSON 1.0 protocol (`X-Amz-Target: AWSStepFunctions.<Op>`),
// so SDK v3's SFNClient, boto3 and the AWS CLI work against the local endpoint.
import { MiB } from '../body-limit.ts';
import type { LocalService } from '../http.ts';
import { AwsServiceError, jsonRpcService, optionalInteger, optionalString, requiredString, validationError } from '../aws-json.ts';
import type { ExecutionRecord, LocalStepFunctions, StateMachineRecord } from './engine.ts';
import type { HistoryEvent } from './history.ts';
import { checkLength, MAX_CAUSE_LENGTH, MAX_DEFINITION_LENGTH, MAX_ERROR_LENGTH } from './limits.ts';

const TARGET_PREFIX = 'AWSStepFunctions';
const ERROR_NAMESPACE = 'com.amazonaws.swf.service.v2.model#';

type Body = Record<string, unknown>;

/** JSON protocols carry timestamps as epoch seconds. */
const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

function optionalBoolean(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw validationError(field, value, 'Member must be a boolean');
  return value;
}

function stateMachineView(record: StateMachineRecord): Body {
  return {
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: 'ACTIVE',
    definition: record.definition,
    roleArn: record.roleArn,
    type: record.type,
    creationDate: seconds(record.creationDate),
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  };
}

function executionView(record: ExecutionRecord): Body {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: seconds(record.startDate),
    stopDate: seconds(record.stopDate),
    input: record.input,
    inputDetails: { included: true },
    ...(record.output === undefined ? {} : { output: record.output, outputDetails: { included: true } }),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.cause === undefined ? {} : { cause: record.cause }),
    redriveCount: 0,
  };
}

function historyView(event: HistoryEvent): Body {
  return { ...event, timestamp: seconds(event.timestamp) };
}

type Operation = (engine: LocalStepFunctions, body: Body) => Body | Promise<Body>;

const OPERATIONS: Record<string, Operation> = {
  CreateStateMachine: (engine, body) => {
    checkLength(optionalString(body, 'definition'), 'definition', MAX_DEFINITION_LENGTH);
    const created = engine.createStateMachine({
      name: requiredString(body, 'name'),
      definition: requiredString(body, 'definition'),
      roleArn: requiredString(body, 'roleArn'),
      type: optionalString(body, 'type'),
    });
    return { stateMachineArn: created.stateMachineArn, creationDate: seconds(created.creationDate) };
  },
  UpdateStateMachine: (engine, body) => {
    checkLength(optionalString(body, 'definition'), 'definition', MAX_DEFINITION_LENGTH);
    const { updateDate } = engine.updateStateMachine({
      stateMachineArn: requiredString(body, 'stateMachineArn'),
      definition: optionalString(body, 'definition'),
      roleArn: optionalString(body, 'roleArn'),
    });
    return { updateDate: seconds(updateDate) };
  },
  DeleteStateMachine: (engine, body) => {
    engine.deleteStateMachine(requiredString(body, 'stateMachineArn'));
    return {};
  },
  DescribeStateMachine: (engine, body) => stateMachineView(engine.describeStateMachine(requiredString(body, 'stateMachineArn'))),
  ListStateMachines: (engine, body) => {
    const page = engine.listStateMachines({ maxResults: optionalInteger(body, 'maxResults', 0, 1000), nextToken: optionalString(body, 'nextToken') });
    return {
      stateMachines: page.items.map((record) => ({
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        type: record.type,
        creationDate: seconds(record.creationDate),
      })),
      ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
    };
  },
  StartExecution: (engine, body) => {
    const started = engine.startExecution({
      stateMachineArn: requiredString(body, 'stateMachineArn'),
      name: optionalString(body, 'name'),
      input: optionalString(body, 'input'),
    });
    return { executionArn: started.executionArn, startDate: seconds(started.startDate) };
  },
  DescribeExecution: async (engine, body) => executionView(await engine.describeExecution(requiredString(body, 'executionArn'))),
  ListExecutions: (engine, body) => {
    const stateMachineArn = optionalString(body, 'stateMachineArn');
    if (stateMachineArn === undefined) throw new AwsServiceError('MissingRequiredParameter', 'Must specify stateMachineArn or mapRunArn');
    const page = engine.listExecutions({
      stateMachineArn,
      statusFilter: optionalString(body, 'statusFilter'),
      maxResults: optionalInteger(body, 'maxResults', 0, 1000),
      nextToken: optionalString(body, 'nextToken'),
    });
    return {
      executions: page.items.map((record) => ({
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: seconds(record.startDate),
        stopDate: seconds(record.stopDate),
      })),
      ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
    };
  },
  GetExecutionHistory: async (engine, body) => {
    const page = await engine.getExecutionHistory({
      executionArn: requiredString(body, 'executionArn'),
      maxResults: optionalInteger(body, 'maxResults', 0, 1000),
      nextToken: optionalString(body, 'nextToken'),
      reverseOrder: optionalBoolean(body, 'reverseOrder'),
      includeExecutionData: optionalBoolean(body, 'includeExecutionData'),
    });
    return { events: page.items.map(historyView), ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }) };
  },
  StopExecution: (engine, body) => {
    checkLength(optionalString(body, 'error'), 'error', MAX_ERROR_LENGTH);
    checkLength(optionalString(body, 'cause'), 'cause', MAX_CAUSE_LENGTH);
    const { stopDate } = engine.stopExecution({
      executionArn: requiredString(body, 'executionArn'),
      error: optionalString(body, 'error'),
      cause: optionalString(body, 'cause'),
    });
    return { stopDate: seconds(stopDate) };
  },
};

export const STEP_FUNCTIONS_OPERATIONS = Object.keys(OPERATIONS);

export function stepFunctionsService(engine: LocalStepFunctions): LocalService {
  return jsonRpcService({
    name: 'stepfunctions',
    targetPrefix: TARGET_PREFIX,
    version: '1.0',
    errorNamespace: ERROR_NAMESPACE,
    state: engine,
    operations: OPERATIONS,
    close: () => engine.close(),
    flush: (state) => state.flush(),
    // A 1 MiB definition or a 256 KiB input, JSON-escaped, with room to spare.
    maxBodyBytes: 8 * MiB,
  });
}
