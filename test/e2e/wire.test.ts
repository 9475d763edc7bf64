// The endpoint as other clients see it: the AWS CLI and boto3 work against it unchanged,
// and bad requests get the error the real service would send — never a crash of the runtime.
import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import { claimStateDir, releaseStateDir } from '../../src/local/runtime/state-dir.ts';
import { awsClients, temporaryFolder, type AwsClients } from './helpers.ts';

let runtime: LocalRuntime;
let aws: AwsClients;

beforeAll(async () => {
  runtime = await startLocalRuntime({ stateDir: null, port: 0, timeScale: 0.01, onboard: false, discoverEveryMs: 0 });
  aws = awsClients(runtime.url);
}, 60_000);

afterAll(async () => {
  aws?.destroy();
  await runtime?.close();
});

async function raw(init: {
  path?: string;
  method?: string;
  target?: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${runtime.url}${init.path ?? '/'}`, {
    method: init.method ?? 'POST',
    headers: { ...(init.target ? { 'x-amz-target': init.target, 'content-type': 'application/x-amz-json-1.0' } : {}), ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

const type = (text: string) => (JSON.parse(text) as { __type?: string }).__type?.split('#').pop();

describe('the local endpoint answers bad requests as AWS does', () => {
  it.each([
    ['an unknown Step Functions operation', { target: 'AWSStepFunctions.LaunchRocket', body: '{}' }, 400, 'UnknownOperationException'],
    ['a malformed Step Functions body', { target: 'AWSStepFunctions.StartExecution', body: '{"stateMachineArn": ' }, 400, 'SerializationException'],
    ['StartExecution without its state machine', { target: 'AWSStepFunctions.StartExecution', body: '{"input":"{}"}' }, 400, 'ValidationException'],
    [
      'StartExecution of a state machine that does not exist',
      { target: 'AWSStepFunctions.StartExecution', body: '{"stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:nope"}' },
      400,
      'StateMachineDoesNotExist',
    ],
    ['PutEvents without entries', { target: 'AWSEvents.PutEvents', body: '{}' }, 400, 'ValidationException'],
    [
      'an invalid event pattern',
      { target: 'AWSEvents.TestEventPattern', body: JSON.stringify({ EventPattern: '{"source": "not-an-array"}', Event: '{}' }) },
      400,
      'InvalidEventPatternException',
    ],
    [
      'an unsigned DynamoDB request',
      { target: 'DynamoDB_20120810.GetItem', body: JSON.stringify({ TableName: 'nope', Key: { pk: { S: 'x' } } }) },
      400,
      'MissingAuthenticationTokenException',
    ],
    ['an unknown CloudWatch operation', { target: 'GraniteServiceVersion20100801.PutDashboard', body: '{}' }, 400, 'UnknownOperationException'],
    [
      'SetAlarmState of an alarm that does not exist',
      { target: 'GraniteServiceVersion20100801.SetAlarmState', body: JSON.stringify({ AlarmName: 'nope', StateValue: 'ALARM', StateReason: 'test' }) },
      404,
      'ResourceNotFound',
    ],
    ['an API nobody serves here', { target: 'AmazonSQS.SendMessage', body: '{}' }, 400, 'UnknownOperationException'],
  ])('%s', async (_what, request, status, code) => {
    // Act
    const response = await raw(request);
    // Assess
    expect(response.status, response.text).toBe(status);
    expect(type(response.text)).toBe(code);
  });

  it('answers a DynamoDB read of a table that does not exist with ResourceNotFoundException', async () => {
    // Act
    const read = aws.dynamodb.send(new GetItemCommand({ TableName: 'nope', Key: { pk: { S: 'x' } } }));
    // Assess
    await expect(read).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('answers Route 53 requests in Route 53 XML errors', async () => {
    // Act
    const malformed = await raw({ path: '/2013-04-01/hostedzone', body: '<CreateHostedZoneRequest><Name>broken' });
    const missing = await raw({ path: '/2013-04-01/hostedzone/ZNOPE', method: 'GET' });
    // Assess
    expect(malformed.status).toBe(400);
    expect(malformed.text).toMatch(/<Code>(MalformedInput|InvalidInput)<\/Code>/);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('<Code>NoSuchHostedZone</Code>');
  });

  it('answers the local control API with clear errors', async () => {
    // Act
    const token = { 'x-switchyard-token': runtime.controlToken };
    const unknown = await raw({ path: '/_switchyard/clusters/north/fail', headers: token });
    const badMode = await raw({ path: '/_switchyard/clusters/east/fail', body: '{"mode":"explode"}', headers: token });
    const wrongMethod = await raw({ path: '/_switchyard/clusters/east/fail', method: 'GET' });
    const nowhere = await raw({ path: '/_switchyard/launch', headers: token });
    // Assess
    expect([unknown.status, JSON.parse(unknown.text).error]).toEqual([404, 'UnknownCluster']);
    expect(JSON.parse(unknown.text).message).toContain('unknown cluster "north" (known: east, west, eu)');
    expect([badMode.status, JSON.parse(badMode.text).error]).toEqual([400, 'InvalidInput']);
    expect(wrongMethod.status).toBe(405);
    expect(nowhere.status).toBe(404);
    expect(runtime.canaries.list().map((c) => c.mode)).toEqual(['healthy', 'healthy', 'healthy']);
  });

  it('keeps serving after all of that', async () => {
    // Act
    const machines = await aws.sfn.send(new ListStateMachinesCommand({}));
    // Assess
    expect(machines.stateMachines?.map((m) => m.name).sort()).toEqual(
      ['DrainCluster', 'Failover', 'OffboardApp', 'OnboardApp', 'Reconcile', 'RecoverOperation', 'RestoreCluster', 'UpgradeGuard'].map(
        (w) => `switchyard-local-${w}`,
      ),
    );
  });
});

describe('start-up failures', () => {
  it('refuses a port in use, naming it, and leaves nothing behind (the state folder can be used at once)', async () => {
    // Prepare
    const folder = await temporaryFolder('port-in-use');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      // Act
      const started = startLocalRuntime({ stateDir: folder.path, port, timeScale: 0.01, onboard: false });
      // Assess
      await expect(started).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await claimStateDir(folder.path);
      await releaseStateDir(folder.path);
    } finally {
      blocker.close();
      await folder.remove();
    }
  });
});

const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore', timeout: 20_000 }).status === 0;

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'AKIDE2E',
          AWS_SECRET_ACCESS_KEY: 'e2e',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_PAGER: '',
          ENDPOINT: runtime.url,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('other clients', () => {
  it.skipIf(!hasAwsCli)(
    'the AWS CLI works against the endpoint unchanged',
    async () => {
      // Act: Route 53 (REST-XML), Step Functions (JSON 1.0), EventBridge (JSON 1.1), DynamoDB, CloudWatch (RPC v2 CBOR)
      const aws = (...args: string[]) => run('aws', ['--endpoint-url', runtime.url, '--output', 'json', ...args]);
      const [zones, machines, pattern, table, alarms] = await Promise.all([
        aws('route53', 'list-hosted-zones'),
        aws('stepfunctions', 'list-state-machines'),
        aws(
          'events',
          'test-event-pattern',
          '--event-pattern',
          '{"source":["aws.cloudwatch"],"detail":{"state":{"value":["ALARM"]}}}',
          '--event',
          JSON.stringify({
            id: '1',
            source: 'aws.cloudwatch',
            'detail-type': 'CloudWatch Alarm State Change',
            account: '000000000000',
            time: '2030-01-01T00:00:00Z',
            region: 'us-east-1',
            resources: [],
            detail: { state: { value: 'ALARM' } },
          }),
        ),
        aws('dynamodb', 'describe-table', '--table-name', 'switchyard-local-state'),
        aws('cloudwatch', 'describe-alarms', '--alarm-name-prefix', 'switchyard-local-switchyard-example-'),
      ]);
      // Assess
      for (const r of [zones, machines, pattern, table, alarms]) expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(zones.stdout).HostedZones.map((z: { Name: string }) => z.Name)).toEqual(['example.com.']);
      expect(JSON.parse(machines.stdout).stateMachines).toHaveLength(8);
      expect(JSON.parse(pattern.stdout).Result).toBe(true);
      expect(JSON.parse(table.stdout).Table.TableStatus).toBe('ACTIVE');
      expect(JSON.parse(alarms.stdout).MetricAlarms.map((a: { AlarmName: string; StateValue: string }) => a.AlarmName)).toEqual(
        ['east', 'eu', 'west'].map((c) => `switchyard-local-switchyard-example-${c}-canary`),
      );
    },
    90_000,
  );

  it.skipIf(!hasBoto3)(
    'boto3 works against the endpoint unchanged, SetAlarmState included',
    async () => {
      // Act: force the east alarm to ALARM as an operator would test it on AWS; the alarm event goes to the bus
      const script = `
import boto3, json, os
kw = dict(endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1')
cw = boto3.client('cloudwatch', **kw)
cw.set_alarm_state(AlarmName='switchyard-local-switchyard-example-east-canary', StateValue='ALARM', StateReason='boto3 test')
alarm = cw.describe_alarms(AlarmNames=['switchyard-local-switchyard-example-east-canary'])['MetricAlarms'][0]
sfn = boto3.client('stepfunctions', **kw)
events = boto3.client('events', **kw)
put = events.put_events(Entries=[{'Source': 'e2e.boto3', 'DetailType': 'Hello', 'Detail': '{}'}])
print(json.dumps({'alarm': alarm['StateValue'], 'reason': alarm['StateReason'], 'updated': alarm['StateUpdatedTimestamp'].year,
  'machines': len(sfn.list_state_machines()['stateMachines']), 'failed': put['FailedEntryCount'],
  'zones': [z['Name'] for z in boto3.client('route53', **kw).list_hosted_zones()['HostedZones']]}))
`;
      const result = await run('python3', ['-c', script]);
      // Assess
      expect(result.code, result.stderr).toBe(0);
      const out = JSON.parse(result.stdout) as Record<string, unknown>;
      // The alarm is evaluated again every (scaled) period and, as on AWS, goes back to OK while
      // the canary is healthy: read back, it is ALARM with our reason or already OK again.
      expect(out).toMatchObject({ machines: 8, failed: 0, zones: ['example.com.'] });
      expect(['ALARM', 'OK']).toContain(out['alarm']);
      if (out['alarm'] === 'ALARM') expect(out['reason']).toBe('boto3 test');
      expect(out['updated']).toBeGreaterThanOrEqual(2020);
      // The forced transition itself is on the default bus (as on AWS; a rule forwards it to
      // Switchyard's bus), once, with the operator's reason.
      const events = runtime.platform.eventBus
        .recentEvents()
        .filter((r) => r.bus === 'default')
        .map((r) => r.event);
      const forced = events.filter((e) => {
        const state = (e.detail as { state?: { value?: string; reason?: string } }).state;
        return e.source === 'aws.cloudwatch' && state?.value === 'ALARM' && state.reason === 'boto3 test';
      });
      expect(forced).toHaveLength(1);
    },
    90_000,
  );
});
