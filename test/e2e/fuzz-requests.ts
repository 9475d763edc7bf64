// Generators of malformed and hostile requests for the local endpoint's fuzz suite
// (fuzz.test.ts): the five AWS services and the control API, each request built so that
// it must not change anything (invalid by construction, or sent by a foreign caller).
import { cbor } from '@smithy/core/cbor';
import fc from 'fast-check';

export interface FuzzRequest {
  /** What the request is, for the failure report. */
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
  /** `refused`: must be a 4xx; `forbidden`: must be the 403 of a foreign caller; `any`: a read, any answer under 500. */
  expect: 'refused' | 'forbidden' | 'any';
}

/** What the generators aim at: ids and names of the running runtime. */
export interface FuzzTargets {
  port: number;
  token: string;
  zoneId: string;
  healthCheckId: string;
  recordName: string;
  stateMachineArn: string;
  ruleName: string;
  busName: string;
  table: string;
  alarmName: string;
  cluster: string;
}

const R53 = '/2013-04-01';
const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const CBOR_PREFIX = '/service/GraniteServiceVersion20100801/operation/';
/** A signature header dynalite accepts (it checks the form, not the signature). */
const SIGNED = {
  authorization: 'AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20261203/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000',
  'x-amz-date': '20261203T000000Z',
};

// ---------------------------------------------------------------------------
// Building blocks.

/** Text that is never a JSON or XML document: it starts with a character neither allows. */
const junk = fc.string({ maxLength: 200, unit: 'binary' }).map((s) => `\u0001${s}`);
const word = fc.stringMatching(/^[A-Za-z0-9._~-]{1,16}$/);
const wrongType = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null).map(() => [] as unknown),
  fc.dictionary(word, fc.integer(), { maxKeys: 3 }),
  fc.array(fc.string(), { maxLength: 3 }),
);
const notAnObject = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 4 }));
const deepJson = fc.integer({ min: 101, max: 20_000 }).map((depth) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`);
const deepXml = (root: string) =>
  fc.integer({ min: 33, max: 5_000 }).map((depth) => `<${root} xmlns="${XMLNS}">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</${root}>`);
const badEscape = fc.constantFrom('%', '%Z', '%ZZ', '%E0%A4%A', '%C0', '%FF%FE', '%u0041', '%%41');
const pathSegment = fc.oneof(
  word,
  badEscape,
  fc.constantFrom('hostedzone', 'rrset', 'healthcheck', 'change', 'tags', 'status', '.', '..', '%2F', '%00', '_switchyard'),
);

/** A Host that is not a loopback name or address (DNS rebinding, another machine, garbage). */
const foreignHost = fc
  .oneof(
    fc.constantFrom(
      'evil.example',
      'rebind.evil.example:4566',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      '192.168.1.5',
      '0.0.0.0',
      '[::]',
      'a b',
      'x/y',
      '[::2]:80',
      'localhost:99999',
    ),
    fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/^(localhost|127\.|\[::1\]|::1)/i.test(s.trim())),
  )
  .map((host) => host.replace(/[^\t\x20-\x7e]/g, '?'));
/** An Origin that is not the endpoint's own page. */
const foreignOrigin = (port: number) =>
  fc.oneof(
    fc.constantFrom(
      'http://evil.example',
      'null',
      `https://127.0.0.1:${port}`,
      'http://localhost:3000',
      `http://127.0.0.1:${port + 1}`,
      `http://rebind.evil.example:${port}`,
      'file://',
    ),
    fc.string({ maxLength: 40 }).map((s) => `http://${s.replace(/[^\x21-\x7e]/g, 'x')}.evil.example`),
  );

function request(
  kind: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | Buffer,
  expect: FuzzRequest['expect'],
): FuzzRequest {
  return shown({ kind, method, path, headers, body, expect });
}

