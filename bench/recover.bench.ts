// Recovery of a stopped drain on the local runtime: from StopExecution (the AWS API call an
// operator makes in the middle of a drain) to the cluster rolled back and unlocked in the
// state table with its Route 53 weight back. The path measured is the one AWS takes: the
// "Execution Status Change" event on the default bus, the forwarding rule, the router, the
// RecoverOperation workflow and its rollback. Route 53's PENDING → INSYNC delay is zero and
// RecoverOperation has no Wait state; only the drain's own bake is kept (waitScale 0.01,
// bake 600 s → about 6 s) so that it can be stopped half-way. Target: median under 2 s.
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { normalizeName } from '../src/core/dns-names.ts';
import { startLocalRuntime, type LocalRuntime } from '../src/local/runtime/runtime.ts';
import { percentile } from './lib/stats.ts';

const ROUNDS = 5;
const TARGET_MS = 2000;
/** Polling only finds the moment; at 5 ms it adds at most that to a figure of hundreds of ms. */
const POLL_MS = 5;

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, POLL_MS))) {
    const value = await check();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function eastWeight(runtime: LocalRuntime): Promise<number | undefined> {
  const zones = await runtime.clients.route53.listHostedZones();
  const records = await runtime.clients.route53.listRecordSets(zones[0]!.id);
  return records.find((r) => normalizeName(r.name) === 'shop.example.com.' && r.setIdentifier === 'east' && r.type === 'A')?.weight;
}

/** One round: drain east to 50 %, stop it, time until east is ACTIVE at 100 %, unlocked, weight 100 in Route 53. */
async function stopToRecovered(runtime: LocalRuntime, sfn: SFNClient, round: number): Promise<number> {
  const out = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: runtime.names.stateMachineArn('DrainCluster'),
      name: `bench-stop-${round}-${Date.now()}`,
      input: JSON.stringify({ cluster: 'east', reason: 'bench: stopped half-way', steps: [50, 0], bakeSeconds: 600 }),
    }),
  );
  const drain = out.executionArn!;
  await until('the first drain step', async () => {
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: drain, maxResults: 1000 }));
    return history.events?.some((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'ApplyWeights') ? true : undefined;
  });
  if ((await eastWeight(runtime)) !== 50) throw new Error('east is not at 50 % after the first drain step');
  const stoppedAt = performance.now();
  await sfn.send(new StopExecutionCommand({ executionArn: drain, error: 'OperatorAbort', cause: 'bench' }));
  await until('east rolled back and unlocked', async () => {
    const state = await runtime.deps.table.readFleet();
    const intent = state.intents['east'];
    if (state.locks['east'] !== undefined || intent?.state !== 'ACTIVE' || intent.weightPercent !== 100) return undefined;
    return (await eastWeight(runtime)) === 100 ? true : undefined;
  });
  const ms = performance.now() - stoppedAt;
  const stopped = await sfn.send(new DescribeExecutionCommand({ executionArn: drain }));
  if (stopped.status !== 'ABORTED') throw new Error(`the drain ended ${stopped.status}, not ABORTED`);
  return Math.round(ms * 10) / 10;
}

export async function run(): Promise<Record<string, unknown>> {
  const runtime = await startLocalRuntime({ stateDir: null, port: 0, waitScale: 0.01, insyncDelayMs: 0, healthCheckTimeScale: 0.01, discoverEveryMs: 0 });
  const sfn = new SFNClient({ endpoint: runtime.url, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  try {
    const runs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await stopToRecovered(runtime, sfn, i));
    const median = percentile(runs, 0.5);
    return {
      stopToRecovered: { rounds: ROUNDS, medianMs: median, maxMs: Math.max(...runs), runsMs: runs },
      targets: [
        {
          name: 'StopExecution mid-drain to rolled back and unlocked, waits at zero: median ms',
          target: `< ${TARGET_MS}`,
          actual: median,
          pass: median < TARGET_MS,
        },
      ],
    };
  } finally {
    sfn.destroy();
    await runtime.close();
  }
}
