// Local platform benchmarks:
// 1. event routing: how many events per second the local bus matches against 50 rules
//    shaped like Switchyard's (source + detail-type + detail filters, prefix, numeric,
//    anything-but, $or) — the bus must never be what slows a local rehearsal down;
// 2. workflow latency: one drain-shaped run (Lambda Task, Map over 3 clusters, Choice,
//    Wait scaled to zero, putEvents) with aws-local-stepfunctions and in-process handlers;
// 3. Step Functions over HTTP: StartExecution → execution done → DescribeExecution,
//    through the loopback endpoint with the real SDK v3 client.
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { startEndpoint } from '@switchyard/local-aws';
import { compilePattern, FlattenedEvent } from '@switchyard/local-aws/eventbridge';
import { LocalStepFunctions } from '@switchyard/local-aws/stepfunctions';
import { compileWorkflow } from '@switchyard/local-aws/stepfunctions';
import { stepFunctionsService } from '@switchyard/local-aws/stepfunctions';

const RULES = 50;
const EVENTS = 20_000;
const RUNS = 200;
const TARGET_EVENTS_PER_SECOND = 5_000; // a local rehearsal sends far fewer; measured ~27,000 on the 2-core machine
const TARGET_WORKFLOW_P50_MS = 50;
const TARGET_HTTP_P50_MS = 100;

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

function patterns(): ReturnType<typeof compilePattern>[] {
  const detailTypes = ['Gateway Published', 'Gateway Withdrawn', 'Cluster Drained', 'Cluster Restored', 'CloudWatch Alarm State Change'];
  return Array.from({ length: RULES }, (_, i) =>
    compilePattern({
      source: i % 5 === 4 ? ['aws.cloudwatch'] : ['switchyard'],
      'detail-type': [detailTypes[i % detailTypes.length]!],
      detail: {
        $or: [{ cluster: [`cluster-${i % 7}`] }, { hostname: [{ prefix: `app-${i % 10}` }] }],
        weight: [{ numeric: ['>=', 0, '<', 256] }],
        state: [{ 'anything-but': ['DRAINED'] }],
      },
    }),
  );
}

function events(): unknown[] {
  return Array.from({ length: EVENTS }, (_, i) => ({
    version: '0',
    id: String(i),
    'detail-type': ['Gateway Published', 'Cluster Drained', 'CloudWatch Alarm State Change'][i % 3],
    source: i % 3 === 2 ? 'aws.cloudwatch' : 'switchyard',
    account: '000000000000',
    time: '2030-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { hostname: `app-${i % 1000}.example.com`, cluster: `cluster-${i % 9}`, weight: i % 300, state: i % 4 === 0 ? 'DRAINED' : 'ACTIVE' },
  }));
}

function routingBench(): { eventsPerSecond: number; matches: number } {
  const compiled = patterns();
  const batch = events();
  let matches = 0;
  const started = performance.now();
  // As the bus routes: each event flattened once, then matched against every rule.
  for (const event of batch) {
    const flat = new FlattenedEvent(event);
    for (const pattern of compiled) if (pattern.matches(flat)) matches += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  return { eventsPerSecond: Math.round(EVENTS / seconds), matches };
}

const DRAIN = {
  StartAt: 'Check',
  States: {
    Check: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: '${check}', 'Payload.$': '$' },
      ResultSelector: { 'ok.$': '$.Payload.ok' },
      ResultPath: '$.check',
      Next: 'Safe?',
    },
    'Safe?': { Type: 'Choice', Choices: [{ Variable: '$.check.ok', BooleanEquals: true, Next: 'Steps' }], Default: 'Unsafe' },
    Unsafe: { Type: 'Fail', Error: 'DrainUnsafe' },
    Steps: {
      Type: 'Map',
      ItemsPath: '$.clusters',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Weigh',
        States: {
          Weigh: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: '${weigh}', 'Payload.$': '$' },
            OutputPath: '$.Payload',
            End: true,
          },
        },
      },
      ResultPath: '$.weights',
      Next: 'Bake',
    },
    Bake: { Type: 'Wait', SecondsPath: '$.bakeSeconds', Next: 'Announce' },
    Announce: {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: { Entries: [{ Source: 'switchyard', DetailType: 'Cluster Drained', 'Detail.$': '$.weights' }] },
      ResultPath: null,
      End: true,
    },
  },
};