/** How fast-check prints a counterexample: bodies of 20,000 brackets cut short. */
function shown(r: FuzzRequest): FuzzRequest {
  const body = String(r.body);
  const text = `${r.kind}: ${r.method} ${r.path} ${JSON.stringify(r.headers)} ${JSON.stringify(body.length > 300 ? `${body.slice(0, 300)}… (${body.length} characters)` : body)}`;
  return Object.assign(r, { [fc.toStringMethod]: () => text });
}

const json = (target: string, version: '1.0' | '1.1', extra: Record<string, string> = {}) => ({
  'x-amz-target': target,
  'content-type': `application/x-amz-json-${version}`,
  ...extra,
});

// ---------------------------------------------------------------------------
// Valid calls that change state: sent by a foreign caller, each must be refused with a 403.

function changingCalls(t: FuzzTargets): FuzzRequest[] {
  const xml = (root: string, inner: string) => `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="${XMLNS}">${inner}</${root}>`;
  return [
    request(
      'CreateHostedZone',
      'POST',
      `${R53}/hostedzone`,
      {},
      xml('CreateHostedZoneRequest', '<Name>evil.example</Name><CallerReference>fuzz-foreign</CallerReference>'),
      'forbidden',
    ),
    request('DeleteHostedZone', 'DELETE', `${R53}/hostedzone/${t.zoneId}`, {}, '', 'forbidden'),
    request('DeleteHealthCheck', 'DELETE', `${R53}/healthcheck/${t.healthCheckId}`, {}, '', 'forbidden'),
    request(
      'ChangeResourceRecordSets',
      'POST',
      `${R53}/hostedzone/${t.zoneId}/rrset`,
      {},
      xml(
        'ChangeResourceRecordSetsRequest',
        `<ChangeBatch><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>${t.recordName}</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>203.0.113.66</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch>`,
      ),
      'forbidden',
    ),
    request(
      'DeleteStateMachine',
      'POST',
      '/',
      json('AWSStepFunctions.DeleteStateMachine', '1.0'),
      JSON.stringify({ stateMachineArn: t.stateMachineArn }),
      'forbidden',
    ),
    request(
      'StartExecution',
      'POST',
      '/',
      json('AWSStepFunctions.StartExecution', '1.0'),
      JSON.stringify({ stateMachineArn: t.stateMachineArn, input: '{}' }),
      'forbidden',
    ),
    request('DisableRule', 'POST', '/', json('AWSEvents.DisableRule', '1.1'), JSON.stringify({ Name: t.ruleName, EventBusName: t.busName }), 'forbidden'),
    request('PutRule', 'POST', '/', json('AWSEvents.PutRule', '1.1'), JSON.stringify({ Name: 'fuzz-foreign', EventPattern: '{"source":["x"]}' }), 'forbidden'),
    request('DeleteTable', 'POST', '/', json('DynamoDB_20120810.DeleteTable', '1.0', SIGNED), JSON.stringify({ TableName: t.table }), 'forbidden'),
    request(
      'PutItem',
      'POST',
      '/',
      json('DynamoDB_20120810.PutItem', '1.0', SIGNED),
      JSON.stringify({ TableName: t.table, Item: { pk: { S: 'FLEET' }, sk: { S: 'STATE' } } }),
      'forbidden',
    ),
    request(
      'SetAlarmState',
      'POST',
      '/',
      json('GraniteServiceVersion20100801.SetAlarmState', '1.0'),
      JSON.stringify({ AlarmName: t.alarmName, StateValue: 'ALARM', StateReason: 'fuzz' }),
      'forbidden',
    ),
    request(
      'SetAlarmState (CBOR)',
      'POST',
      `${CBOR_PREFIX}SetAlarmState`,
      { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor' },
      Buffer.from(cbor.serialize({ AlarmName: t.alarmName, StateValue: 'ALARM', StateReason: 'fuzz' })),
      'forbidden',
    ),
    request(
      'control fail',
      'POST',
      `/_switchyard/clusters/${t.cluster}/fail`,
      { 'content-type': 'text/plain', 'x-switchyard-token': t.token },
      '{"mode":"down"}',
      'forbidden',
    ),
    request('control discover', 'POST', '/_switchyard/discover', { 'x-switchyard-token': t.token }, '', 'forbidden'),
  ];
}

function foreignCallers(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  const calls = changingCalls(t);
  return fc
    .tuple(
      fc.constantFrom(...calls),
      fc.oneof(
        foreignHost.map((host) => ({ host })),
        foreignOrigin(t.port).map((origin) => ({ origin })),
        fc.constant({ 'sec-fetch-site': 'cross-site' }),
      ),
    )
    .map(([call, hostile]) =>
      request(`${call.kind} from ${JSON.stringify(hostile)}`, call.method, call.path, { ...call.headers, ...hostile }, call.body, call.expect),
    );
}

// ---------------------------------------------------------------------------
// Route 53 (REST-XML).

function route53(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  const validBatch = `<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><ChangeBatch><Changes><Change><Action>DELETE</Action><ResourceRecordSet><Name>${t.recordName}</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>203.0.113.7</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`;
  const postPaths = [
    `${R53}/hostedzone`,
    `${R53}/hostedzone/${t.zoneId}/rrset`,
    `${R53}/healthcheck`,
    `${R53}/healthcheck/${t.healthCheckId}`,
    `${R53}/tags/hostedzone/${t.zoneId}`,
    `${R53}/tags/healthcheck`,
  ];
  const roots = [
    'CreateHostedZoneRequest',
    'ChangeResourceRecordSetsRequest',
    'CreateHealthCheckRequest',
    'UpdateHealthCheckRequest',
    'ChangeTagsForResourceRequest',
    'ListTagsForResourcesRequest',
  ];
  const badBody = fc.oneof(
    junk,
    // Any strict prefix of a document leaves its root open.
    fc.integer({ min: 0, max: validBatch.length - 1 }).map((cut) => validBatch.slice(0, cut)),
    fc.constantFrom(...roots).chain(deepXml),
    fc
      .constantFrom(...roots)
      .map(
        (root) =>
          `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY e SYSTEM "file:///etc/passwd"><!ENTITY l "lol">]><${root} xmlns="${XMLNS}"><Name>&l;.example</Name><CallerReference>&e;</CallerReference></${root}>`,
      ),
    fc
      .tuple(fc.constantFrom(...roots), fc.constantFrom('&nbsp;', '&e;', '&#;', '&amp'))
      .map(([root, entity]) => `<${root} xmlns="${XMLNS}"><Name>x${entity}.example</Name><CallerReference>fuzz</CallerReference></${root}>`),
    fc.string({ maxLength: 12 }).map((action) => validBatch.replace('<Action>DELETE</Action>', `<Action>X${action.replace(/[<&]/g, '')}</Action>`)),
    fc.string({ maxLength: 12 }).map((type) => validBatch.replace('<Type>A</Type>', `<Type>Q${type.replace(/[<&]/g, '')}</Type>`)),
    fc.string({ maxLength: 12 }).map((ttl) => validBatch.replace('<TTL>60</TTL>', `<TTL>-${ttl.replace(/[<&]/g, '')}</TTL>`)),
  );
  const post = fc
    .tuple(fc.constantFrom(...postPaths), badBody)
    .map(([path, body]) => request(`Route 53 POST ${path}`, 'POST', path, { 'content-type': 'text/xml' }, body, 'refused'));
  const badPath = fc
    .tuple(fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH'), fc.array(pathSegment, { minLength: 1, maxLength: 5 }))
    .map(([method, segments]) => {
      const path = `${R53}/${segments.join('/')}`;
      // A GET may name a real listing (hostedzone, healthcheck): a read, any answer; anything else changes nothing that exists.
      return request(`Route 53 ${method} ${path}`, method, path, {}, method === 'GET' ? '' : '<x/>', method === 'GET' ? 'any' : 'refused');
    });
  const badEscapes = fc
    .tuple(fc.constantFrom('hostedzone/', 'healthcheck/', 'change/', `hostedzone/${t.zoneId}/rrset?name=`, 'tags/hostedzone/'), badEscape)
    .map(([prefix, escape]) => request(`Route 53 GET with ${escape}`, 'GET', `${R53}/${prefix}${escape}`, {}, '', 'any'));
  const badQuery = fc
    .tuple(fc.constantFrom('maxitems', 'type', 'name', 'identifier', 'marker', 'hostedzonetype', 'dnsname'), fc.string({ maxLength: 20 }))
    .map(([key, value]) => {
      const path = `${R53}/hostedzone/${t.zoneId}/rrset?${key}=${encodeURIComponent(value)}`;
      return request(`Route 53 list ${key}`, 'GET', path, {}, '', 'any');
    });
  return fc.oneof({ weight: 4, arbitrary: post }, { weight: 2, arbitrary: badPath }, { weight: 1, arbitrary: badEscapes }, { weight: 1, arbitrary: badQuery });
}

// ---------------------------------------------------------------------------
// The JSON services: Step Functions, EventBridge, DynamoDB, CloudWatch (JSON and CBOR).

/** A body that no operation can act on: not JSON, not an object, too deep, or its fields of the wrong type. */
function badJsonBody(fields: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    junk,
    notAnObject.map((value) => JSON.stringify(value)),
    deepJson,
    fc.dictionary(fc.constantFrom(...fields), wrongType, { minKeys: 1 }).map((body) => JSON.stringify(body)),
  );
}

/** `reads`: operations whose every field is optional, so a body of wrong types may still be a read. */
function jsonService(
  prefix: string,
  version: '1.0' | '1.1',
  operations: Record<string, readonly string[]>,
  extra: Record<string, string> = {},
  reads: readonly string[] = [],
): fc.Arbitrary<FuzzRequest> {
  const known = fc
    .constantFrom(...Object.keys(operations))
    .chain((operation) =>
      badJsonBody(operations[operation]!).map((body) =>
        request(`${prefix}.${operation}`, 'POST', '/', json(`${prefix}.${operation}`, version, extra), body, reads.includes(operation) ? 'any' : 'refused'),
      ),
    );
  const unknown = fc
    .tuple(word, fc.oneof(junk, fc.constant('{}')))
    .map(([operation, body]) => request(`${prefix}.${operation}?`, 'POST', '/', json(`${prefix}.X${operation}`, version, extra), body, 'refused'));
  return fc.oneof({ weight: 5, arbitrary: known }, { weight: 1, arbitrary: unknown });
}

function stepFunctions(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  const generic = jsonService('AWSStepFunctions', '1.0', {
    CreateStateMachine: ['name', 'definition', 'roleArn', 'type'],
    UpdateStateMachine: ['stateMachineArn', 'definition', 'roleArn'],
    DeleteStateMachine: ['stateMachineArn'],
    StartExecution: ['stateMachineArn', 'input', 'name'],
    StopExecution: ['executionArn', 'error', 'cause'],
    DescribeExecution: ['executionArn'],
    GetExecutionHistory: ['executionArn', 'maxResults', 'nextToken'],
    ListExecutions: ['stateMachineArn', 'statusFilter', 'maxResults'],
  });
  // Real machine, broken input or name: refused before an execution starts.
  const badStart = fc
    .oneof(
      junk.map((input) => ({ stateMachineArn: t.stateMachineArn, input })),
      fc.string({ minLength: 1, maxLength: 40 }).map((name) => ({ stateMachineArn: t.stateMachineArn, input: '{}', name: `${name} <>{}[]?*"#%\\^|~\`$&,;:/` })),
      fc
        .string({ maxLength: 30 })
        .map((arn) => ({ stateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:fuzz-${arn.replace(/[^A-Za-z0-9-]/g, '')}`, input: '{}' })),
    )
    .map((body) => request('StartExecution (bad input)', 'POST', '/', json('AWSStepFunctions.StartExecution', '1.0'), JSON.stringify(body), 'refused'));
  const badDefinition = fc
    .oneof(
      junk,
      deepJson,
      fc
        .jsonValue()
        .map((v) => JSON.stringify(v))
        .filter((text) => !text.includes('"States"')),
    )
    .map((definition) =>
      request(
        'UpdateStateMachine (bad definition)',
        'POST',
        '/',
        json('AWSStepFunctions.UpdateStateMachine', '1.0'),
        JSON.stringify({ stateMachineArn: t.stateMachineArn, definition }),
        'refused',
      ),
    );
  return fc.oneof({ weight: 3, arbitrary: generic }, { weight: 1, arbitrary: badStart }, { weight: 1, arbitrary: badDefinition });
}

function eventBridge(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  const generic = jsonService(
    'AWSEvents',
    '1.1',
    {
      PutRule: ['Name', 'EventPattern', 'ScheduleExpression', 'EventBusName', 'State'],
      DeleteRule: ['Name', 'EventBusName'],
      EnableRule: ['Name'],
      DisableRule: ['Name'],
      PutTargets: ['Rule', 'Targets', 'EventBusName'],
      RemoveTargets: ['Rule', 'Ids'],
      PutEvents: ['Entries'],
      TestEventPattern: ['EventPattern', 'Event'],
      CreateEventBus: ['Name'],
      DeleteEventBus: ['Name'],
      // PutEvents fails entries one by one (200, FailedEntryCount): entries of the wrong type too.
    },
    {},
    ['PutEvents'],
  );
  const badPattern = fc.oneof(
    junk,
    deepJson,
    fc.constantFrom('{"source":"x"}', '{"source":[]}', '[]', '{"a":[{"numeric":[">"]}]}', '{"a":[{"prefix":5}]}', '{"a":[{"bogus":1}]}'),
  );
  const putRule = fc
    .tuple(word, badPattern)
    .map(([name, pattern]) =>
      request(
        'PutRule (bad pattern)',
        'POST',
        '/',
        json('AWSEvents.PutRule', '1.1'),
        JSON.stringify({ Name: `fuzz-${name}`, EventPattern: pattern, EventBusName: t.busName }),
        'refused',
      ),
    );
  const testPattern = fc
    .tuple(badPattern, fc.oneof(junk, deepJson))
    .map(([pattern, event]) =>
      request('TestEventPattern', 'POST', '/', json('AWSEvents.TestEventPattern', '1.1'), JSON.stringify({ EventPattern: pattern, Event: event }), 'refused'),
    );
  // Entries that fail one by one (a 200 with FailedEntryCount), or a list EventBridge refuses whole.
  const entry = fc.record({
    Source: fc.oneof(fc.constant('fuzz'), fc.constant('aws.fuzz'), fc.integer()),
    DetailType: fc.string({ maxLength: 10 }),
    Detail: fc.oneof(junk, deepJson, fc.constant('[]')),
    EventBusName: fc.constant(t.busName),
  });
  const putEvents = fc
    .array(entry, { minLength: 0, maxLength: 14 })
    .map((entries) => request('PutEvents (bad entries)', 'POST', '/', json('AWSEvents.PutEvents', '1.1'), JSON.stringify({ Entries: entries }), 'any'));
  return fc.oneof(
    { weight: 3, arbitrary: generic },
    { weight: 1, arbitrary: putRule },
    { weight: 1, arbitrary: testPattern },
    { weight: 1, arbitrary: putEvents },
  );
}

function dynamoDb(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  const generic = jsonService(
    'DynamoDB_20120810',
    '1.0',
    {
      PutItem: ['TableName', 'Item', 'ConditionExpression'],
      UpdateItem: ['TableName', 'Key', 'UpdateExpression'],
      DeleteItem: ['TableName', 'Key'],
      DeleteTable: ['TableName'],
      CreateTable: ['TableName', 'KeySchema', 'AttributeDefinitions'],
      BatchWriteItem: ['RequestItems'],
      TransactWriteItems: ['TransactItems'],
      Query: ['TableName', 'KeyConditionExpression'],
    },
    SIGNED,
  );
  // The state table itself, with keys it cannot take.
  const badKey = fc.oneof(
    fc.constant({}),
    fc.constant({ pk: { N: '1' }, sk: { S: 'x' } }),
    fc.constant({ pk: { S: '' }, sk: { S: 'x' } }),
    fc.integer({ min: 40, max: 400 }).map((depth) => {
      let value: unknown = { S: 'leaf' };
      for (let i = 0; i < depth; i++) value = { M: { a: value } };
      return { pk: { S: 'fuzz' }, sk: { S: 'deep' }, a: value };
    }),
  );
  const stateTable = fc
    .tuple(fc.constantFrom('PutItem', 'DeleteItem', 'UpdateItem'), badKey)
    .map(([operation, key]) =>
      request(
        `DynamoDB ${operation} (bad key)`,
        'POST',
        '/',
        json(`DynamoDB_20120810.${operation}`, '1.0', SIGNED),
        JSON.stringify(
          operation === 'PutItem'
            ? { TableName: t.table, Item: key }
            : { TableName: t.table, Key: key, ...(operation === 'UpdateItem' ? { UpdateExpression: 'SET #a = :b' } : {}) },
        ),
        'refused',
      ),
    );
  const badTable = fc
    .oneof(
      fc.constantFrom('ab', '', 'a'.repeat(256)),
      word.map((w) => `${w}!*`),
    )
    .map((name) =>
      request(
        'DynamoDB DeleteTable (bad name)',
        'POST',
        '/',
        json('DynamoDB_20120810.DeleteTable', '1.0', SIGNED),
        JSON.stringify({ TableName: name }),
        'refused',
      ),
    );
  const unsigned = badJsonBody(['TableName']).map((body) =>
    request('DynamoDB unsigned', 'POST', '/', json('DynamoDB_20120810.DeleteTable', '1.0'), body, 'refused'),
  );
  return fc.oneof(
    { weight: 3, arbitrary: generic },
    { weight: 2, arbitrary: stateTable },
    { weight: 1, arbitrary: badTable },
    { weight: 1, arbitrary: unsigned },
  );
}

function cloudWatch(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  const fields = {
    SetAlarmState: ['AlarmName', 'StateValue', 'StateReason', 'StateReasonData'],
    DescribeAlarms: ['AlarmNames', 'MaxRecords', 'StateValue', 'NextToken'],
  };
  const generic = jsonService('GraniteServiceVersion20100801', '1.0', fields, {}, ['DescribeAlarms']);
  const badState = fc.record({
    AlarmName: fc.constant(t.alarmName),
    StateValue: fc.string({ maxLength: 12 }).map((s) => `X${s}`),
    StateReason: fc.string({ maxLength: 20 }),
  });
  const badReasonData = fc.record({
    AlarmName: fc.constant(t.alarmName),
    StateValue: fc.constant('ALARM'),
    StateReason: fc.constant('fuzz'),
    StateReasonData: junk,
  });
  const setState = fc.oneof(badState, badReasonData);
  const viaJson = setState.map((body) =>
    request('SetAlarmState (bad)', 'POST', '/', json('GraniteServiceVersion20100801.SetAlarmState', '1.0'), JSON.stringify(body), 'refused'),
  );
  const cborHeaders = { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor' };
  const viaCbor = setState.map((body) =>
    request('SetAlarmState (CBOR, bad)', 'POST', `${CBOR_PREFIX}SetAlarmState`, cborHeaders, Buffer.from(cbor.serialize(body)), 'refused'),
  );
  const garbageCbor = fc
    .tuple(fc.constantFrom('SetAlarmState', 'DescribeAlarms', 'PutMetricAlarm', 'DeleteAlarms'), fc.uint8Array({ minLength: 1, maxLength: 64 }))
    .map(([operation, bytes]) =>
      request(
        `CloudWatch CBOR ${operation} (garbage)`,
        'POST',
        `${CBOR_PREFIX}${operation}`,
        cborHeaders,
        Buffer.from(bytes),
        operation === 'DescribeAlarms' ? 'any' : 'refused',
      ),
    );
  return fc.oneof(
    { weight: 2, arbitrary: generic },
    { weight: 1, arbitrary: viaJson },
    { weight: 1, arbitrary: viaCbor },
    { weight: 1, arbitrary: garbageCbor },
  );
}

// ---------------------------------------------------------------------------
// The control API.

function control(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  const noToken = fc
    .tuple(fc.constantFrom('fail', 'heal'), fc.constantFrom(t.cluster, 'east', 'west'))
    .map(([action, cluster]) =>
      request(`control ${action} without token`, 'POST', `/_switchyard/clusters/${cluster}/${action}`, { 'content-type': 'text/plain' }, '', 'refused'),
    );
  const wrongToken = fc
    .string({ maxLength: 64 })
    .map((token) =>
      request(
        'control fail with a wrong token',
        'POST',
        `/_switchyard/clusters/${t.cluster}/fail`,
        { 'x-switchyard-token': token.replace(/[^\x21-\x7e]/g, '') || 'x' },
        '',
        'refused',
      ),
    );
  // The right token, but a cluster that does not exist, a bad escape, or a mode that is not one.
  const unknownCluster = fc
    .tuple(
      fc.constantFrom('fail', 'heal'),
      fc.oneof(
        word.map((w) => `zz-${w}`),
        badEscape,
      ),
    )
    .map(([action, cluster]) =>
      request(`control ${action} ${cluster}`, 'POST', `/_switchyard/clusters/${cluster}/${action}`, { 'x-switchyard-token': t.token }, '', 'refused'),
    );
  // (A body without "mode" means "failing": every body here names a mode that is not one.)
  const badMode = fc
    .oneof(
      junk,
      fc.string({ maxLength: 12 }).map((mode) => JSON.stringify({ mode: `x${mode}` })),
      deepJson.map((deep) => `{"mode":${deep}}`),
    )
    .map((body) =>
      request('control fail with a bad mode', 'POST', `/_switchyard/clusters/${t.cluster}/fail`, { 'x-switchyard-token': t.token }, body, 'refused'),
    );
  const badPath = fc.tuple(fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'), fc.array(pathSegment, { minLength: 1, maxLength: 4 })).map(([method, segments]) => {
    const path = `/_switchyard/${segments.join('/')}`;
    return request(`control ${method} ${path}`, method, path, { 'x-switchyard-token': t.token }, '', method === 'GET' ? 'any' : 'refused');
  });
  return fc.oneof(noToken, wrongToken, unknownCluster, badMode, badPath);
}

/** Anything else a client may send: no service's target, request targets that are not paths. */
function elsewhere(): fc.Arbitrary<FuzzRequest> {
  const unknownTarget = fc
    .tuple(word, word)
    .map(([service, operation]) => request(`X-Amz-Target ${service}.${operation}`, 'POST', '/', json(`${service}.${operation}`, '1.1'), '{}', 'refused'));
  const unknownPath = fc
    .array(pathSegment, { minLength: 1, maxLength: 4 })
    .map((segments) => request('unknown path', 'POST', `/${segments.join('/')}`, {}, '', 'refused'));
  const oddTarget = fc
    .constantFrom('*', 'http://evil.example/2013-04-01/hostedzone')
    .map((target) => request(`request target ${target}`, 'OPTIONS', target, {}, '', 'refused'));
  return fc.oneof(unknownTarget, unknownPath, oddTarget);
}

/** Every kind of request, weighted so each service gets a fair share. */
export function fuzzRequests(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    { weight: 3, arbitrary: foreignCallers(t) },
    { weight: 4, arbitrary: route53(t) },
    { weight: 3, arbitrary: stepFunctions(t) },
    { weight: 3, arbitrary: eventBridge(t) },
    { weight: 3, arbitrary: dynamoDb(t) },
    { weight: 3, arbitrary: cloudWatch(t) },
    { weight: 3, arbitrary: control(t) },
    { weight: 1, arbitrary: elsewhere() },
  );
}
