// The fuzz suite of the local endpoint: 2,400 generated malformed and hostile requests
// across Route 53, Step Functions, EventBridge, DynamoDB, CloudWatch and the control API,
// over real HTTP against the runtime running as its own process. Every answer is under
// 500, every refusal carries an AWS error code, nothing hangs, the process lives on, and
// the example zone, the state machines, the state table, the rules, the alarms and the
// canaries are exactly as they were. FUZZ_SEED=<n> replays a run (the seed is printed).
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { ListHealthChecksCommand, ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { DescribeStateMachineCommand, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { cbor } from '@smithy/core/cbor';
import fc from 'fast-check';
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryAlarmName } from '../../src/core/alarm-names.ts';
import { readControlToken } from '../../src/local/runtime/state-dir.ts';
import { LOCAL_STAGE } from '../../src/local/runtime/names.ts';
import { fuzzRequests, type FuzzRequest, type FuzzTargets } from './fuzz-requests.ts';
import { awsClients, OWNER, recordSets, STAGE_PREFIX, startChild, TABLE, temporaryFolder, zoneId, type AwsClients, type ChildRuntime } from './helpers.ts';

const RUNS = 2_400;
const SEED = process.env.FUZZ_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED);
/** A request unanswered this long is a hang. */
const HANG_MS = 60_000;

let folder: { path: string; remove(): Promise<void> };
let child: ChildRuntime;
let aws: AwsClients;
let events: EventBridgeClient;
let targets: FuzzTargets;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

beforeAll(async () => {
  folder = await temporaryFolder('fuzz');
  // Any free DNS port: the default one (4567) may be taken by another runtime under test.
  child = await startChild(['--state', folder.path]);
  aws = awsClients(child.url);
  events = new EventBridgeClient({ endpoint: child.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDFUZZ', secretAccessKey: 'fuzz' } });
  const zone = await zoneId(aws.route53);
  const checks = await aws.route53.send(new ListHealthChecksCommand({}));
  const rules = await events.send(new ListRulesCommand({ EventBusName: `${STAGE_PREFIX}bus` }));
  targets = {
    port: Number(new URL(child.url).port),
    token: (await readControlToken(folder.path)) ?? '',
    zoneId: zone,
    healthCheckId: checks.HealthChecks![0]!.Id!,
    recordName: 'shop.example.com.',
    stateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:${STAGE_PREFIX}UpgradeGuard`,
    ruleName: rules.Rules![0]!.Name!,
    busName: `${STAGE_PREFIX}bus`,
    table: TABLE,
    alarmName: canaryAlarmName({ stage: LOCAL_STAGE, ownerId: OWNER }, 'east'),
    cluster: 'eu',
  };
}, 180_000);

afterAll(async () => {
  agent.destroy();
  events?.destroy();
  aws?.destroy();
  await child?.stop();
  await folder?.remove();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(url: string, r: FuzzRequest): Promise<Answer> {
  const { hostname, port } = new URL(url);
  const headers = { host: `127.0.0.1:${port}`, ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method: r.method, path: r.path, headers, setHost: false, agent, timeout: HANG_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${HANG_MS} ms (a hang)`)));
    req.on('error', reject);
    req.end(r.body);
  });
}

/** The AWS error code an answer carries, in whichever format its service speaks. */
function errorCode(answer: Answer): string | undefined {
  const header = answer.headers['x-amzn-errortype'] ?? answer.headers['x-amzn-query-error'];
  if (typeof header === 'string' && header !== '') return header.split(/[:;]/)[0];
  const text = answer.body.toString('utf8');
  const xml = /<Code>([^<]+)<\/Code>/.exec(text);
  if (xml) return xml[1];
  try {
    const json = JSON.parse(text) as { __type?: unknown; error?: unknown };
    const code = json.__type ?? json.error;
    if (typeof code === 'string' && code !== '') return code.split('#').pop();
  } catch {
    // not JSON
  }
  try {
    const decoded = cbor.deserialize(new Uint8Array(answer.body)) as { __type?: unknown };
    if (typeof decoded?.__type === 'string') return decoded.__type.split('#').pop();
  } catch {
    // not CBOR
  }
  return undefined;
}

