// The local runtime as a real process (`node src/cli/main.ts local --port 0 ...`): a
// restart finds the state it left, and a kill -9 in the middle of a drain is followed, at
// the next start, by that drain being rolled back — never left half-applied.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aRecord,
  awsClients,
  executionResult,
  executions,
  fleetDocument,
  history,
  ownedHealthChecks,
  recordSets,
  runCliHere,
  startChild,
  startExecution,
  temporaryFolder,
  waitFor,
  zoneId,
  type ChildRuntime,
} from './helpers.ts';

const WORKFLOWS = ['OnboardApp', 'OffboardApp', 'Reconcile', 'Failover', 'DrainCluster', 'RestoreCluster', 'UpgradeGuard'];

async function snapshot(url: string) {
  const aws = awsClients(url);
  try {
    const zone = await zoneId(aws.route53);
    const fleet = await fleetDocument(aws.dynamodb);
    const runs: Record<string, string> = {};
    for (const workflow of WORKFLOWS) for (const e of await executions(aws.sfn, workflow)) runs[`${workflow}/${e.name}`] = e.status;
    return {
      records: await recordSets(aws.route53, zone),
      healthChecks: (await ownedHealthChecks(aws.route53)).sort((a, b) => a.id.localeCompare(b.id)),
      intents: fleet.intents,
      locks: fleet.locks,
      failovers: fleet.failovers,
      runs,
    };
  } finally {
    aws.destroy();
  }
}

/** What the recovery did, for a failure message: RecoverOperation's runs and the fleet's locks and east. */
async function recoveryReport(aws: ReturnType<typeof awsClients>): Promise<string> {
  const lines: string[] = [];
  for (const e of await executions(aws.sfn, 'RecoverOperation')) {
    const result = await executionResult(aws.sfn, e.executionArn, 1).catch((error: Error) => ({ status: `unreadable: ${error.message}` }));
    lines.push(`RecoverOperation ${e.name}: ${JSON.stringify(result)}`);
  }
  const fleet = await fleetDocument(aws.dynamodb);
  lines.push(`locks: ${JSON.stringify(fleet.locks)}`, `east: ${JSON.stringify(fleet.intents['east'])}`);
  return lines.join('\n');
}

let folder: { path: string; remove(): Promise<void> };
let running: ChildRuntime | undefined;

beforeAll(async () => {
  folder = await temporaryFolder('restart');
});

afterAll(async () => {
  await running?.kill();
  await folder?.remove();
});

