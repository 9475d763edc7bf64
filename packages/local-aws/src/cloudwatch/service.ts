// The local alarms over CloudWatch's wire protocols — JSON 1.0 (`X-Amz-Target:
// GraniteServiceVersion20100801.<Op>`, what SDK v3 speaks) and Smithy RPC v2 CBOR
// (`/service/GraniteServiceVersion20100801/operation/<Op>`, what botocore and the AWS CLI
// speak) — so every client can read them and force their state for a test exactly as on
// AWS: DescribeAlarms and SetAlarmState. Other CloudWatch operations are answered as
// unknown operations.
import { randomUUID } from 'node:crypto';
import { cbor, dateToTag } from '@smithy/core/cbor';
import { AwsServiceError, optionalInteger, optionalString, paginate, requiredString, toServiceError, validationError } from '../aws-json.ts';
import type { LocalRequest, LocalResponse, LocalService } from '../http.ts';
import { ALARM_STATE_VALUES, type AlarmStateValue, type LocalAlarm, type LocalAlarms } from './alarms.ts';

type Body = Record<string, unknown>;

const invalidToken = (token: string): AwsServiceError => new AwsServiceError('InvalidNextToken', `The service cannot recognize the token: ${token}`);

function stateValue(body: Body, field: string, required: boolean): AlarmStateValue | undefined {
  const value = required ? requiredString(body, field) : optionalString(body, field);
  if (value === undefined) return undefined;
  if (!(ALARM_STATE_VALUES as readonly string[]).includes(value))
    throw validationError(field, value, `Member must satisfy enum value set: [${ALARM_STATE_VALUES.join(', ')}]`);
  return value as AlarmStateValue;
}

function names(body: Body): string[] | undefined {
  const value = body['AlarmNames'];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw validationError('alarmNames', value, 'Member must be a list of strings');
  if (value.length > 100) throw validationError('alarmNames', value, 'Member must have length less than or equal to 100');
  for (const [index, name] of (value as string[]).entries()) checkAlarmName(`alarmNames.${index + 1}.member`, name);
  return value as string[];
}

const seconds = (iso: string): number => Date.parse(iso) / 1000;

/** Alarm names (and prefixes) are 1 to 255 characters. */
function checkAlarmName(field: string, value: string | undefined): void {
  if (value === undefined) return;
  if (value.length < 1) throw validationError(field, value, 'Member must have length greater than or equal to 1');
  if (value.length > 255) throw validationError(field, value, 'Member must have length less than or equal to 255');
}

/** A MetricAlarm as DescribeAlarms returns it. */
function metricAlarm(alarm: LocalAlarm): Body {
  return {
    AlarmName: alarm.name,
    AlarmArn: alarm.arn,
    AlarmDescription: alarm.description,
    AlarmConfigurationUpdatedTimestamp: seconds(alarm.configUpdatedAt),
    ActionsEnabled: false,
    OKActions: [],
    AlarmActions: [],
    InsufficientDataActions: [],
    StateValue: alarm.state,
    StateReason: alarm.reason,
    ...(alarm.reasonData === undefined ? {} : { StateReasonData: alarm.reasonData }),
    StateUpdatedTimestamp: seconds(alarm.stateUpdatedAt),
    StateTransitionedTimestamp: seconds(alarm.transitionedAt),
    MetricName: alarm.metric.name,
    Namespace: alarm.metric.namespace,
    Statistic: alarm.metric.stat,
    Dimensions: Object.entries(alarm.metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
    Period: alarm.metric.period,
    EvaluationPeriods: alarm.metric.evaluationPeriods,
    Threshold: alarm.metric.threshold,
    ComparisonOperator: alarm.metric.comparisonOperator,
    TreatMissingData: 'breaching',
  };
}

const OPERATIONS: Record<string, (alarms: LocalAlarms, body: Body) => Body> = {
  DescribeAlarms: (alarms, body) => {
    const alarmNames = names(body);
    const prefix = optionalString(body, 'AlarmNamePrefix');
    checkAlarmName('alarmNamePrefix', prefix);
    if (alarmNames !== undefined && prefix !== undefined) {
      throw new AwsServiceError('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be used together.');
    }
    const state = stateValue(body, 'StateValue', false);
    const listed = alarms.list({ ...(alarmNames ? { names: alarmNames } : {}), ...(prefix ? { prefix } : {}), ...(state ? { state } : {}) });
    const listing = `DescribeAlarms:${JSON.stringify([alarmNames, prefix, state])}`;
    const { items, nextToken } = paginate(listed, optionalInteger(body, 'MaxRecords', 1, 100), optionalString(body, 'NextToken'), listing, invalidToken, 50);
    return { MetricAlarms: items.map(metricAlarm), CompositeAlarms: [], ...(nextToken === undefined ? {} : { NextToken: nextToken }) };
  },
  SetAlarmState: (alarms, body) => {
    const name = requiredString(body, 'AlarmName');
    checkAlarmName('alarmName', name);
    const value = stateValue(body, 'StateValue', true)!;
    const reason = requiredString(body, 'StateReason');
    const reasonData = optionalString(body, 'StateReasonData');
    if (reasonData !== undefined) {
      try {
        JSON.parse(reasonData);
      } catch {
        throw new AwsServiceError('InvalidFormat', 'Invalid JSON in StateReasonData.');
      }
    }
    if (!alarms.setState(name, value, reason, reasonData)) throw new AwsServiceError('ResourceNotFound', `Alarm ${name} not found`, 404);
    return {};
  },
};

const TARGET_PREFIX = 'GraniteServiceVersion20100801';
const CBOR_PATH = new RegExp(`^/service/${TARGET_PREFIX}/operation/([A-Za-z0-9]+)$`);

/**
 * CloudWatch's error shapes and the awsQuery codes they carry (x-amzn-query-error): SDK v3
 * names the error after the shape, botocore and older clients read the query code.
 */
const ERROR_SHAPES: Record<string, { shape: string; query: string }> = {
  InvalidParameterCombination: { shape: 'InvalidParameterCombinationException', query: 'InvalidParameterCombination' },
  InvalidFormat: { shape: 'InvalidFormatFault', query: 'InvalidFormat' },
  InvalidNextToken: { shape: 'InvalidNextToken', query: 'InvalidNextToken' },
  ResourceNotFound: { shape: 'ResourceNotFound', query: 'ResourceNotFound' },
  ValidationException: { shape: 'ValidationError', query: 'ValidationError' },
};

/** Timestamps travel as CBOR tag 1 (epoch seconds); JSON carries them as numbers already. */
function withCborTimestamps(value: unknown, key = ''): unknown {
  if (typeof value === 'number' && key.endsWith('Timestamp')) return dateToTag(new Date(value * 1000));
  if (Array.isArray(value)) return value.map((item) => withCborTimestamps(item));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withCborTimestamps(v, k)]));
  return value;
}

