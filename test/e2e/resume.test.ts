// An execution that holds no lock when the runtime stops (here: a fail-back waiting out
// its hold-down) is resumed at the next start — run again from the start — and finishes
// the job. (A drain holding its lock is rolled back instead: restart.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../src/local/runtime/runtime.ts';
import { readControlToken } from '../../src/local/runtime/state-dir.ts';
import { aRecord, alarmState, awsClients, executionResult, executions, recordSets, temporaryFolder, TIME_SCALE, waitFor, zoneId } from './helpers.ts';

let folder: { path: string; remove(): Promise<void> };
let runtime: LocalRuntime | undefined;

beforeAll(async () => {
  folder = await temporaryFolder('resume');
});

afterAll(async () => {
  await runtime?.close();
  await folder?.remove();
});

// With the runtime's per-run token, read from its state folder as the CLI reads it.
const control = async (url: string, path: string) =>
  fetch(`${url}/_switchyard/${path}`, { method: 'POST', headers: { 'x-switchyard-token': (await readControlToken(folder.path)) ?? '' } });

describe('switchyard local: restart during a fail-back', () => {
  it('resumes the interrupted Failover execution, which brings the cluster back', async () => {
    // Prepare: east failed over, healed, and its fail-back waiting out the hold-down
    runtime = await startLocalRuntime({ stateDir: folder.path, port: 0, timeScale: TIME_SCALE });
    let aws = awsClients(runtime.url);
    const zone = await zoneId(aws.route53);
    expect((await control(runtime.url, 'clusters/east/fail')).status).toBe(200);
    await waitFor('shop off east', async () => aRecord(await recordSets(aws.route53, zone), 'shop.example.com', 'east')?.Weight === 0);
    expect((await control(runtime.url, 'clusters/east/heal')).status).toBe(200);
    await waitFor('the east alarm OK', async () => (await alarmState(aws.cloudwatch, 'east')) === 'OK');
    const failback = await waitFor('the fail-back running', async () =>
      (await executions(aws.sfn, 'Failover')).find((e) => e.name.startsWith('failover-east-OK') && e.status === 'RUNNING'),
    );
    aws.destroy();
    // Act: stop mid-hold-down (close leaves running executions RUNNING on disk, as a crash does), start again
    await runtime.close();
    runtime = await startLocalRuntime({ stateDir: folder.path, port: 0, timeScale: TIME_SCALE });
    aws = awsClients(runtime.url);
    // Assess
    expect(runtime.recovered).toContainEqual(expect.objectContaining({ executionArn: failback.executionArn, workflow: 'Failover', action: 'resumed' }));
    // (the start-up's own INSUFFICIENT_DATA → OK fail-backs may still be in their hold-down too: resumed as well)
    expect(runtime.recovered.every((r) => r.workflow === 'Failover' && r.action === 'resumed')).toBe(true);
    const result = await executionResult(aws.sfn, failback.executionArn);
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(aRecord(await recordSets(aws.route53, zone), 'shop.example.com', 'east')?.Weight).toBe(100);
    aws.destroy();
  }, 120_000);
});
