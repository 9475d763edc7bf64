// Runs the real workflows/*.asl.json with aws-local-stepfunctions (through the local
// runner) against the real task handlers, a DynamoDB state table on dynalite and
// Route 53 behind the Route53Port (the in-memory FakeRoute53 with Route 53's change
// semantics). Waits are scaled to 0; health is set by the test.
import { readFileSync } from 'node:fs';
import { parseFleetConfig, type FleetConfig } from '../../src/core/config.ts';
import type { HealthState, HostedZone, PublishedEndpoint, RecordSet } from '../../src/core/model.ts';
import { appsTakenOut, effectiveIntents } from '../../src/core/fleet-document.ts';
import { compileWorkflow, type PutEventsRequestEntry, type Workflow, type WorkflowOutcome, type WorkflowRun } from '@switchyard/local-aws/stepfunctions';
import type { StateTable } from '../../src/core/ports.ts';
import type { AlarmStatesPort, Deps, EndpointSource, EksPort, ExecutionsPort, HealthSource, WorkflowName, WorkflowStarter } from '../../src/core/ports.ts';
import { route53Dns } from '../../src/app/dns/route53-dns.ts';
import type { Route53Port } from '../../src/core/ports.ts';
import type { HealthView } from '../../src/core/safety.ts';
import { createTasks, type Task } from '../../src/app/tasks/index.ts';
import { FakeRoute53 } from '../unit/aws/helpers/fake-route53.ts';
import { exampleEndpoints } from '../unit/aws/helpers/example-fleet.ts';
import type { TestDynamo } from '../support/workflows/dynalite.ts';

export const ZONE = { id: 'ZEXAMPLE', name: 'example.com.' };
/** The stage the handlers run as: its alarms are `switchyard-dev-<ownerId>-<cluster>...`. */
export const STAGE = 'dev';

export function testFleet(safety: Record<string, unknown> = {}, extra = ''): FleetConfig {
  const text = readFileSync('examples/fleet/fleet.yaml', 'utf8');
  const fleet = parseFleetConfig(text + extra, 'examples/fleet/fleet.yaml');
  return { ...fleet, safety: { ...fleet.safety, ...safety } };
}

export interface HarnessOptions {
  fleet?: FleetConfig;
  endpoints?: PublishedEndpoint[];
  health?: Record<string, HealthState>;
  /** Override individual tasks (fault injection); the rest are the real ones. */
  wrap?: (name: string, task: Task) => Task;
  eks?: EksPort;
  workflows?: WorkflowStarter;
  /** DescribeExecution for recovery (RecoverOperation, Reconcile). */
  executions?: ExecutionsPort;
  /** Instead of a fresh dynalite table. */
  table?: StateTable;
  discovery?: EndpointSource;
  /** CloudWatch's alarm states, for Reconcile's re-read (absent: none). */
  alarms?: AlarmStatesPort;
  /** Catalogue and Route 53 start empty (for onboarding tests). */
  empty?: boolean;
  /** Each Route 53 call waits up to this many ms (random) before and after, so concurrent workflows interleave as on AWS. */
  route53LatencyMs?: number;
  /** The stage the handlers run as (default STAGE). */
  stage?: string;
  /** Hosted zones of the in-memory Route 53 (default: ZONE only). */
  zones?: HostedZone[];
  /** Route 53 to use instead of the in-memory fake (e.g. the local Route 53 through the SDK adapter); `route53`, `weight` and `records` then still read the unused fake. */
  route53Port?: Route53Port;
}

export interface Harness {
  fleet: FleetConfig;
  table: StateTable;
  route53: FakeRoute53;
  deps: Deps;
  health: HealthView;
  events: PutEventsRequestEntry[];
  run(workflow: WorkflowName, input: unknown, name?: string): Promise<WorkflowOutcome>;
  /** Starts a run and hands it back (to stop it, as StopExecution does). */
  start(workflow: WorkflowName, input: unknown, name: string): WorkflowRun;
  /** Route 53 weight of a cluster's A record for an app (undefined: no weighted record). */
  weight(hostname: string, cluster: string): number | undefined;
  records(hostname: string): RecordSet[];
  eventsOf(detailType: string): Array<Record<string, unknown>>;
}

let executions = 0;

/** The port with a random delay around every call (the fake answers at once otherwise). */
export function withLatency(port: Route53Port, maxMs: number): Route53Port {
  const pause = () => new Promise<void>((resolve) => setTimeout(resolve, Math.floor(Math.random() * (maxMs + 1))));
  return new Proxy(port, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await pause();
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        await pause();
        return result;
      };
    },
  });
}