describe('switchyard local (a real process)', () => {
  it('prints its endpoint for --port 0, and after a restart finds the same state', async () => {
    // Prepare: a first run that onboards the fleet and drains east
    running = await startChild(['--state', folder.path]);
    expect(running.output()).toMatch(/^SWITCHYARD_ENDPOINT=http:\/\/127\.0\.0\.1:\d+$/m);
    const first = awsClients(running.url);
    const drain = await startExecution(first.sfn, 'DrainCluster', { cluster: 'east', reason: 'before the restart' });
    expect((await executionResult(first.sfn, drain)).status).toBe('SUCCEEDED');
    first.destroy();
    const before = await snapshot(running.url);
    // Act
    expect(await running.stop()).toBe(0);
    running = await startChild(['--state', folder.path]);
    const after = await snapshot(running.url);
    // Assess: DNS, health checks, intents and every earlier execution as they were
    expect(after.records).toEqual(before.records);
    expect(after.healthChecks).toEqual(before.healthChecks);
    expect(after.intents).toEqual(before.intents);
    expect(after.intents['east']).toMatchObject({ state: 'DRAINED', weightPercent: 0 });
    expect(after.locks).toEqual({});
    for (const [run, status] of Object.entries(before.runs)) expect(after.runs[run], run).toBe(status);
    // at the start a Reconcile ran, and the agents published what they see again (as an agent in a
    // Pod does, docs/agent.md): onboarding what is already there changed nothing (records above)
    const added = Object.keys(after.runs).filter((r) => !(r in before.runs));
    expect(added.filter((r) => !r.startsWith('Reconcile/') && !r.startsWith('OnboardApp/'))).toEqual([]);
    const status = (await (await fetch(`${running.url}/_switchyard/status`)).json()) as { events: Array<{ detailType: string }> };
    expect(status.events.some((e) => e.detailType === 'Gateway Withdrawn')).toBe(false);
  }, 180_000);

  it('rolls back a drain that a kill -9 cut in the middle, at the next start', async () => {
    // Prepare: east back in service, then a drain that stops for a long bake after its first step
    let aws = awsClients(running!.url);
    const restore = await startExecution(aws.sfn, 'RestoreCluster', { cluster: 'east', reason: 'back before the crash test' });
    expect((await executionResult(aws.sfn, restore)).status).toBe('SUCCEEDED');
    const zone = await zoneId(aws.route53);
    const drain = await startExecution(
      aws.sfn,
      'DrainCluster',
      { cluster: 'east', reason: 'cut by a crash', steps: [50, 0], bakeSeconds: 600 },
      'drain-cut-by-a-crash',
    );
    await waitFor('the first drain step', async () =>
      (await history(aws.sfn, drain)).some((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'ApplyWeights'),
    );
    expect(aRecord(await recordSets(aws.route53, zone), 'shop.example.com', 'east')?.Weight).toBe(50);
    expect((await fleetDocument(aws.dynamodb)).intents['east']).toMatchObject({ state: 'DRAINING', weightPercent: 50 });
    aws.destroy();
    // Act
    await running!.kill();
    running = await startChild(['--state', folder.path]);
    aws = awsClients(running.url);
    // Assess: the drain was stopped (marked), and RecoverOperation, started by its status
    // change as on AWS, rolled it back to the weights saved when it took the lock
    const result = await executionResult(aws.sfn, drain);
    expect(result.status).toBe('ABORTED');
    expect(result.error).toBe('RuntimeInterrupted');
    expect(result.cause).toContain('RecoverOperation rolls it back');
    const client = aws;
    await waitFor(
      'the drain rolled back and unlocked',
      async () => {
        const fleet = await fleetDocument(client.dynamodb);
        return Object.keys(fleet.locks).length === 0 && fleet.intents['east']?.state === 'ACTIVE';
      },
      120_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await recoveryReport(client)}`);
    });
    expect(aRecord(await recordSets(aws.route53, zone), 'shop.example.com', 'east')?.Weight).toBe(100);
    expect((await fleetDocument(aws.dynamodb)).intents['east']).toMatchObject({ state: 'ACTIVE', weightPercent: 100 });
    const aborted = async () => {
      const status = (await (await fetch(`${running!.url}/_switchyard/status`)).json()) as { events: Array<{ detailType: string; summary: string }> };
      return status.events.find((e) => e.detailType === 'Cluster Drain Aborted')?.summary;
    };
    await waitFor('Cluster Drain Aborted', async () => (await aborted()) !== undefined, 120_000);
    expect(await aborted()).toContain('error=RuntimeInterrupted');
    // and the cluster can be drained again (nothing is left locked)
    const again = await startExecution(aws.sfn, 'DrainCluster', { cluster: 'east', reason: 'after the crash' });
    expect((await executionResult(aws.sfn, again)).status).toBe('SUCCEEDED');
    aws.destroy();
  }, 180_000);

  it('refuses a second runtime on the same state folder, and --reset starts clean', async () => {
    // Act: a second runtime while the first one runs
    const signalListeners = process.listenerCount('SIGTERM');
    const second = await runCliHere(['local', '--port', '0', '--dns-port', '0', '--quiet', '--state', folder.path]);
    // Assess
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`is in use by another local runtime (pid ${running!.child.pid}`);
    expect(process.listenerCount('SIGTERM')).toBe(signalListeners);
    // Act: stop it, start over with --reset
    expect(await running!.stop()).toBe(0);
    running = await startChild(['--state', folder.path, '--reset']);
    const after = await snapshot(running.url);
    // Assess: onboarded afresh, no intents, no drains in the history
    expect(after.intents).toEqual({});
    expect(Object.keys(after.runs).filter((r) => r.startsWith('DrainCluster/') || r.startsWith('RestoreCluster/'))).toEqual([]);
    expect(after.records.filter((r) => r.Type === 'A' && r.SetIdentifier === 'east' && r.Name === 'shop.example.com.').map((r) => r.Weight)).toEqual([100]);
  }, 180_000);

  it('refuses bad flags with exit code 2, naming the flag, and creates nothing', async () => {
    // Act
    const cases = [
      [['--time-scale', 'fast'], '--time-scale must be a number from 0 to 1000, not "fast"'],
      [['--port', '70000'], '--port must be a number from 0 to 65535, not "70000"'],
      [['--fleet', '/no/such/fleet'], '/no/such/fleet: invalid configuration'],
    ] as const;
    const results: Array<{ code: number; stdout: string; stderr: string }> = [];
    for (const [flags] of cases) results.push(await runCliHere(['local', '--quiet', '--state', `${folder.path}-never`, ...flags]));
    // Assess
    results.forEach((result, i) => {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(cases[i]![1]);
      expect(result.stdout).not.toContain('SWITCHYARD_ENDPOINT');
    });
    expect(existsSync(`${folder.path}-never`)).toBe(false);
  });
});