const handlers = {
  check: async () => ({ ok: true }),
  weigh: async (cluster: string) => ({ cluster, weight: 0 }),
};
const putEvents = async (entries: unknown[]) => ({ Entries: entries.map((_, i) => ({ EventId: String(i) })), FailedEntryCount: 0 });

async function workflowBench(): Promise<{ buildMs: number; p50Ms: number; p95Ms: number }> {
  const built = performance.now();
  const workflow = compileWorkflow(DRAIN, { handlers, putEvents, waitScale: 0 });
  const buildMs = performance.now() - built;
  const input = { clusters: ['east', 'west', 'eu'], bakeSeconds: 60 };
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const outcome = await workflow.start(input).outcome;
    times.push(performance.now() - started);
    if (outcome.status !== 'SUCCEEDED') throw new Error(`workflow run ended ${outcome.status}: ${outcome.error ?? ''} ${outcome.cause ?? ''}`);
  }
  return { buildMs: round(buildMs), p50Ms: round(percentile(times, 0.5), 2), p95Ms: round(percentile(times, 0.95), 2) };
}

async function httpBench(): Promise<{ p50Ms: number; p95Ms: number }> {
  const engine = await LocalStepFunctions.open({ handlers, putEvents, waitScale: 0 });
  const endpoint = await startEndpoint({ port: 0, services: [stepFunctionsService(engine)] });
  const client = new SFNClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' } });
  try {
    const { stateMachineArn } = engine.createStateMachine({
      name: 'Drain',
      definition: JSON.stringify(DRAIN),
      roleArn: 'arn:aws:iam::000000000000:role/local',
    });
    const times: number[] = [];
    for (let i = 0; i < RUNS / 4; i++) {
      const started = performance.now();
      const { executionArn } = await client.send(
        new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ clusters: ['east', 'west', 'eu'], bakeSeconds: 60 }) }),
      );
      await engine.waitForExecution(executionArn!);
      const described = await client.send(new DescribeExecutionCommand({ executionArn }));
      times.push(performance.now() - started);
      if (described.status !== 'SUCCEEDED') throw new Error(`execution ended ${described.status}`);
    }
    return { p50Ms: round(percentile(times, 0.5), 2), p95Ms: round(percentile(times, 0.95), 2) };
  } finally {
    client.destroy();
    await endpoint.close();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const routing = routingBench();
  const workflow = await workflowBench();
  const http = await httpBench();
  return {
    routing: { rules: RULES, events: EVENTS, ...routing },
    workflow: { runs: RUNS, ...workflow },
    stepFunctionsHttp: http,
    targets: [
      {
        name: `event routing against ${RULES} rules: events/second`,
        target: `>= ${TARGET_EVENTS_PER_SECOND}`,
        actual: routing.eventsPerSecond,
        pass: routing.eventsPerSecond >= TARGET_EVENTS_PER_SECOND,
      },
      {
        name: 'drain-shaped workflow run (in process): p50 ms',
        target: `< ${TARGET_WORKFLOW_P50_MS}`,
        actual: workflow.p50Ms,
        pass: workflow.p50Ms < TARGET_WORKFLOW_P50_MS,
      },
      {
        name: 'StartExecution to DescribeExecution SUCCEEDED over HTTP: p50 ms',
        target: `< ${TARGET_HTTP_P50_MS}`,
        actual: http.p50Ms,
        pass: http.p50Ms < TARGET_HTTP_P50_MS,
      },
    ],
  };
}
