// A drain stopped in the middle, on the local runtime, through the AWS API only: the
// StopExecution ends the run ABORTED without its own rollback; its status change reaches
// the router, RecoverOperation rolls the cluster back and unlocks it. Then the same with
// `switchyard abort <cluster> --wait`.
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import {
  aRecord,
  awsClients,
  executionResult,
  executions,
  fleetDocument,
  history,
  recordSets,
  runCliHere,
  startExecution,
  temporaryFolder,
  TIME_SCALE,
  waitFor,
  zoneId,
  type AwsClients,
} from './helpers.ts';

/** Generous: a loaded 2-core machine runs the router and RecoverOperation in its own time. */
const DEADLINE_MS = 120_000;

let runtime: LocalRuntime;
let aws: AwsClients;
let zone: string;
let state: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  state = await temporaryFolder('stop');
  runtime = await startLocalRuntime({ stateDir: state.path, port: 0, timeScale: TIME_SCALE });
  aws = awsClients(runtime.url);
  zone = await zoneId(aws.route53);
}, 120_000);

afterAll(async () => {
  aws?.destroy();
  await runtime?.close();
  await state?.remove();
});

const weightOf = async (cluster: string) => aRecord(await recordSets(aws.route53, zone), 'shop.example.com', cluster)?.Weight;

/** Starts a drain of east that waits a long bake after its first step (600 s, scaled), and returns once east is at 50 %. */
async function drainHalfway(name: string): Promise<string> {
  const drain = await startExecution(aws.sfn, 'DrainCluster', { cluster: 'east', reason: 'stopped by the test', steps: [50, 0], bakeSeconds: 600 }, name);
  await waitFor(
    'the first drain step',
    async () => (await history(aws.sfn, drain)).some((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'ApplyWeights'),
    DEADLINE_MS,
  );
  expect(await weightOf('east')).toBe(50);
  expect((await fleetDocument(aws.dynamodb)).intents['east']).toMatchObject({ state: 'DRAINING', weightPercent: 50 });
  return drain;
}

async function rolledBackAndUnlocked(): Promise<boolean> {
  const fleet = await fleetDocument(aws.dynamodb);
  return fleet.locks['east'] === undefined && fleet.intents['east']?.state === 'ACTIVE' && fleet.intents['east']?.weightPercent === 100;
}

describe('a drain stopped in the middle (local runtime, AWS API only)', () => {
  it('StopExecution leaves the cluster rolled back and unlocked, through RecoverOperation', async () => {
    // Prepare
    const drain = await drainHalfway('drain-east-stopped');
    // Act
    await aws.sfn.send(new StopExecutionCommand({ executionArn: drain, error: 'OperatorAbort', cause: 'stopped with the AWS API' }));
    // Assess
    expect((await executionResult(aws.sfn, drain)).status).toBe('ABORTED');
    await waitFor('east rolled back and unlocked', async () => rolledBackAndUnlocked(), DEADLINE_MS);
    expect(await weightOf('east')).toBe(100);
    const recoveries = (await executions(aws.sfn, 'RecoverOperation')).filter((e) => e.name.startsWith('recover-drain-east-stopped-'));
    expect(recoveries).toHaveLength(1);
    const recovery = await executionResult(aws.sfn, recoveries[0]!.executionArn, DEADLINE_MS);
    expect(recovery.status).toBe('SUCCEEDED');
    expect(JSON.parse(recovery.output!)).toMatchObject({ cluster: 'east', recovered: true, rolledBack: true, status: 'ABORTED' });
    // and east can be drained again: nothing is left locked
    const again = await startExecution(aws.sfn, 'DrainCluster', { cluster: 'east', reason: 'after the stop', steps: [0] });
    expect((await executionResult(aws.sfn, again, DEADLINE_MS)).status).toBe('SUCCEEDED');
    const restore = await startExecution(aws.sfn, 'RestoreCluster', { cluster: 'east', reason: 'back for the next case' });
    expect((await executionResult(aws.sfn, restore, DEADLINE_MS)).status).toBe('SUCCEEDED');
  }, 300_000);

  it('switchyard abort --wait stops the drain and exits 0 once the cluster is rolled back and unlocked', async () => {
    // Prepare
    const drain = await drainHalfway('drain-east-aborted');
    // Act
    const cli = await runCliHere(['abort', 'east', '--stage', 'local', '--endpoint-url', runtime.url, '--reason', 'wrong cluster', '--by', 'alice', '--wait']);
    // Assess
    expect(cli.code, cli.stderr + cli.stdout).toBe(0);
    expect(cli.stdout).toContain('east: rolled back at ACTIVE 100%, unlocked');
    expect(await rolledBackAndUnlocked()).toBe(true);
    expect(await weightOf('east')).toBe(100);
    const result = await executionResult(aws.sfn, drain);
    expect(result).toMatchObject({ status: 'ABORTED', error: 'OperatorAbort', cause: 'switchyard abort by alice: wrong cluster' });
  }, 300_000);

  it('switchyard abort refuses, with exit code 2 and nothing changed, when nothing holds the cluster or the cluster is unknown', async () => {
    // Prepare
    const before = await fleetDocument(aws.dynamodb);
    // Act
    const idle = await runCliHere(['abort', 'east', '--stage', 'local', '--endpoint-url', runtime.url]);
    const unknown = await runCliHere(['abort', 'nowhere', '--stage', 'local', '--endpoint-url', runtime.url, '--fleet', runtime.fleet.dir]);
    // Assess
    expect(idle.code).toBe(2);
    expect(idle.stderr).toContain("nothing to abort: no operation holds east's lock");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown cluster "nowhere"');
    expect((await fleetDocument(aws.dynamodb)).version).toBe(before.version);
  });
});