/** Compiles workflows/<Name>.asl.json once per name, with waits scaled to 0 and events collected. */
export function workflowCompiler(handlers: Record<string, Task>, events: PutEventsRequestEntry[]): (name: WorkflowName) => Workflow {
  const compiled = new Map<string, Workflow>();
  return (name) => {
    let w = compiled.get(name);
    if (!w) {
      const definition = JSON.parse(readFileSync(`workflows/${name}.asl.json`, 'utf8'));
      w = compileWorkflow(definition, {
        handlers,
        waitScale: 0,
        label: name,
        eventBusName: 'switchyard-test',
        putEvents: async (entries) => {
          events.push(...entries);
          return { Entries: entries.map((_, i) => ({ EventId: `e${events.length + i}` })), FailedEntryCount: 0 };
        },
      });
      compiled.set(name, w);
    }
    return w;
  };
}

/** A CloudWatch "Alarm State Change" event as EventBridge delivers it. */
export function alarmEvent(name: string, value: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA', timestamp: string) {
  return {
    version: '0',
    id: `evt-${name}-${value}-${timestamp}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: timestamp,
    region: 'us-east-1',
    resources: [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`],
    detail: {
      alarmName: name,
      state: { value, reason: `Threshold Crossed: canary ${value}`, timestamp },
      previousState: { value: value === 'OK' ? 'ALARM' : 'OK' },
    },
  };
}

export function executionArnOf(workflow: string, name: string): string {
  return `arn:aws:states:us-east-1:000000000000:execution:${workflow}:${name}`;
}

export async function createHarness(dynamo: TestDynamo, options: HarnessOptions = {}): Promise<Harness> {
  const fleet = options.fleet ?? testFleet();
  const endpoints = options.endpoints ?? exampleEndpoints(fleet);
  const table = options.table ?? (await dynamo.newTable());
  const route53 = new FakeRoute53(options.zones ?? [ZONE]);
  route53.pollsUntilInsync = 1;
  const dns = route53Dns({ fleet, route53: options.route53Port ?? (options.route53LatencyMs ? withLatency(route53, options.route53LatencyMs) : route53) });
  const health: HealthView = { clusters: options.health ?? Object.fromEntries(fleet.clusters.map((c) => [c.name, 'HEALTHY' as const])), apps: {} };
  const healthSource: HealthSource = { snapshot: async () => structuredClone(health) };
  const unused = () => {
    throw new Error('not used in this test');
  };
  const deps: Deps = {
    fleet,
    stage: options.stage ?? STAGE,
    table,
    dns,
    health: healthSource,
    workflows: options.workflows ?? { start: unused, workflowOf: unused },
    executions: options.executions ?? { describe: unused },
    eks: options.eks ?? { describeUpdate: unused },
    clock: { now: () => new Date() },
    ...(options.discovery ? { discovery: options.discovery } : {}),
    ...(options.alarms ? { alarms: options.alarms } : {}),
  };
  const hostnames = options.empty ? [] : [...new Set(endpoints.map((e) => e.hostname))].sort();
  for (const hostname of hostnames) {
    await table.putApp({ hostname, endpoints: endpoints.filter((e) => e.hostname === hostname), updatedAt: new Date().toISOString() });
  }
  const state = await table.readFleet();
  if (!options.empty)
    await dns.apply({
      endpoints,
      intents: effectiveIntents(
        state,
        fleet.clusters.map((c) => c.name),
      ),
      appsOut: appsTakenOut(state),
      reason: 'test setup',
    });
  route53.batches.length = 0;
  route53.calls.length = 0;

  const tasks = createTasks(deps);
  const handlers = Object.fromEntries(Object.entries(tasks).map(([name, task]) => [name, options.wrap ? options.wrap(name, task) : task]));
  const events: PutEventsRequestEntry[] = [];
  const workflow = workflowCompiler(handlers, events);
  const weightOf = (hostname: string, cluster: string) =>
    (route53.records.get(ZONE.id) ?? []).find((r) => r.name === `${hostname}.` && r.setIdentifier === cluster && r.type === 'A')?.weight;
  return {
    fleet,
    table,
    route53,
    deps,
    health,
    events,
    run: (name, input, executionName) => {
      const exec = executionName ?? `${name.toLowerCase()}-${++executions}`;
      return workflow(name).start(input, { name: exec, executionArn: executionArnOf(name, exec) }).outcome;
    },
    start: (name, input, executionName) => workflow(name).start(input, { name: executionName, executionArn: executionArnOf(name, executionName) }),
    weight: weightOf,
    records: (hostname) => (route53.records.get(ZONE.id) ?? []).filter((r) => r.name === `${hostname}.`),
    eventsOf: (detailType) => events.filter((e) => e.DetailType === detailType).map((e) => JSON.parse(e.Detail ?? '{}') as Record<string, unknown>),
  };
}
