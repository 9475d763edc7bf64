// End-to-end helpers: the local runtime (in process, or as a real child process), and the
// only ways the tests touch it — AWS SDK v3 clients on its endpoint and the CLI.
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  ListHealthChecksCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourcesCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canaryAlarmName } from '../../src/core/alarm-names.ts';
import { LOCAL_STAGE } from '../../src/local/runtime/names.ts';

export const NODE = process.execPath;
export const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
/** Every wait of the runtime × this: a 10 s health-check interval is 100 ms, a 300 s hold-down 3 s. */
export const TIME_SCALE = 0.01;
export const STAGE_PREFIX = 'switchyard-local-';
export const TABLE = 'switchyard-local-state';
export const OWNER = 'switchyard-example';

export async function temporaryFolder(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `switchyard-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface AwsClients {
  route53: Route53Client;
  sfn: SFNClient;
  dynamodb: DynamoDBClient;
  cloudwatch: CloudWatchClient;
  destroy(): void;
}

export function awsClients(url: string): AwsClients {
  const config = { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDE2E', secretAccessKey: 'e2e-secret' } };
  const clients = {
    route53: new Route53Client(config),
    sfn: new SFNClient(config),
    dynamodb: new DynamoDBClient(config),
    cloudwatch: new CloudWatchClient(config),
  };
  return { ...clients, destroy: () => Object.values(clients).forEach((c) => c.destroy()) };
}

/** Polls until `check` returns a value that is not undefined/false, or fails naming what it waited for. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 120_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function zoneId(route53: Route53Client, name = 'example.com.'): Promise<string> {
  const out = await route53.send(new ListHostedZonesByNameCommand({ DNSName: name, MaxItems: 1 }));
  const zone = out.HostedZones?.find((z) => z.Name === name);
  if (!zone?.Id) throw new Error(`no hosted zone ${name}`);
  return zone.Id.replace('/hostedzone/', '');
}

/** Every record set of the zone, all pages. */
export async function recordSets(route53: Route53Client, zone: string): Promise<ResourceRecordSet[]> {
  const sets: ResourceRecordSet[] = [];
  let start: { StartRecordName?: string; StartRecordType?: ResourceRecordSet['Type']; StartRecordIdentifier?: string } = {};
  for (;;) {
    const out = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, ...start }));
    sets.push(...(out.ResourceRecordSets ?? []));
    if (!out.IsTruncated) return sets;
    start = {
      StartRecordName: out.NextRecordName,
      StartRecordType: out.NextRecordType,
      ...(out.NextRecordIdentifier ? { StartRecordIdentifier: out.NextRecordIdentifier } : {}),
    };
  }
}

export function aRecord(sets: readonly ResourceRecordSet[], name: string, cluster: string): ResourceRecordSet | undefined {
  return sets.find((s) => s.Name === `${name}.` && s.Type === 'A' && s.SetIdentifier === cluster);
}

/** The health checks tagged with the fleet's owner (the ones Switchyard's DNS sync owns), with their tags. */
export async function ownedHealthChecks(
  route53: Route53Client,
): Promise<Array<{ id: string; fqdn?: string; port?: number; path?: string; type?: string; interval?: number; threshold?: number; cluster?: string }>> {
  const out = await route53.send(new ListHealthChecksCommand({}));
  const checks = out.HealthChecks ?? [];
  const tags = new Map<string, Array<{ Key?: string; Value?: string }>>();
  for (let i = 0; i < checks.length; i += 10) {
    const chunk = checks.slice(i, i + 10).map((c) => c.Id!);
    const t = await route53.send(new ListTagsForResourcesCommand({ ResourceType: 'healthcheck', ResourceIds: chunk }));
    for (const set of t.ResourceTagSets ?? []) tags.set(set.ResourceId!, set.Tags ?? []);
  }
  return checks
    .filter((c) => tags.get(c.Id!)?.some((t) => t.Key === 'switchyard:owner' && t.Value === OWNER))
    .map((c) => ({
      id: c.Id!,
      fqdn: c.HealthCheckConfig?.FullyQualifiedDomainName,
      port: c.HealthCheckConfig?.Port,
      path: c.HealthCheckConfig?.ResourcePath,
      type: c.HealthCheckConfig?.Type,
      interval: c.HealthCheckConfig?.RequestInterval,
      threshold: c.HealthCheckConfig?.FailureThreshold,
      cluster: tags.get(c.Id!)?.find((t) => t.Key === 'switchyard:cluster')?.Value,
    }));
}

export function stateMachineArn(workflow: string): string {
  return `arn:aws:states:us-east-1:000000000000:stateMachine:${STAGE_PREFIX}${workflow}`;
}

export async function startExecution(sfn: SFNClient, workflow: string, input: unknown, name?: string): Promise<string> {
  const out = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: stateMachineArn(workflow), input: JSON.stringify(input), ...(name ? { name } : {}) }),
  );
  return out.executionArn!;
}

/** Waits for the execution to end; returns its status, error and cause. */
export async function executionResult(
  sfn: SFNClient,
  executionArn: string,
  timeoutMs = 120_000,
): Promise<{ status: string; error?: string; cause?: string; output?: string }> {
  return waitFor(
    `execution ${executionArn} to end`,
    async () => {
      const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return out.status === 'RUNNING'
        ? undefined
        : {
            status: out.status!,
            ...(out.error ? { error: out.error } : {}),
            ...(out.cause ? { cause: out.cause } : {}),
            ...(out.output ? { output: out.output } : {}),
          };
    },
    timeoutMs,
  );
}

export async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const out = await sfn.send(new GetExecutionHistoryCommand({ executionArn, ...(nextToken ? { nextToken } : {}) }));
    events.push(...(out.events ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return events;
}

/** The outputs of a workflow's Task states named `state`, in order (from the execution history). */
export async function taskOutputs(sfn: SFNClient, executionArn: string, state: string): Promise<unknown[]> {
  return (await history(sfn, executionArn))
    .filter((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === state)
    .map((e) => JSON.parse(e.stateExitedEventDetails?.output ?? 'null') as unknown);
}

export async function executions(sfn: SFNClient, workflow: string): Promise<Array<{ name: string; status: string; executionArn: string }>> {
  const out = await sfn.send(new ListExecutionsCommand({ stateMachineArn: stateMachineArn(workflow), maxResults: 1000 }));
  return (out.executions ?? []).map((e) => ({ name: e.name!, status: e.status!, executionArn: e.executionArn! }));
}

/** The fleet document (intents, locks, failover marks) from the state table, with GetItem. */
export async function fleetDocument(dynamodb: DynamoDBClient): Promise<{
  version: number;
  intents: Record<string, { state: string; weightPercent: number }>;
  locks: Record<string, unknown>;
  failovers: Record<string, unknown>;
}> {
  const out = await DynamoDBDocumentClient.from(dynamodb).send(new GetCommand({ TableName: TABLE, Key: { pk: 'FLEET', sk: 'STATE' }, ConsistentRead: true }));
  const item = (out.Item ?? {}) as Record<string, unknown>;
  return {
    version: (item['version'] as number | undefined) ?? 0,
    intents: (item['intents'] as Record<string, { state: string; weightPercent: number }> | undefined) ?? {},
    locks: (item['locks'] as Record<string, unknown> | undefined) ?? {},
    failovers: (item['failovers'] as Record<string, unknown> | undefined) ?? {},
  };
}

export async function alarmState(cloudwatch: CloudWatchClient, cluster: string): Promise<string | undefined> {
  const name = canaryAlarmName({ stage: LOCAL_STAGE, ownerId: OWNER }, cluster);
  const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return out.MetricAlarms?.[0]?.StateValue;
}

/**
 * Runs the CLI's `main(args)` in this process (what `switchyard <args>` runs, without the
 * cost of starting Node), capturing what it writes. One at a time.
 */
export async function runCliHere(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../src/cli/main.ts');
  let stdout = '';
  let stderr = '';
  const saved = { out: process.stdout.write, err: process.stderr.write, log: console.log, error: console.error, exitCode: process.exitCode };
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  console.log = (...parts: unknown[]) => void (stdout += `${parts.map(String).join(' ')}\n`);
  console.error = (...parts: unknown[]) => void (stderr += `${parts.map(String).join(' ')}\n`);
  process.exitCode = undefined;
  try {
    const code = await main([...args]);
    return { code, stdout, stderr };
  } finally {
    Object.assign(process.stdout, { write: saved.out });
    Object.assign(process.stderr, { write: saved.err });
    console.log = saved.log;
    console.error = saved.error;
    process.exitCode = saved.exitCode;
  }
}

export interface ChildRuntime {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (kill -9) and wait until it is gone. */
  kill(): Promise<void>;
}

/** `node src/cli/main.ts local --port 0 ...` as a real process; resolves once it printed SWITCHYARD_READY. */
export function startChild(args: readonly string[], timeoutMs = 90_000): Promise<ChildRuntime> {
  const child = spawn(NODE, [CLI, 'local', '--port', '0', '--dns-port', '0', '--quiet', '--time-scale', String(TIME_SCALE), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the runtime did not get ready in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      const ready = /^SWITCHYARD_READY=(\S+)$/m.exec(out);
      if (!ready) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({
        url: ready[1]!,
        child,
        output: () => out,
        stop: async () => {
          child.kill('SIGTERM');
          return exited;
        },
        kill: async () => {
          child.kill('SIGKILL');
          await exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the runtime exited (${code}) before it was ready:\n${out}`));
    });
  });
}

/** The A addresses the runtime's DNS server answers for `name`, asked `times` times over UDP (dig's question). */
export async function dnsAnswers(port: number, name: string, times = 1): Promise<string[]> {
  const { default: dnsPacket } = await import('dns-packet');
  const { createSocket } = await import('node:dgram');
  const socket = createSocket('udp4');
  const answers: string[] = [];
  try {
    for (let i = 0; i < times; i++) {
      const reply = await new Promise<Buffer>((resolve, reject) => {
        socket.once('message', resolve);
        socket.once('error', reject);
        socket.send(dnsPacket.encode({ type: 'query', id: i, questions: [{ type: 'A', name, class: 'IN' }] }), port, '127.0.0.1');
      });
      for (const answer of dnsPacket.decode(reply).answers ?? []) if (answer.type === 'A') answers.push(answer.data);
    }
  } finally {
    socket.close();
  }
  return answers;
}