function serviceOf(r: FuzzRequest): string {
  if (r.path.startsWith('/2013-04-01') || r.path.includes('/2013-04-01/')) return 'route53';
  if (r.path.startsWith('/_switchyard')) return 'control';
  if (r.path.startsWith('/service/GraniteServiceVersion20100801')) return 'cloudwatch';
  const target = r.headers['x-amz-target'] ?? '';
  if (target.startsWith('AWSStepFunctions.')) return 'stepfunctions';
  if (target.startsWith('AWSEvents.')) return 'eventbridge';
  if (target.startsWith('DynamoDB_20120810.')) return 'dynamodb';
  if (target.startsWith('GraniteServiceVersion20100801.')) return 'cloudwatch';
  return 'other';
}

/** Everything the fuzz must not change, as the AWS APIs and the control API report it. */
async function snapshot(): Promise<Record<string, unknown>> {
  const zones = (await aws.route53.send(new ListHostedZonesCommand({}))).HostedZones;
  const records = await recordSets(aws.route53, targets.zoneId);
  const healthChecks = (await aws.route53.send(new ListHealthChecksCommand({}))).HealthChecks?.map(
    ({ Id, CallerReference, HealthCheckConfig, HealthCheckVersion }) => ({ Id, CallerReference, HealthCheckConfig, HealthCheckVersion }),
  );
  const machines = await Promise.all(
    ((await aws.sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? []).map(async (m) => {
      const { $metadata: _, ...described } = await aws.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: m.stateMachineArn! }));
      return described;
    }),
  );
  const table: unknown[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await aws.dynamodb.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start as never } : {}) }));
    table.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const rules: unknown[] = [];
  for (const bus of ['default', targets.busName]) {
    for (const rule of (await events.send(new ListRulesCommand({ EventBusName: bus }))).Rules ?? []) {
      const ruleTargets = (await events.send(new ListTargetsByRuleCommand({ Rule: rule.Name!, EventBusName: bus }))).Targets;
      rules.push({ ...rule, targets: ruleTargets });
    }
  }
  const alarms = ((await aws.cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).map((a) => ({ name: a.AlarmName, state: a.StateValue }));
  const status = (await (await fetch(`${child.url}/_switchyard/status`)).json()) as { canaries: Array<{ cluster: string; mode: string }> };
  // (The canaries count the health checks' probes: only their modes are state.)
  const canaries = status.canaries.map(({ cluster, mode }) => ({ cluster, mode }));
  return { zones, records, healthChecks, machines, table, rules, alarms, canaries };
}

describe(`fuzzing the local endpoint (${RUNS} requests, seed ${SEED})`, () => {
  it('answers every malformed or hostile request with a 4xx and an AWS error code, and changes nothing', async () => {
    // Prepare
    console.log(`fuzz: seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    const before = await snapshot();
    const perService = new Map<string, number>();
    const statuses = new Map<number, number>();
    let sent = 0;

    // Act + Assess, request by request
    await fc.assert(
      fc.asyncProperty(fuzzRequests(targets), async (r) => {
        sent += 1;
        perService.set(serviceOf(r), (perService.get(serviceOf(r)) ?? 0) + 1);
        const answer = await send(child.url, r);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const shown = `${r.kind}: ${r.method} ${r.path} ${JSON.stringify(r.headers)} ${String(r.body).slice(0, 300)} → ${answer.status} ${answer.body.toString('utf8').slice(0, 400)}`;
        expect(answer.status, shown).toBeGreaterThanOrEqual(200);
        expect(answer.status, shown).toBeLessThan(500);
        if (r.expect === 'forbidden') expect(answer.status, shown).toBe(403);
        if (r.expect === 'refused') expect(answer.status, shown).toBeGreaterThanOrEqual(400);
        if (answer.status >= 400) expect(errorCode(answer), shown).toMatch(/^[A-Za-z][A-Za-z0-9.]+$/);
        expect(child.child.exitCode, `the runtime exited after ${shown}\n${child.output()}`).toBeNull();
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    const after = await snapshot();

    // Assess: the runtime lives, every service was fuzzed, nothing changed
    console.log(
      `fuzz: ${sent} requests; by service ${JSON.stringify(Object.fromEntries(perService))}; by status ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(child.child.exitCode).toBeNull();
    expect(sent).toBeGreaterThanOrEqual(2_000);
    for (const service of ['route53', 'stepfunctions', 'eventbridge', 'dynamodb', 'cloudwatch', 'control'])
      expect(perService.get(service) ?? 0, service).toBeGreaterThanOrEqual(150);
    for (const part of Object.keys(before)) expect(JSON.stringify(after[part], null, 1), part).toBe(JSON.stringify(before[part], null, 1));
  }, 900_000);
});