interface Wire {
  name: string;
  operation(req: LocalRequest): string | undefined;
  decode(req: LocalRequest): unknown;
  encode(status: number, body: unknown, headers: Record<string, string>): LocalResponse;
}

const JSON_WIRE: Wire = {
  name: 'cloudwatch',
  operation: (req) => {
    const target = req.headers['x-amz-target'];
    const text = Array.isArray(target) ? target[0] : target;
    return text?.startsWith(`${TARGET_PREFIX}.`) ? text.slice(TARGET_PREFIX.length + 1) : undefined;
  },
  decode: (req) => {
    const text = req.body.toString('utf8').trim();
    if (text === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new AwsServiceError('SerializationException', `request body is not valid JSON: ${(error as Error).message}`);
    }
  },
  encode: (status, body, headers) => ({ status, headers: { 'content-type': 'application/x-amz-json-1.0', ...headers }, body: JSON.stringify(body) }),
};

const CBOR_WIRE: Wire = {
  name: 'cloudwatch-cbor',
  operation: (req) => (req.method === 'POST' ? CBOR_PATH.exec(req.url.pathname)?.[1] : undefined),
  decode: (req) => {
    if (req.body.length === 0) return {};
    try {
      return cbor.deserialize(new Uint8Array(req.body)) as unknown;
    } catch (error) {
      throw new AwsServiceError('SerializationException', `request body is not valid CBOR: ${(error as Error).message}`);
    }
  },
  encode: (status, body, headers) => ({
    status,
    headers: { 'content-type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor', ...headers },
    body: Buffer.from(cbor.serialize(withCborTimestamps(body))),
  }),
};

function service(alarms: LocalAlarms, wire: Wire): LocalService {
  return {
    name: wire.name,
    maxBodyBytes: 1024 * 1024,
    matches: (req) => wire.operation(req) !== undefined,
    async handle(req) {
      const requestId = randomUUID();
      try {
        const operation = wire.operation(req)!;
        const run = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
        if (run === undefined) throw new AwsServiceError('UnknownOperationException', `Unknown operation ${operation}`);
        const body = wire.decode(req);
        if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new AwsServiceError('SerializationException', 'request body must be a map');
        const result = run(alarms, body as Body);
        // A change is on disk before it is answered (a read waits only for earlier writes).
        await alarms.flush();
        return wire.encode(200, result, { 'x-amzn-requestid': requestId });
      } catch (error) {
        return failure(wire, toServiceError(error), requestId);
      }
    },
    refuse: (_req, status, code, message) => failure(wire, new AwsServiceError(code, message, status), randomUUID()),
  };
}

function failure(wire: Wire, error: AwsServiceError, requestId: string): LocalResponse {
  const names = ERROR_SHAPES[error.code] ?? { shape: error.code, query: error.code };
  return wire.encode(
    error.status,
    { __type: `com.amazonaws.cloudwatch#${names.shape}`, message: error.message },
    {
      'x-amzn-requestid': requestId,
      'x-amzn-query-error': `${names.query};${error.status >= 500 ? 'Receiver' : 'Sender'}`,
    },
  );
}

/** The CloudWatch alarms API on the shared endpoint: both protocols. */
export function cloudWatchServices(alarms: LocalAlarms): LocalService[] {
  return [service(alarms, JSON_WIRE), service(alarms, CBOR_WIRE)];
}
